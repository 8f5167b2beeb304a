/**
 * Everything the demo's pages share: the runtime config, the visitor ID the tester picks,
 * the visitor itself (connected over WebSockets, wired to the page with `@beckon/ui-dom`),
 * and the page chrome that shows what it is doing — header, status pill, session banner.
 * Each page's own script only calls {@link startDemoPage} and renders its content.
 */

import { type CobrowseSession, cobrowseSession } from '@beckon/cobrowse';
import {
  type Clock,
  type ConnectionStatus,
  createVisitor,
  type Transport,
  type Visitor,
  type VisitorState,
} from '@beckon/core';
import { checkId } from '@beckon/core/protocol';
import { webSocketTransport } from '@beckon/transport-ws';
import { createConsentDialog, type WebPush, webPush, wirePage } from '@beckon/ui-dom';
import { cartCount, onCartChange } from './cart.js';
import { h } from './dom.js';
import { mountPushToggle } from './pushToggle.js';
import {
  type KeyValueStorage,
  persistentStorage,
  readJson,
  tabStorage,
  writeJson,
} from './storage.js';

// ---------------------------------------------------------------------------------------
// Runtime config
// ---------------------------------------------------------------------------------------

/** Where the presence service is, as the page found out. */
export interface DemoConfig {
  /** The presence service's WebSocket URL. */
  serverUrl: string;
  groupId: string;
  /** Where each value came from. */
  sources: { serverUrl: ConfigSource; groupId: ConfigSource };
  /** Values that were given but unusable, and why: shown in the console. */
  warnings: string[];
}

/**
 * `file`: `./beckon-config.json` (written by `pnpm start`); `query`: `?server=…&group=…` on
 * this page or an earlier one in this tab; `default`: port 8080 on this page's host.
 */
export type ConfigSource = 'file' | 'query' | 'default';

/** The runtime config file, relative to the page. */
export const CONFIG_FILE = './beckon-config.json';
/** Query parameters from an earlier page of this tab, so they survive navigation. */
export const QUERY_CONFIG_KEY = 'beckon-demo:query-config';
const CONFIG_TIMEOUT_MS = 5000;

/** What {@link loadConfig} reads from; all default to the page's own. */
export interface ConfigEnvironment {
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  location?: Pick<Location, 'href' | 'hostname' | 'search'>;
  /** Remembers `?server=` / `?group=` for the rest of this tab's pages. */
  storage?: KeyValueStorage;
}

function checkServerUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'must be a non-empty string';
  try {
    const url = new URL(value);
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
      return `must be a ws:, wss:, http: or https: URL, not ${url.protocol}`;
    }
    if (url.hash) return 'must not have a #fragment';
    return undefined;
  } catch {
    return 'is not a valid absolute URL';
  }
}

function checkGroupId(value: unknown): string | undefined {
  return checkId('groupId', value)?.reason;
}

