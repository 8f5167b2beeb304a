// @vitest-environment happy-dom
import { type ConsentDecision, type ConsentRequest, consentStrings } from '@beckon/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { dialogStyles } from '../src/dialogStyles.js';
import { CONSENT_DIALOG_TAG, createConsentDialog } from '../src/index.js';

const request: ConsentRequest = {
  sessionKey: 'case-1234',
  termsUrl: 'https://example.com/terms',
  visitorId: 'alice-42',
};

function parts() {
  const hosts = document.querySelectorAll(CONSENT_DIALOG_TAG);
  const host = hosts[0];
  const root = host?.shadowRoot;
  const q = <T extends Element>(selector: string) => root?.querySelector<T>(selector) ?? null;
  return {
    count: hosts.length,
    host,
    root,
    dialog: q<HTMLDialogElement>('dialog'),
    title: q<HTMLElement>('h2'),
    message: q<HTMLElement>('#beckon-message'),
    key: q<HTMLElement>('#beckon-key'),
    link: q<HTMLAnchorElement>('a'),
    accept: q<HTMLButtonElement>('button.accept'),
    decline: q<HTMLButtonElement>('button.decline'),
  };
}

function press(target: Element, key: string, init: KeyboardEventInit = {}) {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

// The dialog once its code is loaded, when `show` opens it at once; the loading itself is
// tested in consentDialog.lazy.test.ts.
beforeAll(() => createConsentDialog().preload());

let opener: HTMLButtonElement;
beforeEach(() => {
  document.body.innerHTML = '<button id="opener">Help</button>';
  opener = document.querySelector('#opener')!;
  opener.focus();
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('rendering', () => {
  it('opens a modal dialog in a shadow root on a host appended to the body', () => {
    createConsentDialog({ locale: 'en' }).show(request, () => {});
    const p = parts();
    expect(p.count).toBe(1);
    expect(p.host?.parentElement).toBe(document.body);
    expect(p.root).toBeTruthy();
    expect(p.dialog?.open).toBe(true);
    // Nothing of the dialog is in the light DOM, so page selectors cannot reach it.
    expect(document.querySelector('dialog, h2, button.accept')).toBeNull();
  });

  it('labels the dialog with its title and describes it with the text and session key', () => {
    createConsentDialog({ locale: 'en' }).show(request, () => {});
    const p = parts();
    const labelledBy = p.dialog?.getAttribute('aria-labelledby') ?? '';
    expect(p.root?.getElementById(labelledBy)?.textContent).toBe(consentStrings.en.title);
    const describedBy = (p.dialog?.getAttribute('aria-describedby') ?? '').split(' ');
    const description = describedBy.map((id) => p.root?.getElementById(id)?.textContent);
    expect(description[0]).toContain('A support agent would like to see your screen');
    expect(description[1]).toBe('Session key: case-1234');
    expect(p.dialog?.getAttribute('lang')).toBe('en');
  });

  it('shows the session key as text, never as markup', () => {
    createConsentDialog().show(
      { ...request, sessionKey: '<img src=x onerror=alert(1)>' },
      () => {},
    );
    const p = parts();
    expect(p.key?.querySelector('img')).toBeNull();
    expect(p.key?.querySelector('code')?.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('moves focus to Decline, the least consequential answer, not to Accept', () => {
    const respond = vi.fn();
    createConsentDialog().show(request, respond);
    const p = parts();
    expect(document.activeElement).toBe(p.host);
    const focused = p.root?.activeElement as HTMLElement | null | undefined;
    expect(focused).toBe(p.decline);
    expect(focused).not.toBe(p.accept);
    // A reflexive Enter activates the focused button: that declines.
    focused?.click();
    expect(respond.mock.calls).toEqual([['declined']]);
  });

  it('styles itself only through its shadow root, themable by --beckon-* variables', () => {
    createConsentDialog().show(request, () => {});
    const p = parts();
    // No stylesheet went into the page.
    expect(document.head.querySelector('style')).toBeNull();
    expect(document.styleSheets.length).toBe(0);
    const sheets = p.root?.adoptedStyleSheets ?? [];
    const text =
      sheets.length > 0
        ? sheets.flatMap((s) => Array.from(s.cssRules).map((r) => r.cssText)).join('\n')
        : (p.root?.querySelector('style')?.textContent ?? '');
    expect(text).toContain('dialog');
    for (const name of [
      '--beckon-bg',
      '--beckon-fg',
      '--beckon-muted',
      '--beckon-accent',
      '--beckon-accent-fg',
      '--beckon-border',
      '--beckon-radius',
      '--beckon-font',
      '--beckon-font-size',
      '--beckon-backdrop',
      '--beckon-focus-ring',
      '--beckon-shadow',
      '--beckon-width',
    ]) {
      expect(dialogStyles, name).toContain(`var(${name},`);
    }
  });

  it('exposes parts for ::part() styling', () => {
    createConsentDialog().show(request, () => {});
    const p = parts();
    expect(p.dialog?.getAttribute('part')).toBe('dialog');
    expect(p.accept?.getAttribute('part')).toBe('accept');
    expect(p.decline?.getAttribute('part')).toBe('decline');
    expect(p.link?.getAttribute('part')).toBe('terms-link');
  });
});

describe('answers', () => {
  it('Accept responds "accepted" once, removes the dialog and returns focus', () => {
    const respond = vi.fn<(d: ConsentDecision) => void>();
    createConsentDialog().show(request, respond);
    const { accept } = parts();
    accept?.click();
    accept?.click();
    expect(respond.mock.calls).toEqual([['accepted']]);
    expect(parts().count).toBe(0);
    expect(document.activeElement).toBe(opener);
  });

  it('Decline responds "declined"', () => {
    const respond = vi.fn();
    createConsentDialog().show(request, respond);
    parts().decline?.click();
    expect(respond.mock.calls).toEqual([['declined']]);
    expect(parts().count).toBe(0);
    expect(document.activeElement).toBe(opener);
  });

  it('Escape declines', () => {
    const respond = vi.fn();
    createConsentDialog().show(request, respond);
    const event = press(parts().accept!, 'Escape');
    expect(event.defaultPrevented).toBe(true);
    expect(respond.mock.calls).toEqual([['declined']]);
    expect(parts().count).toBe(0);
  });

  it("the dialog's cancel event (Escape in browsers) declines instead of dismissing", () => {
    const respond = vi.fn();
    createConsentDialog().show(request, respond);
    const cancel = new Event('cancel', { cancelable: true });
    parts().dialog?.dispatchEvent(cancel);
    expect(cancel.defaultPrevented).toBe(true);
    expect(respond.mock.calls).toEqual([['declined']]);
  });

  it('a close by page code declines, so the agent is not left waiting', () => {
    const respond = vi.fn();
    createConsentDialog().show(request, respond);
    parts().dialog?.close();
    expect(respond.mock.calls).toEqual([['declined']]);
    expect(parts().count).toBe(0);
  });
});

describe('keyboard focus stays inside', () => {
  it('Tab from Decline is left to the browser (to Accept); from the last control it wraps', () => {
    createConsentDialog().show(request, () => {});
    const p = parts();
    expect(p.root?.activeElement).toBe(p.decline);
    // Decline → Accept is the browser's own Tab order: nothing to correct.
    expect(press(p.decline!, 'Tab').defaultPrevented).toBe(false);
    p.accept?.focus();
    const forward = press(p.accept!, 'Tab');
    expect(forward.defaultPrevented).toBe(true);
    expect(p.root?.activeElement).toBe(p.link);
    const back = press(p.link!, 'Tab', { shiftKey: true });
    expect(back.defaultPrevented).toBe(true);
    expect(p.root?.activeElement).toBe(p.accept);
  });

  it('Tab between inner controls is left to the browser', () => {
    createConsentDialog().show(request, () => {});
    const p = parts();
    p.link?.focus();
    expect(press(p.link!, 'Tab').defaultPrevented).toBe(false);
    p.decline?.focus();
    expect(press(p.decline!, 'Tab', { shiftKey: true }).defaultPrevented).toBe(false);
  });

  it('without a terms link, Decline is the first control: Shift+Tab from it wraps to Accept', () => {
    createConsentDialog().show({ sessionKey: 'k', visitorId: 'v' }, () => {});
    const p = parts();
    expect(p.link).toBeNull();
    expect(p.root?.activeElement).toBe(p.decline);
    expect(press(p.decline!, 'Tab', { shiftKey: true }).defaultPrevented).toBe(true);
    expect(p.root?.activeElement).toBe(p.accept);
    expect(press(p.accept!, 'Tab').defaultPrevented).toBe(true);
    expect(p.root?.activeElement).toBe(p.decline);
  });

  it('without a native modal, focus that leaves for the page comes back to Decline', () => {
    // Older browsers: no showModal, so nothing makes the page inert.
    const proto = HTMLDialogElement.prototype;
    const showModal = Object.getOwnPropertyDescriptor(proto, 'showModal');
    Object.defineProperty(proto, 'showModal', { configurable: true, value: undefined });
    onTestFinished(() => {
      if (showModal) Object.defineProperty(proto, 'showModal', showModal);
    });
    createConsentDialog().show(request, () => {});
    const p = parts();
    expect(p.dialog?.hasAttribute('open')).toBe(true);
    expect(p.root?.activeElement).toBe(p.decline);
    p.accept?.focus();
    opener.focus();
    expect(document.activeElement).toBe(p.host);
    expect(p.root?.activeElement).toBe(p.decline);
  });
});

describe('terms link', () => {
  it('links to the terms URL in a new tab without giving it the opener', () => {
    createConsentDialog({ locale: 'en' }).show(request, () => {});
    const { link } = parts();
    expect(link?.getAttribute('href')).toBe('https://example.com/terms');
    expect(link?.getAttribute('target')).toBe('_blank');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.textContent).toBe('Terms and conditions (opens in a new tab)');
  });

  // The one terms-URL rule of @beckon/core (its own tests cover every case).
  it.each(['/terms', '/legal/terms.html', 'http://example.com/t', 'https://example.com/t'])(
    'accepts %j',
    (termsUrl) => {
      createConsentDialog().show({ ...request, termsUrl }, () => {});
      expect(parts().link?.getAttribute('href')).toBe(termsUrl);
    },
  );

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//cdn.example.com/terms',
    '/\\cdn.example.com/terms',
    '/\t/cdn.example.com/terms',
    'terms.html',
    '',
  ])('shows no link for %j', (termsUrl) => {
    const respond = vi.fn();
    createConsentDialog().show({ ...request, termsUrl }, respond);
    const p = parts();
    expect(p.link).toBeNull();
    expect(p.root?.querySelector('[href]')).toBeNull();
    // The dialog still works.
    p.decline?.click();
    expect(respond).toHaveBeenCalledWith('declined');
  });
});

describe('strings and locale', () => {
  it.each([
    ['de', 'Bildschirm teilen?', 'Akzeptieren', 'Sitzungsschlüssel: case-1234'],
    ['de-AT', 'Bildschirm teilen?', 'Akzeptieren', 'Sitzungsschlüssel: case-1234'],
    ['fr-CA', 'Partager votre écran ?', 'Accepter', 'Clé de session: case-1234'],
    ['ja', 'Share your screen?', 'Accept', 'Session key: case-1234'],
  ])('locale %s', (locale, title, accept, key) => {
    createConsentDialog({ locale }).show(request, () => {});
    const p = parts();
    expect(p.title?.textContent).toBe(title);
    expect(p.accept?.textContent).toBe(accept);
    expect(p.key?.textContent).toBe(key);
    expect(p.dialog?.getAttribute('lang')).toBe(locale);
  });

  it('follows navigator.language when no locale is given', () => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('fr-FR');
    createConsentDialog().show(request, () => {});
    expect(parts().decline?.textContent).toBe('Refuser');
    expect(parts().dialog?.getAttribute('lang')).toBe('fr');
  });

  it('overrides single strings, with {requester} filled into the message', () => {
    createConsentDialog({
      locale: 'de',
      strings: { requester: 'Das Acme-Team', accept: 'Ja, teilen' },
    }).show(request, () => {});
    const p = parts();
    expect(p.message?.textContent).toMatch(/^Das Acme-Team möchte Ihren Bildschirm sehen/);
    expect(p.accept?.textContent).toBe('Ja, teilen');
    expect(p.decline?.textContent).toBe('Ablehnen');
  });
});

describe('hide and replace', () => {
  it('the returned function removes the dialog without answering, and returns focus', () => {
    const respond = vi.fn();
    const hide = createConsentDialog().show(request, respond);
    hide?.();
    hide?.();
    expect(parts().count).toBe(0);
    expect(respond).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(opener);
  });

  it('showing again replaces the first dialog; focus still returns to where it was', () => {
    const ui = createConsentDialog();
    const first = vi.fn();
    const second = vi.fn();
    const hideFirst = ui.show(request, first);
    ui.show({ ...request, sessionKey: 'case-2' }, second);
    expect(parts().count).toBe(1);
    expect(parts().key?.textContent).toBe('Session key: case-2');
    // The stale hide leaves the new dialog alone.
    hideFirst?.();
    expect(parts().count).toBe(1);
    parts().accept?.click();
    expect(first).not.toHaveBeenCalled();
    expect(second.mock.calls).toEqual([['accepted']]);
    expect(document.activeElement).toBe(opener);
  });

  it('does not pull focus back if it is no longer inside the dialog', () => {
    const hide = createConsentDialog().show(request, () => {});
    const other = document.createElement('input');
    document.body.append(other);
    other.focus();
    hide?.();
    expect(document.activeElement).toBe(other);
  });

  it('returns no focus to an element that left the page', () => {
    const hide = createConsentDialog().show(request, () => {});
    opener.remove();
    expect(() => hide?.()).not.toThrow();
    expect(parts().count).toBe(0);
  });

  it('renders into a given container and document', () => {
    const container = document.createElement('section');
    document.body.append(container);
    createConsentDialog({ container, document }).show(request, () => {});
    expect(container.querySelector(CONSENT_DIALOG_TAG)).not.toBeNull();
  });
});

describe('options', () => {
  it.each([
    [{ colour: 'red' }, /unknown option "colour"/],
    [{ locale: 7 }, /options\.locale must be a string/],
    [{ strings: { title: 1 } }, /options\.strings\.title must be a string/],
    [{ strings: { titel: 'x' } }, /unknown string "strings\.titel"/],
    [{ strings: null }, /options\.strings must be an object/],
    [{ document: {} }, /options\.document must be a Document/],
    [{ container: 'body' }, /options\.container must be an Element/],
  ])('%j throws a TypeError naming it', (options, message) => {
    expect(() => createConsentDialog(options as never)).toThrow(TypeError);
    expect(() => createConsentDialog(options as never)).toThrow(message);
  });
});
