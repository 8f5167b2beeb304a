/**
 * The default consent dialog itself: its DOM, styles, strings and keyboard handling. It is
 * loaded on demand: `createConsentDialog` imports it when the first request arrives (or
 * on `preload()`), so a page that was never asked carries none of it.
 */
import {
  type ConsentDecision,
  type ConsentRequest,
  type ConsentStrings,
  pickConsentLocale,
  resolveConsentStrings,
  safeTermsUrl,
} from '@beckon/core';
import { CONSENT_DIALOG_TAG, type ConsentDialogOptions } from './createConsentDialog.js';
import { dialogStyles } from './dialogStyles.js';

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

/** A dialog on screen (or one on its way, see createConsentDialog.ts). */
export interface Shown {
  /** Removes the dialog; returns focus only if it was inside. */
  teardown(restoreFocus: boolean): void;
  /** Where focus goes back to once the visitor answered. */
  readonly returnFocusTo: Element | null;
}

/** What {@link openConsentDialog} needs: where, what, and whom to tell. */
export interface DialogSetup {
  doc: Document;
  parent: Element;
  request: ConsentRequest;
  respond: (decision: ConsentDecision) => void;
  options: ConsentDialogOptions;
  returnFocusTo: Element | null;
  /** Called once the dialog is gone, whoever removed it. */
  onGone: () => void;
}

/**
 * Renders and opens the dialog for one request; throws when it cannot be opened.
 *
 * @example
 * const shown = openConsentDialog({ doc: document, parent: document.body, request, respond,
 *   options: {}, returnFocusTo: null, onGone: () => {} });
 * shown.teardown(true);
 */
export function openConsentDialog(setup: DialogSetup): Shown {
  const { doc, parent, request, respond, options, returnFocusTo } = setup;
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
    setup.onGone();
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
  return shown;
}