async function fetchConfigFile(env: Required<ConfigEnvironment>): Promise<unknown> {
  const url = new URL(CONFIG_FILE, env.location.href).href;
  // A server that never answers must not keep the page from connecting.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CONFIG_TIMEOUT_MS);
  try {
    const response = await env.fetch(url, { cache: 'no-store', signal: controller.signal });
    if (!response.ok) return undefined;
    // `vite dev` answers unknown paths with a page, not a 404: only JSON counts.
    const text = await response.text();
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Finds the presence service for this page. Each value is taken from the first source that
 * has a usable one: `./beckon-config.json` (what `pnpm start` serves), then the query
 * parameters `?server=…&group=…` (remembered for the tab's later pages), then the
 * defaults `ws://<this host>:8080/` and group `demo`. A value that is there but unusable
 * (not a ws/http URL, not a valid group ID) is skipped with a warning, never used.
 *
 * @example
 * const config = await loadConfig();
 * const visitor = createDemoVisitor({ config });
 */
export async function loadConfig(env: ConfigEnvironment = {}): Promise<DemoConfig> {
  const full: Required<ConfigEnvironment> = {
    fetch: env.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    location: env.location ?? globalThis.location,
    storage: env.storage ?? tabStorage(),
  };
  const warnings: string[] = [];
  const file = ((await fetchConfigFile(full)) ?? {}) as Record<string, unknown>;

  const params = new URLSearchParams(full.location.search);
  const remembered = readJson(full.storage, QUERY_CONFIG_KEY) as
    | { server?: unknown; group?: unknown }
    | undefined;
  const fromQuery = (name: 'server' | 'group'): unknown =>
    params.get(name) ?? (typeof remembered === 'object' ? remembered?.[name] : undefined);
  const query = { server: fromQuery('server'), group: fromQuery('group') };

  const pick = (
    name: string,
    candidates: [ConfigSource, unknown][],
    check: (value: unknown) => string | undefined,
  ): [string, ConfigSource] | undefined => {
    for (const [source, value] of candidates) {
      if (value === undefined || value === null) continue;
      const problem = check(value);
      if (problem === undefined) return [value as string, source];
      warnings.push(`${name} from ${source} ${problem}: ${JSON.stringify(value)}`);
    }
    return undefined;
  };

  const host = full.location.hostname || '127.0.0.1';
  const [serverUrl, serverSource] = pick(
    'serverUrl',
    [
      ['file', file.serverUrl],
      ['query', query.server],
    ],
    checkServerUrl,
  ) ?? [`ws://${host}:8080/`, 'default'];
  const [groupId, groupSource] = pick(
    'groupId',
    [
      ['file', file.groupId],
      ['query', query.group],
    ],
    checkGroupId,
  ) ?? ['demo', 'default'];

  // The next page of this tab has no query string: keep what this one was given.
  if (params.has('server') || params.has('group')) {
    writeJson(full.storage, QUERY_CONFIG_KEY, {
      ...(query.server !== undefined && { server: query.server }),
      ...(query.group !== undefined && { group: query.group }),
    });
  }
  return {
    serverUrl,
    groupId,
    sources: { serverUrl: serverSource, groupId: groupSource },
    warnings,
  };
}

// ---------------------------------------------------------------------------------------
// Visitor ID
// ---------------------------------------------------------------------------------------

/** The `localStorage` key of the visitor ID: shared by all tabs, for the focus demo. */
export const VISITOR_ID_KEY = 'beckon-demo:visitor-id';
/** The visitor ID until the tester picks another. */
export const DEFAULT_VISITOR_ID = 'demo-visitor';

/**
 * Why a visitor ID cannot be used (the protocol's ID rule), or `undefined` when it can.
 *
 * @example
 * visitorIdProblem('alice-42'); // undefined
 * visitorIdProblem('a b');      // 'may only contain letters, digits, "_", "~" and "-"'
 */
export function visitorIdProblem(id: unknown): string | undefined {
  return checkId('visitorId', id)?.reason;
}

/**
 * The visitor ID picked in this browser, or {@link DEFAULT_VISITOR_ID} when none (or an
 * invalid one) is stored.
 *
 * @example
 * readVisitorId(); // 'demo-visitor'
 */
export function readVisitorId(storage: KeyValueStorage = persistentStorage()): string {
  let stored: string | null = null;
  try {
    stored = storage.getItem(VISITOR_ID_KEY);
  } catch {
    // Unreadable storage: the default, as on a first visit.
  }
  return stored !== null && visitorIdProblem(stored) === undefined ? stored : DEFAULT_VISITOR_ID;
}

/**
 * Stores a visitor ID for every tab of the demo, after trimming it; an invalid one is
 * refused with the reason and nothing is stored.
 *
 * @example
 * saveVisitorId(' alice ');  // { ok: true, visitorId: 'alice' }
 * saveVisitorId('a b');      // { ok: false, reason: '…' }
 */
export function saveVisitorId(
  id: string,
  storage: KeyValueStorage = persistentStorage(),
): { ok: true; visitorId: string } | { ok: false; reason: string } {
  const visitorId = typeof id === 'string' ? id.trim() : id;
  const problem = visitorIdProblem(visitorId);
  if (problem !== undefined) return { ok: false, reason: `The visitor ID ${problem}.` };
  try {
    storage.setItem(VISITOR_ID_KEY, visitorId);
  } catch {
    // Storage refused: still use it on this page, other tabs just will not follow.
  }
  return { ok: true, visitorId };
}

// ---------------------------------------------------------------------------------------
// The visitor
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Page chrome: header, status pill, session banner
// ---------------------------------------------------------------------------------------

/** The demo's pages, as named in `nav-<page>` test IDs. */
export type PageName = 'home' | 'products' | 'product' | 'cart' | 'help';

const NAV: readonly { page: Exclude<PageName, 'product'>; href: string; label: string }[] = [
  { page: 'home', href: './', label: 'Home' },
  { page: 'products', href: 'products.html', label: 'Products' },
  { page: 'cart', href: 'cart.html', label: 'Cart' },
  { page: 'help', href: 'help.html', label: 'Help' },
];

function logo(doc: Document): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'brand__logo');
  const sky = doc.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({ width: '32', height: '32', rx: '8', fill: '#0f766e' })) {
    sky.setAttribute(k, v);
  }
  const peaks = doc.createElementNS(ns, 'path');
  peaks.setAttribute('d', 'M4 25 L12.5 11 L17 18 L20 13.5 L28 25 Z');
  peaks.setAttribute('fill', '#ecfdf5');
  const sun = doc.createElementNS(ns, 'circle');
  for (const [k, v] of Object.entries({ cx: '23', cy: '8.5', r: '2.5', fill: '#fcd34d' })) {
    sun.setAttribute(k, v);
  }
  svg.append(sky, peaks, sun);
  return svg;
}

