import type { Transport, Visitor } from '@beckon/core';
import { wirePage } from '@beckon/ui-dom';
import { cartCount } from './cart.js';
import { type Chrome, mountChrome, type PageName } from './chrome.js';
import { type ConfigEnvironment, type DemoConfig, loadConfig } from './demoConfig.js';
import {
  type ConsentMode,
  connectDemoVisitor,
  createDemoVisitor,
  demoCobrowse,
  demoPush,
} from './demoVisitor.js';
import { h } from './dom.js';
import { mountPushToggle } from './pushToggle.js';
import { mountStatusPill } from './statusPill.js';
import { readVisitorId, saveVisitorId, VISITOR_ID_KEY } from './visitorId.js';

/** Options of {@link startDemoPage}. */
export interface StartDemoPageOptions {
  page: PageName;
  /** `'custom'` for a page with its own consent UI (the React help page). Default `'dialog'`. */
  consent?: ConsentMode;
  /** For tests: replaces the WebSocket transport. */
  transport?: Transport;
  /** For tests: replaces the page's config sources. */
  configEnvironment?: ConfigEnvironment;
}

/** A started page: its visitor and what it was configured with. */
export interface DemoPage {
  readonly visitor: Visitor;
  readonly config: DemoConfig;
  readonly chrome: Chrome;
  /** The visitor ID in use now (the tester can change it). */
  visitorId(): string;
  /**
   * Re-sends this page's presence (`url`, `title`, `c_cart`) for changes that are not
   * navigations, such as adding to the cart: `wirePage`'s `refresh()`, so it is throttled
   * like navigation and sent only while connected and holding focus (a cart changed from
   * a background tab must not take focus from the tab the visitor is using).
   */
  refreshPresence(): void;
  /** Disconnects and removes everything the page set up. */
  stop(): void;
}

/**
 * Sets a page up: header and status pill at once, then (after loading the config) the
 * visitor — default consent dialog or custom consent, `wirePage` for visibility, focus
 * reclaiming and presence with `c_cart`, the session banner — signed in with the stored
 * visitor ID (or `?visitor=…`, which is then stored) and connected. A visitor ID changed in
 * this tab or another one switches the visitor over without a reload.
 *
 * @example
 * const { visitor } = await startDemoPage({ page: 'products' });
 */
export async function startDemoPage(options: StartDemoPageOptions): Promise<DemoPage> {
  const doc = document;
  const win = window;
  const consent = options.consent ?? 'dialog';

  const fromQuery = new URLSearchParams(win.location.search).get('visitor');
  let visitorId = readVisitorId();
  if (fromQuery !== null) {
    const saved = saveVisitorId(fromQuery);
    if (saved.ok) visitorId = saved.visitorId;
    else console.warn(`beckon demo: ?visitor= ignored: ${saved.reason}`);
  }

  let visitor: Visitor | undefined;
  const switchTo = (next: string) => {
    if (next === visitorId) return;
    visitorId = next;
    chrome.setVisitorId(next);
    if (!visitor) return;
    // A session belongs to the visitor it was started for; so does a push subscription:
    // another visitor ID is another user, as after a logout.
    if (visitor.getSnapshot().terms === 'session') visitor.endSession('visitor changed');
    visitor.disconnect({ logout: true });
    connectDemoVisitor(visitor, { groupId: config.groupId, visitorId: next, consent });
  };
  const chrome = mountChrome({
    page: options.page,
    visitorId,
    document: doc,
    onChangeVisitorId: (next) => {
      const saved = saveVisitorId(next);
      if (saved.ok) switchTo(saved.visitorId);
    },
  });
  // Placeholder until the visitor exists: the same test IDs, nothing connected yet.
  chrome.status.replaceChildren(
    h(
      'div',
      { class: 'status', 'data-testid': 'status-pill', 'data-connection': 'uninitialized' },
      [
        h('span', { class: 'status__dot', 'aria-hidden': 'true' }),
        h('span', { 'data-testid': 'connection-status' }, ['uninitialized']),
        h('span', { 'data-testid': 'focus-status', 'data-focused': 'false' }, ['not connected']),
      ],
    ),
  );

  const config = await loadConfig(options.configEnvironment);
  for (const warning of config.warnings) console.warn(`beckon demo config: ${warning}`);

  // A test's transport reaches no real service, so it gets no session channel either.
  const session = options.transport ? undefined : demoCobrowse(config);
  const push = options.transport ? undefined : demoPush();
  visitor = createDemoVisitor({
    config,
    visible: doc.visibilityState !== 'hidden',
    ...(options.transport && { transport: options.transport }),
    ...(session && { session }),
    ...(push && { push }),
  });
  const v = visitor;
  const wiring = wirePage(v, { extra: () => ({ c_cart: String(cartCount()) }) });
  const cleanups = [mountStatusPill(chrome.status, v), wiring];
  // The next page of a tab that was sharing shares on: same key, no second consent.
  if (session) cleanups.push(session.resume(v));
  const onStorage = (event: StorageEvent) => {
    if (event.key !== VISITOR_ID_KEY) return;
    switchTo(readVisitorId());
  };
  win.addEventListener('storage', onStorage);
  cleanups.push(() => win.removeEventListener('storage', onStorage));

  connectDemoVisitor(v, { groupId: config.groupId, visitorId, consent });
  // After connect({ pushNotifications: true }): the switch may turn push back on at once.
  if (push) cleanups.push(mountPushToggle(chrome.push, v, push));

  const page: DemoPage = {
    visitor: v,
    config,
    chrome,
    visitorId: () => visitorId,
    refreshPresence: () => wiring.refresh(),
    stop() {
      for (const cleanup of cleanups.reverse()) cleanup();
      v.disconnect();
      chrome.destroy();
    },
  };
  // For poking at it from DevTools (and end-to-end tests): `beckonDemo.visitor.getSnapshot()`.
  (win as { beckonDemo?: DemoPage }).beckonDemo = page;
  return page;
}
