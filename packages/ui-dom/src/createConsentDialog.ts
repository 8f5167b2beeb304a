import {
  type ConsentDecision,
  type ConsentRequest,
  type ConsentStrings,
  type ConsentUI,
  consentStrings,
  pickConsentLocale,
  resolveConsentStrings,
  safeTermsUrl,
} from '@beckon/core';
import { dialogStyles } from './dialogStyles.js';

/** Options of {@link createConsentDialog}. */
export interface ConsentDialogOptions {
  /**
   * The language, as a BCP 47 tag (`'de'`, `'fr-CA'`). Default: `navigator.language`.
   * Languages not shipped fall back to English.
   */
  locale?: string;
  /** Texts replacing the chosen language's, one by one. */
  strings?: Partial<ConsentStrings>;
  /** The document to render into. Default: the global `document` at the time of `show`. */
  document?: Document;
  /** Where the dialog's host element goes. Default: the document's `body`. */
  container?: Element;
}

const optionKeys = new Set(['locale', 'strings', 'document', 'container']);
const stringKeys = new Set<string>(Object.keys(consentStrings.en));

/** The tag of the host element; unregistered, so it is a plain element no page code owns. */
export const CONSENT_DIALOG_TAG = 'beckon-consent-dialog';

// Setup mistakes are the developer's, found at start-up: throw, with the option named.
function assertOptions(options: ConsentDialogOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createConsentDialog: options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!optionKeys.has(key)) throw new TypeError(`createConsentDialog: unknown option "${key}"`);
  }
  if (options.locale !== undefined && typeof options.locale !== 'string') {
    throw new TypeError('createConsentDialog: options.locale must be a string such as "de"');
  }
  const { strings } = options;
  if (strings !== undefined) {
    if (typeof strings !== 'object' || strings === null) {
      throw new TypeError('createConsentDialog: options.strings must be an object');
    }
    for (const [key, value] of Object.entries(strings)) {
      if (!stringKeys.has(key)) {
        throw new TypeError(`createConsentDialog: unknown string "strings.${key}"`);
      }
      if (typeof value !== 'string') {
        throw new TypeError(`createConsentDialog: options.strings.${key} must be a string`);
      }
    }
  }
  if (options.document !== undefined && typeof options.document?.createElement !== 'function') {
    throw new TypeError('createConsentDialog: options.document must be a Document');
  }
  if (options.container !== undefined && typeof options.container?.append !== 'function') {
    throw new TypeError('createConsentDialog: options.container must be an Element');
  }
}

type Attrs = Record<string, string>;

function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Attrs = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  // Text goes in as text nodes, never as markup: request data comes from the network.
  node.append(...children);
  return node;
}