/** The shared header, with the parts later code fills in. */
export interface Chrome {
  /** Where the "notify me when support calls" switch goes. */
  readonly push: HTMLElement;
  /** Where the status pill goes. */
  readonly status: HTMLElement;
  setVisitorId(id: string): void;
  destroy(): void;
}

/**
 * Renders the header into `#site-header` (created if missing): brand, navigation with the
 * cart count, "Signed in as … (change)" and an empty status slot.
 *
 * @example
 * const chrome = mountChrome({ page: 'cart', visitorId: 'alice', onChangeVisitorId: switchTo });
 */
export function mountChrome(options: {
  page: PageName;
  visitorId: string;
  /** Called with a valid new ID from the change form; it has not been saved yet. */
  onChangeVisitorId: (id: string) => void;
  document?: Document;
}): Chrome {
  const doc = options.document ?? document;
  const win = doc.defaultView ?? window;
  const e = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Parameters<typeof h>[1] = {},
    children: Parameters<typeof h>[2] = [],
  ) => h(tag, attrs, children, doc);

  let header = doc.getElementById('site-header');
  if (!header) {
    header = e('header', { id: 'site-header' });
    doc.body.prepend(header);
  }
  header.classList.add('site-header');
  header.replaceChildren();

  const cartBadge = e('span', { class: 'badge', 'data-testid': 'cart-count' }, ['0']);
  const nav = e(
    'nav',
    { class: 'site-nav', 'aria-label': 'Main' },
    NAV.map(({ page, href, label }) =>
      e(
        'a',
        {
          href,
          'data-testid': `nav-${page}`,
          'aria-current':
            page === options.page || (page === 'products' && options.page === 'product')
              ? 'page'
              : undefined,
        },
        page === 'cart' ? [label, ' ', cartBadge] : [label],
      ),
    ),
  );
  const showCount = () => {
    const count = cartCount();
    cartBadge.textContent = String(count);
    cartBadge.dataset.count = String(count);
  };
  showCount();
  const offCart = onCartChange(showCount, win);

  // --- Signed in as … (change) ------------------------------------------------------------
  const idText = e('strong', { 'data-testid': 'visitor-id' }, [options.visitorId]);
  const change = e(
    'button',
    { type: 'button', class: 'link-button', 'data-testid': 'change-visitor' },
    ['change'],
  );
  const shown = e('span', { class: 'account__shown' }, [
    e('span', { class: 'account__label' }, ['Signed in as ']),
    idText,
    ' (',
    change,
    ')',
  ]);
  const inputId = 'visitor-id-input';
  const input = e('input', {
    id: inputId,
    name: 'visitorId',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 62,
    required: true,
    'aria-describedby': 'visitor-id-help',
    'data-testid': 'visitor-id-input',
  });
  const error = e('span', { class: 'account__error', role: 'alert', id: 'visitor-id-help' });
  const cancel = e('button', { type: 'button', class: 'button button--ghost button--small' }, [
    'Cancel',
  ]);
  const form = e(
    'form',
    { class: 'account__form', hidden: true, 'aria-label': 'Change visitor ID' },
    [
      e('label', { for: inputId }, ['Visitor ID']),
      input,
      e(
        'button',
        { type: 'submit', class: 'button button--small', 'data-testid': 'visitor-id-save' },
        ['Save'],
      ),
      cancel,
      error,
    ],
  );
  const editing = (on: boolean) => {
    form.hidden = !on;
    shown.hidden = on;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (on) {
      input.value = idText.textContent ?? '';
      input.focus();
      input.select();
    } else {
      change.focus();
    }
  };
  change.addEventListener('click', () => editing(true));
  cancel.addEventListener('click', () => editing(false));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') editing(false);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = input.value.trim();
    const problem = visitorIdProblem(next);
    if (problem !== undefined) {
      error.textContent = `The visitor ID ${problem}.`;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    editing(false);
    if (next !== idText.textContent) options.onChangeVisitorId(next);
  });
  const account = e('div', { class: 'account' }, [shown, form]);

  const status = e('div', { class: 'status-slot' });
  const pushSlot = e('div', { class: 'push-slot', 'data-testid': 'push-slot' });
  const brand = e('a', { class: 'brand', href: './' }, [
    logo(doc),
    e('span', {}, ['Beckon ', e('span', { class: 'brand__accent' }, ['Outfitters'])]),
  ]);
  header.append(
    e('div', { class: 'site-header__main' }, [e('div', { class: 'container row' }, [brand, nav])]),
    e('div', { class: 'site-header__sub' }, [
      e('div', { class: 'container row' }, [account, pushSlot, status]),
    ]),
  );

  return {
    status,
    push: pushSlot,
    setVisitorId(id) {
      idText.textContent = id;
    },
    destroy() {
      offCart();
      header.replaceChildren();
    },
  };
}

