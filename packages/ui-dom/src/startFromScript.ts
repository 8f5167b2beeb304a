import { createVisitor, type Visitor } from '@beckon/core';
import { checkId } from '@beckon/core/protocol';
import { webSocketTransport } from '@beckon/transport-ws';
import { createConsentDialog } from './createConsentDialog.js';
import { webPush } from './webPush.js';
import { wirePage } from './wirePage.js';

/** What the script-tag build puts on `window.Beckon`. */
export interface BeckonGlobal {
  /** The visitor the script's data attributes describe; `undefined` without them or when they are wrong. */
  visitor: Visitor | undefined;
  createVisitor: typeof createVisitor;
  createConsentDialog: typeof createConsentDialog;
  wirePage: typeof wirePage;
  webSocketTransport: typeof webSocketTransport;
  webPush: typeof webPush;
}

/** Options of {@link startFromScript}. */
export interface StartFromScriptOptions {
  /** Default: the global `window`. */
  window?: Window;
  /** Where attribute mistakes go. Default `console.error`. */
  reportError?: (message: string) => void;
}

const REQUIRED = ['data-group-id', 'data-visitor-id', 'data-server'] as const;

/**
 * Starts Beckon from a `<script>` tag's data attributes: `data-group-id`, `data-visitor-id`,
 * `data-server` (the service's ws(s) URL), and optionally `data-token`, `data-locale` and
 * `data-default-ui="false"`. It creates the visitor with the default consent dialog (unless
 * switched off), wires the page, and connects. Without any of the three required
 * attributes it only returns the API, for pages that set things up themselves. A wrong
 * attribute is reported, naming it, and nothing starts; it never throws, so one bad
 * attribute cannot break the page's other scripts.
 *
 * @example
 * // What the script-tag build runs:
 * window.Beckon = startFromScript(document.currentScript);
 */
export function startFromScript(
  script: Element | null | undefined,
  options: StartFromScriptOptions = {},
): BeckonGlobal {
  const api: BeckonGlobal = {
    visitor: undefined,
    createVisitor,
    createConsentDialog,
    wirePage,
    webSocketTransport,
    webPush,
  };
  const report = options.reportError ?? ((message: string) => console.error(message));
  const attr = (name: string) => script?.getAttribute(name) ?? undefined;
  if (REQUIRED.every((name) => attr(name) === undefined)) return api;

  const errors: string[] = [];
  for (const name of REQUIRED) {
    if (attr(name) === undefined) errors.push(`Beckon: the ${name} attribute is missing`);
  }
  const groupId = attr('data-group-id');
  const visitorId = attr('data-visitor-id');
  for (const [name, value] of [
    ['data-group-id', groupId],
    ['data-visitor-id', visitorId],
  ] as const) {
    const bad = value === undefined ? undefined : checkId(name, value);
    if (bad) errors.push(`Beckon: the ${name} attribute ${bad.reason}`);
  }

  let transport: ReturnType<typeof webSocketTransport> | undefined;
  const server = attr('data-server');
  if (server !== undefined) {
    try {
      transport = webSocketTransport({ url: server });
    } catch (error) {
      errors.push(
        `Beckon: the data-server attribute is not a usable WebSocket URL: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  const token = attr('data-token');
  if (token !== undefined && token.trim() === '') {
    errors.push('Beckon: the data-token attribute is empty; leave it out when there is no token');
  }

  const locale = attr('data-locale');
  if (locale !== undefined) {
    try {
      if (locale === '') throw new RangeError('empty');
      Intl.getCanonicalLocales(locale);
    } catch {
      errors.push(
        `Beckon: the data-locale attribute must be a language tag such as "de" or "fr-CA", got ${JSON.stringify(locale)}`,
      );
    }
  }

  const defaultUI = attr('data-default-ui');
  if (defaultUI !== undefined && defaultUI !== 'true' && defaultUI !== 'false') {
    errors.push(
      `Beckon: the data-default-ui attribute must be "true" or "false", got ${JSON.stringify(defaultUI)}`,
    );
  }

  if (errors.length > 0 || !transport || groupId === undefined || visitorId === undefined) {
    for (const message of errors) report(message);
    return api;
  }

  try {
    const win = options.window;
    const doc = (win ?? globalThis).document as Document | undefined;
    const visitor = createVisitor({
      transport,
      // A page opened in a background tab starts hidden; no sendFail for a correction.
      visible: doc?.visibilityState !== 'hidden',
      // The dialog is there even with data-default-ui="false", so the page can still turn
      // it on later with setDefaultUI(true).
      ui: createConsentDialog({
        ...(locale !== undefined && { locale }),
        ...(win && { document: win.document }),
      }),
      ...(token !== undefined && { token }),
    });
    if (defaultUI === 'false') visitor.setDefaultUI(false);
    visitor.init({ groupId, visitorId });
    wirePage(visitor, win ? { window: win } : {});
    visitor.connect();
    api.visitor = visitor;
  } catch (error) {
    report(`Beckon: could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  return api;
}