// A screen with a cursor; built node by node so pages enforcing Trusted Types work too.
function screenIcon(doc: Document): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  for (const [k, v] of Object.entries({
    viewBox: '0 0 24 24',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '1.8',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
  })) {
    svg.setAttribute(k, v);
  }
  for (const d of [
    'M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z',
    'M8 21h8',
    'M12 17v4',
    'M10 8.5l5 2.5-2.2.7-.8 2.3z',
  ]) {
    const path = doc.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

function adoptStyles(doc: Document, root: ShadowRoot): void {
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  // A constructed stylesheet is not subject to a page's `style-src` CSP; <style> is the fallback.
  try {
    if (view?.CSSStyleSheet && 'adoptedStyleSheets' in root) {
      const sheet = new view.CSSStyleSheet();
      sheet.replaceSync(dialogStyles);
      root.adoptedStyleSheets = [sheet];
      return;
    }
  } catch {
    // Fall through to a <style> element.
  }
  root.append(element(doc, 'style', {}, [dialogStyles]));
}

// Focus can sit inside shadow roots; follow them down to the element that really has it.
function deepActiveElement(doc: Document): Element | null {
  let active = doc.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

interface Shown {
  /** Removes the dialog; returns focus only if it was inside. */
  teardown(restoreFocus: boolean): void;
  /** Where focus goes back to once the visitor answered. */
  readonly returnFocusTo: Element | null;
}

/**
 * Creates the default consent dialog ("Default UI"): a native modal `<dialog>` in a shadow
 * root, so page styles and the dialog's styles never mix. It shows who asks, the session
 * key, a link to the terms page (opened in a new tab; only `http(s)` or relative URLs),
 * and Accept and Decline. It is keyboard-usable: focus moves to Decline (the least
 * consequential answer, so a reflexive Enter never starts a screen share), Tab cycles
 * inside, Escape declines, and focus returns to where it was. Themable with `--beckon-*` CSS
 * custom properties and `::part()`; English, German and French are shipped.
 *
 * `show` throws when there is no document (server-side rendering, workers); core then
 * hands the request to the app as a `showTerms` event instead of losing it.
 *
 * @example
 * import { createVisitor } from '@beckon/core';
 * import { webSocketTransport } from '@beckon/transport-ws';
 * import { createConsentDialog } from '@beckon/ui-dom';
 *
 * const visitor = createVisitor({
 *   transport: webSocketTransport({ url: 'wss://presence.example.com/' }),
 *   ui: createConsentDialog({ strings: { requester: 'The Acme support team' } }),
 * });
 */
export function createConsentDialog(options: ConsentDialogOptions = {}): ConsentUI {
  assertOptions(options);
  let current: Shown | undefined;

  const show = (request: ConsentRequest, respond: (decision: ConsentDecision) => void) => {
    const doc = options.document ?? (globalThis as { document?: Document }).document;
    if (!doc || typeof doc.createElement !== 'function') {
      throw new Error(
        'createConsentDialog: no document to show the consent dialog in (not a browser page?)',
      );
    }
    const parent = options.container ?? doc.body ?? doc.documentElement;
    if (!parent) throw new Error('createConsentDialog: the document has no body to show it in');

    // A second request replaces the first, but focus must still go back to where the
    // visitor was before any dialog, not into the one being replaced.
    const previous = current;
    const returnFocusTo = previous ? previous.returnFocusTo : deepActiveElement(doc);
    previous?.teardown(false);

    const navigatorLanguage = (doc.defaultView?.navigator ?? globalThis.navigator)?.language;
    const locale = pickConsentLocale(options.locale ?? navigatorLanguage);
    const strings: ConsentStrings = resolveConsentStrings(locale, options.strings);

    const host = doc.createElement(CONSENT_DIALOG_TAG);
    const root = host.attachShadow({ mode: 'open' });
    adoptStyles(doc, root);

    const title = element(doc, 'h2', { id: 'beckon-title', part: 'title' }, [strings.title]);
    const message = element(doc, 'p', { id: 'beckon-message', part: 'message' }, [strings.message]);
    const key = element(doc, 'p', { id: 'beckon-key', class: 'key', part: 'session-key' }, [
      `${strings.sessionKeyLabel}: `,
      element(doc, 'code', {}, [request.sessionKey]),
    ]);
    const href = safeTermsUrl(request.termsUrl);
    const link = href
      ? element(
          doc,
          'a',
          { href, target: '_blank', rel: 'noopener noreferrer', part: 'terms-link' },
          [
            strings.termsLink,
            ' ',
            element(doc, 'span', { class: 'sr-only' }, [strings.opensInNewTab]),
          ],
        )
      : undefined;
    const decline = element(doc, 'button', { type: 'button', class: 'decline', part: 'decline' }, [
      strings.decline,
    ]);
    const accept = element(doc, 'button', { type: 'button', class: 'accept', part: 'accept' }, [
      strings.accept,
    ]);
    const dialog = element(
      doc,
      'dialog',
      {
        part: 'dialog',
        lang: options.locale ?? locale,
        'aria-labelledby': 'beckon-title',
        'aria-describedby': 'beckon-message beckon-key',
      },
      [
        element(doc, 'div', { class: 'icon', 'aria-hidden': 'true' }, [screenIcon(doc)]),
        title,
        message,
        key,
        ...(link ? [element(doc, 'p', {}, [link])] : []),
        element(doc, 'div', { class: 'actions' }, [decline, accept]),
      ],
    );
    root.append(dialog);

    const focusables = (): HTMLElement[] => (link ? [link, decline, accept] : [decline, accept]);
    let done = false;

    const decide = (decision: ConsentDecision) => {
      if (done) return;
      teardown(true);
      respond(decision);
    };

    const onKeydown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        // Browsers without a native modal dialog send no `cancel`; Escape still declines.
        event.preventDefault();
        decide('declined');
        return;
      }
      if (event.key !== 'Tab') return;
      // The native modal keeps focus in the page, but Tab can still reach the browser's
      // own UI; wrap around instead so keyboard users cycle through the dialog.
      const items = focusables();
      const active = root.activeElement;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const index = items.indexOf(active as HTMLElement);
      if (index === -1) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      } else if (event.shiftKey && active === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    };
    // Escape on a native modal dialog: a `cancel` event. It is a decline, not a dismissal.
    const onCancel = (event: Event) => {
      event.preventDefault();
      decide('declined');
    };
    // Closed by anything but us (dialog.close() from page code, a forced close): decline,
    // so the agent is never left waiting on a dialog nobody can see.
    const onClose = () => decide('declined');
    // Without a native modal nothing makes the page inert: focus that leaves for the page
    // comes back. Other Beckon dialogs are left alone, so two can never fight over focus.
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target as Element | null;
      if (!done && target?.localName !== CONSENT_DIALOG_TAG) decline.focus();
    };
    const onAccept = () => decide('accepted');
    const onDecline = () => decide('declined');

    const teardown = (restoreFocus: boolean) => {
      if (done) return;
      done = true;
      if (current === shown) current = undefined;
      dialog.removeEventListener('keydown', onKeydown);
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onClose);
      doc.removeEventListener('focusin', onFocusIn);
      accept.removeEventListener('click', onAccept);
      decline.removeEventListener('click', onDecline);
      const active = doc.activeElement;
      const focusWasInside = active === host || active === null || active === doc.body;
      try {
        if (dialog.open && typeof dialog.close === 'function') dialog.close();
      } catch {
        // Already closing; removing it below ends it either way.
      }
      host.remove();
      if (
        restoreFocus &&
        focusWasInside &&
        returnFocusTo?.isConnected &&
        typeof (returnFocusTo as HTMLElement).focus === 'function'
      ) {
        (returnFocusTo as HTMLElement).focus({ preventScroll: true });
      }
    };
    const shown: Shown = { teardown, returnFocusTo };

    dialog.addEventListener('keydown', onKeydown);
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onClose);
    accept.addEventListener('click', onAccept);
    decline.addEventListener('click', onDecline);

    parent.append(host);
    const nativeModal = typeof dialog.showModal === 'function';
    try {
      if (nativeModal) dialog.showModal();
      else dialog.setAttribute('open', '');
    } catch (error) {
      done = true;
      host.remove();
      throw new Error(
        `createConsentDialog: the dialog could not be opened: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!nativeModal) doc.addEventListener('focusin', onFocusIn);
    // The least consequential answer gets focus (WAI-ARIA dialog pattern for consequential
    // confirmations): Enter pressed by reflex declines instead of starting a screen share.
    decline.focus();
    current = shown;
    return () => teardown(true);
  };

  return { show };
}
