// @vitest-environment happy-dom
import { createVisitor } from '@beckon/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createMockService } from '../../transport-mock/src/index.js';
import { CONSENT_DIALOG_TAG, createConsentDialog } from '../src/index.js';

// The dialog driven by core's real visitor machine over the in-memory service.
function setup() {
  const clock = new SimulatedClock();
  const service = createMockService({ clock });
  const visitor = createVisitor({
    transport: service.transport,
    clock,
    ui: createConsentDialog({ locale: 'en' }),
  });
  visitor.init({ groupId: 'acme', visitorId: 'alice-42' });
  visitor.connect();
  clock.increment(0);
  expect(visitor.getSnapshot().connection).toBe('connected');
  const conn = service.current!;
  const root = () => document.querySelector(CONSENT_DIALOG_TAG)?.shadowRoot ?? null;
  const button = (name: 'accept' | 'decline') =>
    root()?.querySelector<HTMLButtonElement>(`button.${name}`) ?? null;
  const signals = () =>
    conn.sent.filter((m) => m.type === 'signal' || m.type === 'sessionStart' || m.type === 'ack');
  return { visitor, service, conn, root, button, signals };
}

// Loaded ahead, so the dialog opens with the request; consentDialog.lazy.test.ts covers
// the first request arriving before the dialog's code.
beforeAll(() => createConsentDialog().preload());

afterEach(() => {
  document.body.innerHTML = '';
});

describe('createConsentDialog with createVisitor', () => {
  it('an agent request shows the dialog; Accept signals displayed, accepted and starts the session', () => {
    const { visitor, conn, root, button, signals } = setup();
    conn.push({ type: 'showTerms', id: 7, sessionKey: 'case-9', termsUrl: '/terms' });
    expect(root()?.querySelector('dialog')?.open).toBe(true);
    expect(root()?.querySelector('code')?.textContent).toBe('case-9');
    expect(root()?.querySelector('a')?.getAttribute('href')).toBe('/terms');
    button('accept')?.click();
    expect(root()).toBeNull();
    expect(signals()).toEqual([
      expect.objectContaining({ type: 'ack', id: 7 }),
      { type: 'signal', name: 'terms', properties: { status: 'displayed' } },
      { type: 'signal', name: 'terms', properties: { status: 'accepted' } },
      expect.objectContaining({ type: 'sessionStart', sessionKey: 'case-9', presenceStart: true }),
    ]);
    expect(visitor.getSnapshot().terms).toBe('session');
  });

  it('Decline signals declined and starts nothing', () => {
    const { visitor, conn, root, button, signals } = setup();
    conn.push({ type: 'showTerms', id: 8, sessionKey: 'alice-42' });
    button('decline')?.click();
    expect(root()).toBeNull();
    expect(signals().slice(1)).toEqual([
      { type: 'signal', name: 'terms', properties: { status: 'displayed' } },
      { type: 'signal', name: 'terms', properties: { status: 'declined' } },
    ]);
    expect(visitor.getSnapshot().terms).toBe('declined');
  });

  it('disconnect() withdraws an open dialog', () => {
    const { visitor, conn, root } = setup();
    conn.push({ type: 'showTerms', id: 9, sessionKey: 'alice-42' });
    expect(root()).not.toBeNull();
    visitor.disconnect();
    expect(root()).toBeNull();
  });
});
