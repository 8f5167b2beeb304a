import type { ConsentDecision, ConsentRequest, ConsentStrings, ConsentUI } from '@beckon/core';
import type { Shown } from './consentDialogView.js';

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
// The strings' names, checked against ConsentStrings by the compiler: the translations
// themselves come with the dialog, when it is loaded.
const stringKeys = new Set<string>(
  Object.keys({
    title: 1,
    requester: 1,
    message: 1,
    sessionKeyLabel: 1,
    termsLink: 1,
    opensInNewTab: 1,
    accept: 1,
    decline: 1,
    bannerViewing: 1,
    bannerWaiting: 1,
    bannerStop: 1,
  } satisfies Record<keyof ConsentStrings, 1>),
);

/** The default consent dialog: a {@link ConsentUI} whose code can be loaded ahead of need. */
export interface ConsentDialog extends ConsentUI {
  /**
   * Loads the dialog's code now rather than when the first request arrives, e.g. once the
   * page is idle. Resolves when it is loaded; rejects if it could not be.
   */
  preload(): Promise<void>;
}

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

type DialogModule = typeof import('./consentDialogView.js');

// One load per page, shared by every dialog.
let loaded: DialogModule | undefined;
let loading: Promise<DialogModule> | undefined;

function loadView(): Promise<DialogModule> {
  loading ??= import('./consentDialogView.js').then(
    (view) => {
      loaded = view;
      return view;
    },
    (error: unknown) => {
      // A failed load (the network dropped) may succeed on the next request.
      loading = undefined;
      throw new Error(`createConsentDialog: the dialog could not be loaded: ${messageOf(error)}`);
    },
  );
  return loading;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

// Focus can sit inside shadow roots; follow them down to the element that really has it.
function deepActiveElement(doc: Document): Element | null {
  let active = doc.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
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
 * The dialog's code is loaded on demand: a page carries only this small part until the
 * first request arrives (`preload()` fetches it sooner). `show` still answers at once with
 * the function that hides the dialog; hiding it before the code arrived cancels the
 * dialog, and a newer request replaces one still loading.
 *
 * `show` throws when there is no document (server-side rendering, workers), and reports
 * through `fail` when the code cannot be loaded or the dialog not opened; either way core
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
export function createConsentDialog(options: ConsentDialogOptions = {}): ConsentDialog {
  assertOptions(options);
  let current: Shown | undefined;

  const show = (
    request: ConsentRequest,
    respond: (decision: ConsentDecision) => void,
    fail?: (reason: string) => void,
    displayed?: () => void,
  ) => {
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
    let returnFocusTo = previous ? previous.returnFocusTo : deepActiveElement(doc);
    previous?.teardown(false);

    // Stands for the dialog from now on, loaded or not: hiding it before the code arrived
    // cancels the dialog.
    let shown: Shown | undefined;
    let over = false;
    const slot: Shown = {
      get returnFocusTo() {
        return returnFocusTo;
      },
      teardown(restoreFocus) {
        over = true;
        if (current === slot) current = undefined;
        shown?.teardown(restoreFocus);
      },
    };
    const open = (view: DialogModule) =>
      view.openConsentDialog({
        doc,
        parent,
        request,
        respond,
        options,
        returnFocusTo,
        onGone: () => {
          over = true;
          if (current === slot) current = undefined;
        },
      });
    current = slot;
    if (loaded) {
      // Loaded already: open now, as a dialog always did (a failure throws, to core).
      try {
        shown = open(loaded);
      } catch (error) {
        slot.teardown(false);
        throw error;
      }
      displayed?.();
    } else {
      loadView()
        .then((view) => {
          if (over) return;
          // The visitor may have moved on while the code loaded: focus goes back to where
          // they are when the dialog opens.
          if (!previous) returnFocusTo = deepActiveElement(doc);
          shown = open(view);
          displayed?.();
        })
        .catch((error: unknown) => {
          if (over) return;
          slot.teardown(false);
          const reason = messageOf(error);
          // Core always passes fail; a direct caller without one must still hear of it.
          if (fail) fail(reason);
          else console.error(reason);
        });
    }
    return () => slot.teardown(true);
  };

  return { show, reportsDisplay: true, preload: () => loadView().then(() => undefined) };
}
