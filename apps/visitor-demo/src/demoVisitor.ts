/** The demo's visitor: WebSockets, the page wiring of `@beckon/ui-dom`, co-browse and Web Push. */

import { type CobrowseSession, cobrowseSession } from '@beckon/cobrowse';
import { type Clock, createVisitor, type Transport, type Visitor } from '@beckon/core';
import { webSocketTransport } from '@beckon/transport-ws';
import { createConsentDialog, type WebPush, webPush } from '@beckon/ui-dom';
import type { DemoConfig } from './demoConfig.js';

/** Options of {@link createDemoVisitor}. */
export interface DemoVisitorOptions {
  config: Pick<DemoConfig, 'serverUrl'>;
  /** Default `webSocketTransport({ url: config.serverUrl })`; tests pass the mock's. */
  transport?: Transport;
  clock?: Clock;
  visible?: boolean;
  /** What runs during a session: the page's co-browse session (`demoCobrowse`); none in unit tests. */
  session?: CobrowseSession;
  /** Web Push (`demoPush()`); none in unit tests. */
  push?: WebPush;
}

/**
 * The demo's visitor: WebSockets to the configured service and `@beckon/ui-dom`'s default
 * consent dialog as its UI (a page with its own consent UI turns it off after connecting).
 *
 * @example
 * const visitor = createDemoVisitor({ config: await loadConfig() });
 */
export function createDemoVisitor(options: DemoVisitorOptions): Visitor {
  return createVisitor({
    transport: options.transport ?? webSocketTransport({ url: options.config.serverUrl }),
    ui: createConsentDialog({ strings: { requester: 'A Beckon Outfitters support agent' } }),
    ...(options.clock && { clock: options.clock }),
    ...(options.visible !== undefined && { visible: options.visible }),
    ...(options.session && { session: options.session }),
    ...(options.push && { push: options.push }),
  });
}

/** Where the demo's service worker is: `sw.js` next to the pages, Beckon's worker code alone. */
export const SERVICE_WORKER_URL = './sw.js';

/**
 * The demo's Web Push: its service worker ({@link SERVICE_WORKER_URL}) is the built
 * `beckon-sw.js` of `@beckon/ui-dom`, which shows the service's wake-up notification and
 * brings the shop back on a click.
 *
 * @example
 * const visitor = createDemoVisitor({ config, push: demoPush() });
 */
export function demoPush(): WebPush {
  return webPush({ serviceWorker: SERVICE_WORKER_URL });
}

/**
 * The demo's co-browse session: the page is streamed to the agent with Beckon's default
 * privacy rules — every field masked except the product search (marked
 * `data-beckon-unmask`), the saved payment method on the cart page left out
 * (`data-beckon-private`) — with the Stop banner. The session endpoint is the one next to
 * the presence service.
 *
 * @example
 * const session = demoCobrowse(await loadConfig());
 */
export function demoCobrowse(config: Pick<DemoConfig, 'serverUrl'>): CobrowseSession {
  return cobrowseSession({
    transport: webSocketTransport({ url: new URL('session', config.serverUrl) }),
  });
}

/** Which consent UI a page uses: the default dialog, or the page's own (default UI off). */
export type ConsentMode = 'dialog' | 'custom';

/**
 * Signs the visitor in and connects it; with `consent: 'custom'` it then turns the default
 * UI off, as the spec's custom-UI steps say ("after calling connect pass false").
 *
 * @example
 * connectDemoVisitor(visitor, { groupId: 'demo', visitorId: 'alice', consent: 'custom' });
 */
export function connectDemoVisitor(
  visitor: Visitor,
  ids: { groupId: string; visitorId: string; consent?: ConsentMode },
): void {
  visitor.init({ groupId: ids.groupId, visitorId: ids.visitorId });
  // The "notify me" switch turns push on when the visitor asks (enablePush()).
  visitor.connect({ pushNotifications: true });
  if (ids.consent === 'custom') visitor.setDefaultUI(false);
}
