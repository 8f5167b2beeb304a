// @vitest-environment happy-dom
import { type ConsentPrompt, consentStrings, type Visitor } from '@beckon/core';
import { act, fireEvent, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BeckonProvider, ConsentDialog, type ConsentDialogProps } from '../src/index.js';
import { modes, termsSignal, visitorSetup, type Wrapper } from './utils.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function setup(
  Mode: Wrapper,
  props: ConsentDialogProps = {},
  options: { customUI?: boolean } = {},
) {
  const h = visitorSetup();
  h.connect();
  if (options.customUI) h.visitor.setDefaultUI(false);
  const Providers = ({ children }: { children: ReactNode }) => (
    <Mode>
      <BeckonProvider visitor={h.visitor as Visitor} consent={h.consent as ConsentPrompt}>
        {children}
      </BeckonProvider>
    </Mode>
  );
  const view = render(
    <>
      <button type="button">outside</button>
      <ConsentDialog {...props} />
    </>,
    { wrapper: Providers },
  );
  const outside = screen.getByRole('button', { name: 'outside' });
  outside.focus();
  const dialog = () => view.container.querySelector('dialog');
  return { ...h, view, outside, dialog };
}

describe.each(modes)('%s', (_, Mode) => {
  it('renders nothing until a request arrives, then a labelled, described modal dialog', () => {
    const showModal = vi.spyOn(HTMLDialogElement.prototype, 'showModal');
    const t = setup(Mode);
    expect(t.dialog()).toBeNull();
    act(() => t.showTerms(1, { termsUrl: 'https://acme.test/terms' }));
    const dialog = screen.getByRole('dialog', { name: 'Share your screen?' }) as HTMLDialogElement;
    expect(dialog).toBe(t.dialog());
    expect(dialog.open).toBe(true);
    expect(showModal).toHaveBeenCalled();
    const [messageId, keyId] = (dialog.getAttribute('aria-describedby') ?? '').split(' ');
    expect(document.getElementById(messageId ?? '')?.textContent).toMatch(
      /would like to see your screen/,
    );
    expect(document.getElementById(keyId ?? '')?.textContent).toBe('Session key: alice');
    // The same words as every Beckon consent UI, the new-tab hint for screen readers included.
    const link = screen.getByRole('link', {
      name: 'Terms and conditions (opens in a new tab)',
    });
    expect(link.getAttribute('href')).toBe('https://acme.test/terms');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('moves focus to Decline, and back where it was once answered; Accept starts the session', () => {
    const t = setup(Mode);
    expect(document.activeElement).toBe(t.outside);
    act(() => t.showTerms(1));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Decline' }));
    fireEvent.click(screen.getByRole('button', { name: 'Accept' }));
    expect(t.dialog()).toBeNull();
    expect(document.activeElement).toBe(t.outside);
    expect(t.sent().slice(-3)).toEqual([
      termsSignal('displayed'),
      termsSignal('accepted'),
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
  });

  it('Escape declines (keydown and the dialog’s cancel event alike)', () => {
    const t = setup(Mode);
    act(() => t.showTerms(1));
    fireEvent.keyDown(t.dialog() as HTMLDialogElement, { key: 'Escape' });
    expect(t.dialog()).toBeNull();
    expect(t.sent().at(-1)).toEqual(termsSignal('declined'));
    expect(document.activeElement).toBe(t.outside);

    act(() => t.showTerms(2));
    const cancel = new Event('cancel', { cancelable: true });
    fireEvent(t.dialog() as HTMLDialogElement, cancel);
    expect(cancel.defaultPrevented).toBe(true); // the answer closes it, not the browser
    expect(t.dialog()).toBeNull();
    expect(
      t
        .sent()
        .filter((m) => m.type === 'signal')
        .at(-1),
    ).toEqual(termsSignal('declined'));
    expect(t.visitor.getSnapshot().terms).toBe('declined');
  });

  it('Decline by click declines; other keys do nothing', () => {
    const t = setup(Mode);
    act(() => t.showTerms(1));
    fireEvent.keyDown(t.dialog() as HTMLDialogElement, { key: 'Enter' });
    expect(t.dialog()).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Decline' }));
    expect(t.dialog()).toBeNull();
    expect(t.sent().at(-1)).toEqual(termsSignal('declined'));
  });

  it('works for a custom-UI request too, announcing it as displayed', () => {
    const t = setup(Mode, {}, { customUI: true });
    act(() => t.showTerms(1, { sessionKey: 'case-5' }));
    expect(t.sent()).toEqual([{ type: 'ack', id: 1 }, termsSignal('displayed')]);
    fireEvent.click(screen.getByRole('button', { name: 'Accept' }));
    expect(t.sent().slice(-2)).toEqual([
      termsSignal('accepted'),
      { type: 'sessionStart', sessionKey: 'case-5', presenceStart: true },
    ]);
    expect(t.dialog()).toBeNull();
  });

  it('takes strings, extra class names and no built-in styles when asked', () => {
    const t = setup(Mode, {
      strings: { title: 'Bildschirm teilen?', accept: 'Zulassen', decline: undefined },
      className: 'my-dialog',
      unstyled: true,
    });
    act(() => t.showTerms(1, { termsUrl: 'https://acme.test/agb' }));
    const dialog = screen.getByRole('dialog', { name: 'Bildschirm teilen?' });
    expect(screen.getByRole('button', { name: 'Zulassen' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Decline' })).toBeTruthy(); // undefined keeps it
    expect(dialog.className).toBe('beckon-dialog my-dialog');
    expect(t.view.container.querySelector('style')).toBeNull();
  });

  it('speaks the shipped languages of every Beckon consent UI', () => {
    const t = setup(Mode, { locale: 'de-AT', strings: { requester: 'Das Acme-Team' } });
    act(() => t.showTerms(1, { sessionKey: 'case-7' }));
    const dialog = screen.getByRole('dialog', { name: consentStrings.de.title });
    expect(dialog.getAttribute('lang')).toBe('de-AT');
    expect(dialog.textContent).toContain('Das Acme-Team möchte Ihren Bildschirm sehen');
    expect(dialog.textContent).toContain('Sitzungsschlüssel: case-7');
    expect(screen.getByRole('button', { name: consentStrings.de.accept })).toBeTruthy();
    expect(screen.getByRole('button', { name: consentStrings.de.decline })).toBeTruthy();
  });

  it('prefixes every class with beckon- and themes through CSS custom properties', () => {
    const t = setup(Mode);
    act(() => t.showTerms(1, { termsUrl: 'https://acme.test/terms' }));
    const elements = Array.from(t.dialog()?.querySelectorAll('[class]') ?? []);
    const classes = elements.flatMap((el) => Array.from(el.classList));
    expect(classes.length).toBeGreaterThan(4);
    for (const name of classes) expect(name).toMatch(/^beckon-/);
    const css = t.view.container.querySelector('style')?.textContent ?? '';
    expect(css).toContain('var(--beckon-accent');
    expect(css).toContain(':where(.beckon-dialog)');
  });

  it('links the terms page; core refuses unsafe URLs before any dialog sees them', () => {
    const t = setup(Mode);
    // The protocol only admits http(s) URLs and site paths, so a hostile one is refused at the
    // frame and never becomes a request (the dialog's own check is a second line).
    expect(() => act(() => t.showTerms(1, { termsUrl: 'javascript:alert(1)' }))).toThrow();
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => t.showTerms(2, { termsUrl: '/terms' }));
    // Linked as given: a site path stays on the visitor's site.
    expect(screen.getByRole('link').getAttribute('href')).toBe('/terms');
  });

  it('falls back to the open attribute where <dialog> has no showModal', () => {
    const proto = HTMLDialogElement.prototype;
    const original = Object.getOwnPropertyDescriptor(proto, 'showModal');
    Object.defineProperty(proto, 'showModal', { value: undefined, configurable: true });
    try {
      const t = setup(Mode);
      act(() => t.showTerms(1));
      const dialog = t.dialog() as HTMLDialogElement;
      expect(typeof dialog.showModal).toBe('undefined');
      expect(dialog.hasAttribute('open')).toBe(true);
      expect(screen.getByRole('dialog', { name: 'Share your screen?' })).toBe(dialog);
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Decline' }));
      fireEvent.keyDown(dialog, { key: 'Escape' });
      expect(t.dialog()).toBeNull();
      expect(t.sent().at(-1)).toEqual(termsSignal('declined'));
      expect(document.activeElement).toBe(t.outside);
    } finally {
      if (original) Object.defineProperty(proto, 'showModal', original);
      else delete (proto as { showModal?: unknown }).showModal;
    }
    expect(typeof HTMLDialogElement.prototype.showModal).toBe('function');
  });

  it('unmounting with the dialog open gives focus back and leaves no listener', () => {
    const t = setup(Mode);
    act(() => t.showTerms(1));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Decline' }));
    // The same tree without the dialog: the outside button stays the same element.
    t.view.rerender(<button type="button">outside</button>);
    expect(t.dialog()).toBeNull();
    expect(screen.getByRole('button', { name: 'outside' })).toBe(t.outside);
    expect(document.activeElement).toBe(t.outside);
    expect(t.listeners.live).toBe(0);
    expect(t.promptListeners.live).toBe(0);
    // The request itself is still pending: unmounting a dialog answers nothing.
    expect(t.consent.getSnapshot().request).not.toBeNull();
  });
});