/** The pill's words for a connection that is not `connected`, shown after the state word. */
function detailOf(state: VisitorState, lastFailure: string | undefined): string {
  switch (state.connection) {
    case 'connecting':
      return state.attempt > 0 ? `attempt ${state.attempt + 1}` : '';
    case 'reconnecting':
      return [`attempt ${state.attempt}`, lastFailure].filter(Boolean).join(' · ');
    case 'disconnected':
    case 'notConfigured':
      return lastFailure ?? '';
    default:
      return '';
  }
}

function focusText(state: VisitorState): string {
  if (state.connection !== 'connected') return 'not connected';
  return state.focused ? 'this tab has focus' : 'another tab has focus';
}

/**
 * The status pill: the connection state word (`connected`, `reconnecting`,
 * `notConfigured`, …), whether this tab holds the visitor's focus, and the running session.
 * Returns the function that removes it.
 *
 * @example
 * const stop = mountStatusPill(chrome.status, visitor);
 */
export function mountStatusPill(container: HTMLElement, visitor: Visitor): () => void {
  const doc = container.ownerDocument;
  const e = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Parameters<typeof h>[1] = {},
    children: Parameters<typeof h>[2] = [],
  ) => h(tag, attrs, children, doc);
  const connection = e('span', { class: 'status__connection', 'data-testid': 'connection-status' });
  const detail = e('span', { class: 'status__detail', 'data-testid': 'connection-detail' });
  const focus = e('span', { class: 'status__focus', 'data-testid': 'focus-status' });
  const session = e('span', { class: 'status__session', 'data-testid': 'session-status' });
  const pill = e(
    'div',
    { class: 'status', 'data-testid': 'status-pill', role: 'status', 'aria-live': 'polite' },
    [
      e('span', { class: 'status__dot', 'aria-hidden': 'true' }),
      connection,
      detail,
      focus,
      session,
    ],
  );
  container.replaceChildren(pill);

  let lastFailure: string | undefined;
  const render = (state: VisitorState) => {
    pill.dataset.connection = state.connection;
    connection.textContent = state.connection satisfies ConnectionStatus;
    const more = detailOf(state, lastFailure);
    detail.textContent = more;
    detail.hidden = more === '';
    focus.textContent = focusText(state);
    focus.dataset.focused = String(state.focused);
    const running = state.terms === 'session' && state.sessionKey !== undefined;
    session.hidden = !running;
    session.textContent = running ? `screen share session ${state.sessionKey} active` : '';
  };
  const offs = [
    visitor.on('connectFail', ({ reason, code }) => {
      lastFailure = reason ? `${reason} (${code})` : `closed (${code})`;
      render(visitor.getSnapshot());
    }),
    visitor.on('notConfigured', ({ reason }) => {
      lastFailure = reason || 'presence is not enabled for this group';
      render(visitor.getSnapshot());
    }),
    visitor.on('connected', () => {
      lastFailure = undefined;
    }),
    visitor.subscribe(render),
  ];
  render(visitor.getSnapshot());
  return () => {
    for (const off of offs) off();
    container.replaceChildren();
  };
}

// ---------------------------------------------------------------------------------------
// One call per page
// ---------------------------------------------------------------------------------------

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
