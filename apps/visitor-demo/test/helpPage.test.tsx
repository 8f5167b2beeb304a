// @vitest-environment happy-dom
import type { Visitor } from '@beckon/core';
import { CONSENT_DIALOG_TAG } from '@beckon/ui-dom';
import { BeckonProvider } from '@beckon/ui-react';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HelpPage } from '../src/pages/HelpPage.js';
import { connectedDemoVisitor, termsSignal } from './helpers.js';

let visitor: Visitor | undefined;
afterEach(() => {
  cleanup();
  visitor?.disconnect();
  visitor = undefined;
});

/** The help page as `help.tsx` mounts it, on a demo visitor with the default UI off. */
function renderHelp() {
  const h = connectedDemoVisitor('custom');
  visitor = h.visitor;
  render(
    <StrictMode>
      <BeckonProvider visitor={h.visitor}>
        <HelpPage />
      </BeckonProvider>
    </StrictMode>,
  );
  const showTerms = (id: number, fields: { sessionKey?: string; termsUrl?: string } = {}) =>
    act(() => h.service.current?.push({ type: 'showTerms', id, ...fields }));
  return { ...h, showTerms };
}

describe('the React help page’s custom consent', () => {
  it('shows the visitor ID and an idle consent area until an agent asks', () => {
    renderHelp();
    expect(screen.getByTestId('help-visitor-id').textContent).toBe('alice');
    expect(screen.getByTestId('consent-idle').textContent).toMatch(/support can reach you/);
    expect(screen.queryByTestId('custom-consent')).toBeNull();
  });

  it('accept: shown inline (not the default dialog), displayed once, then accepted and the session starts', () => {
    const h = renderHelp();
    h.showTerms(1, { termsUrl: '/terms' });

    const panel = screen.getByTestId('custom-consent');
    expect(screen.getByTestId('custom-consent-key').textContent).toBe('alice');
    expect(panel.querySelector('a')?.getAttribute('href')).toBe('/terms');
    expect(document.querySelector(CONSENT_DIALOG_TAG)).toBeNull();
    // StrictMode mounts twice; the agent still hears "displayed" once.
    expect(h.sent()).toEqual([{ type: 'ack', id: 1 }, termsSignal('displayed')]);

    act(() => fireEvent.click(screen.getByTestId('custom-accept')));
    expect(h.sent()).toEqual([
      { type: 'ack', id: 1 },
      termsSignal('displayed'),
      termsSignal('accepted'),
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(h.visitor.getSnapshot()).toMatchObject({ terms: 'session', sessionKey: 'alice' });
    expect(screen.queryByTestId('custom-consent')).toBeNull();
    expect(screen.getByTestId('consent-idle').dataset.terms).toBe('session');
  });

  it('uses the agent’s session key when it names one', () => {
    const h = renderHelp();
    h.showTerms(4, { sessionKey: 'case-1234' });
    act(() => fireEvent.click(screen.getByTestId('custom-accept')));
    expect(h.sent().at(-1)).toEqual({
      type: 'sessionStart',
      sessionKey: 'case-1234',
      presenceStart: true,
    });
  });

  it('decline: declined is signalled and no session starts', () => {
    const h = renderHelp();
    h.showTerms(2);
    act(() => fireEvent.click(screen.getByTestId('custom-decline')));
    expect(h.sent()).toEqual([
      { type: 'ack', id: 2 },
      termsSignal('displayed'),
      termsSignal('declined'),
    ]);
    expect(h.visitor.getSnapshot().terms).toBe('declined');
    expect(screen.queryByTestId('custom-consent')).toBeNull();
    expect(screen.getByTestId('consent-idle').textContent).toMatch(/You declined/);
  });
});

describe('the other pages’ default dialog', () => {
  it('is @beckon/ui-dom’s dialog; its Accept starts the session with the visitor ID', async () => {
    const h = connectedDemoVisitor('dialog');
    visitor = h.visitor;
    h.service.current?.push({ type: 'showTerms', id: 1 });
    // The dialog's code comes with the first request.
    await vi.waitFor(() => expect(document.querySelector(CONSENT_DIALOG_TAG)).not.toBeNull());
    const host = document.querySelector(CONSENT_DIALOG_TAG);
    const accept = host?.shadowRoot?.querySelector<HTMLButtonElement>('button[part="accept"]');
    expect(accept?.textContent).toBe('Accept');
    expect(host?.shadowRoot?.textContent).toMatch(/A Beckon Outfitters support agent/);
    accept?.click();
    expect(h.sent()).toEqual([
      { type: 'ack', id: 1 },
      termsSignal('displayed'),
      termsSignal('accepted'),
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(document.querySelector(CONSENT_DIALOG_TAG)).toBeNull();
  });
});
