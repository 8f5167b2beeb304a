import type { Visitor } from '@beckon/core';
import { LIMITS } from '@beckon/core/protocol';

/** The parts of a {@link Visitor} that {@link wirePage} uses. */
export type WirableVisitor = Pick<Visitor, 'presence' | 'signalVisibility' | 'getSnapshot' | 'on'>;

/**
 * What {@link wirePage} returns: call it to undo the wiring; `refresh()` re-sends the page's
 * presence after a change that is not a navigation.
 */
export interface PageWiring {
  /** Removes every listener, timer and `history` wrapper; later calls do nothing. */
  (): void;
  /**
   * Sends `url`, `title` and `extra()` as they are now — for changes that are not a
   * navigation, such as a cart count in `extra()`. It goes through the same throttle as
   * navigation (a task later, or at the end of the throttle window; calls in between
   * collapse into one), and is sent only if the visitor is then connected and holds focus
   * and the data differs from what was last sent. A blurred tab therefore never steals
   * focus by a background refresh; the visitor's own interaction does (`reclaimFocus`).
   * Works with `navigation: false` too. Does nothing after unwiring.
   */
  refresh(): void;
}

/** Options of {@link wirePage}. Each part is on unless switched off. */
export interface WirePageOptions {
  /** Report the page's visibility (`visibilitychange`, `pagehide`, `pageshow`). Default true. */
  visibility?: boolean;
  /**
   * Take focus back for this tab when the visitor interacts with it (pointer, key or touch)
   * while another tab or device of the same visitor holds it. Default true.
   */
  reclaimFocus?: boolean;
  /** Send the standard presence fields `url` and `title` on connect and on navigation. Default true. */
  navigation?: boolean;
  /** Least time between two navigation presence updates; the last one is always sent. Default 1000. */
  throttleMs?: number;
  /** Custom presence fields sent with `url` and `title`; names must start with `c_`. */
  extra?: () => Record<string, string>;
  /** What to send as `url`. Default `location.href`; strip tokens from query strings here. */
  url?: (location: Location) => string;
  /** The window to listen on. Default the global `window`. */
  window?: Window;
  /** The document to read. Default the window's. */
  document?: Document;
}

const optionKeys = new Set([
  'visibility',
  'reclaimFocus',
  'navigation',
  'throttleMs',
  'extra',
  'url',
  'window',
  'document',
]);

// Setup mistakes are the developer's, found at start-up: throw, with the option named.
function assertOptions(visitor: WirableVisitor, options: WirePageOptions): void {
  for (const key of ['presence', 'signalVisibility', 'getSnapshot', 'on'] as const) {
    if (typeof visitor?.[key] !== 'function') {
      throw new TypeError(
        `wirePage: visitor.${key} must be a function; pass a createVisitor() visitor`,
      );
    }
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('wirePage: options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!optionKeys.has(key)) throw new TypeError(`wirePage: unknown option "${key}"`);
  }
  for (const key of ['visibility', 'reclaimFocus', 'navigation'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new TypeError(`wirePage: options.${key} must be a boolean`);
    }
  }
  const { throttleMs } = options;
  if (
    throttleMs !== undefined &&
    (typeof throttleMs !== 'number' || !Number.isFinite(throttleMs) || throttleMs < 0)
  ) {
    throw new TypeError(
      'wirePage: options.throttleMs must be a non-negative number of milliseconds',
    );
  }
  for (const key of ['extra', 'url'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new TypeError(`wirePage: options.${key} must be a function`);
    }
  }
}

function samePresence(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

const clip = (text: string) => text.slice(0, LIMITS.maxValueLength);

/**
 * Connects a visitor to the page it runs in, so the agent sees what the spec asks for:
 *
 * - **visibility** — `visibilitychange`, `pagehide` and `pageshow` become
 *   `signalVisibility(…)`, only when visibility really changed;
 * - **reclaimFocus** — a pointer, key or touch interaction while another tab of the same
 *   visitor holds focus takes it back, by sending presence (the spec's best practice: on
 *   interaction, never on a timer); with `navigation` off it sends the page's visibility
 *   instead, which reclaims focus without overwriting the app's own presence data;
 * - **navigation** — `url` and `title` (plus `extra()`) on connect and after every
 *   navigation, including single-page-app ones (`pushState`, `replaceState`, `popstate`,
 *   `hashchange`, or the Navigation API where present), throttled with the last one always
 *   sent. A tab that lost focus does not send on navigation, so background script changing
 *   the URL never steals focus from the tab the visitor is using.
 *
 * Returns the function that undoes all of it (listeners, timers, wrapped `history` methods),
 * with a `refresh()` method that re-sends presence when `extra()` data changed without a
 * navigation (see {@link PageWiring}).
 *
 * @example
 * import { createVisitor } from '@beckon/core';
 * import { webSocketTransport } from '@beckon/transport-ws';
 * import { createConsentDialog, wirePage } from '@beckon/ui-dom';
 *
 * const visitor = createVisitor({
 *   transport: webSocketTransport({ url: 'wss://presence.example.com/' }),
 *   ui: createConsentDialog(),
 * });
 * let items = 0;
 * const wiring = wirePage(visitor, { extra: () => ({ c_cart: String(items) }) });
 * visitor.on('initialized', () => visitor.connect());
 * visitor.init({ groupId: 'acme', visitorId: 'alice-42' });
 * // Added to the cart: no navigation, but the agent should see the new count.
 * items += 1;
 * wiring.refresh();
 * // On logout:
 * wiring();
 * visitor.disconnect();
 */
export function wirePage(visitor: WirableVisitor, options: WirePageOptions = {}): PageWiring {
  assertOptions(visitor, options);
  const win = options.window ?? (globalThis as { window?: Window }).window;
  if (!win || typeof win.addEventListener !== 'function') {
    throw new TypeError('wirePage: no window to listen on; pass options.window');
  }
  const doc = options.document ?? win.document;
  const throttleMs = options.throttleMs ?? 1000;
  const cleanups: (() => void)[] = [];
  const listen = (
    target: EventTarget,
    type: string,
    listener: () => void,
    opts?: AddEventListenerOptions,
  ) => {
    target.addEventListener(type, listener, opts);
    cleanups.push(() => target.removeEventListener(type, listener, opts));
  };
  const pageVisible = () => doc.visibilityState !== 'hidden';

  // --- visibility -------------------------------------------------------------------------
  if (options.visibility !== false) {
    const report = (visible: boolean) => {
      if (visitor.getSnapshot().visible !== visible) visitor.signalVisibility(visible);
    };
    listen(doc, 'visibilitychange', () => report(pageVisible()));
    listen(win, 'pagehide', () => report(false));
    listen(win, 'pageshow', () => report(pageVisible()));
    report(pageVisible());
  }

  // --- page presence: navigation and refresh() ---------------------------------------------
  const navigation = options.navigation !== false;
  let lastSent: Record<string, string> | undefined;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let timer: number | undefined;
  let force = false;
  // An update that found the visitor offline, owed on the next `connected`.
  let missed = false;
  let active = true;

  const collect = (): Record<string, string> => {
    const location = win.location;
    const data: Record<string, string> = {};
    if (options.extra) {
      try {
        Object.assign(data, options.extra());
      } catch (error) {
        // The page's own callback failing must not cost the agent the URL.
        console.error('wirePage: options.extra threw; sending url and title only', error);
      }
    }
    data.url = clip(options.url ? String(options.url(location)) : location.href);
    const title = doc.title;
    if (title) data.title = clip(title);
    else delete data.title;
    return data;
  };

  const sendPage = () => {
    timer = undefined;
    const forced = force;
    force = false;
    const state = visitor.getSnapshot();
    if (!active) return;
    // Offline: the next `connected` sends the page as it is then (core does not queue it).
    if (state.connection !== 'connected') {
      missed = true;
      return;
    }
    // Blurred: only the visitor's own interaction may take focus back (reclaimFocus below).
    if (!state.focused) return;
    const data = collect();
    if (!forced && lastSent && samePresence(lastSent, data)) return;
    lastSent = data;
    lastSentAt = Date.now();
    visitor.presence(data);
  };

  const schedulePage = (forced = false) => {
    force ||= forced;
    if (timer !== undefined || !active) return;
    // Always a task later, even when not throttled: an SPA sets the new title right after
    // pushState, and several history calls in one task collapse into one update.
    const wait = Math.max(0, lastSentAt + throttleMs - Date.now());
    timer = win.setTimeout(sendPage, wait);
  };

  if (navigation) {
    const onNavigate = () => schedulePage();
    listen(win, 'popstate', onNavigate);
    listen(win, 'hashchange', onNavigate);
    const navigationApi = (win as { navigation?: EventTarget }).navigation;
    if (typeof navigationApi?.addEventListener === 'function') {
      // Fires for pushState, replaceState and traversals alike: no wrapping needed.
      listen(navigationApi, 'currententrychange', onNavigate);
    } else {
      const { history } = win;
      for (const name of ['pushState', 'replaceState'] as const) {
        const original = history[name];
        if (typeof original !== 'function') continue;
        const hadOwn = Object.hasOwn(history, name);
        const wrapper = function (this: History, ...args: Parameters<History['pushState']>) {
          const result = original.apply(this, args);
          if (active) onNavigate();
          return result;
        };
        history[name] = wrapper;
        cleanups.push(() => {
          // Someone wrapped it after us: leave theirs in place (ours is inert once inactive).
          if (history[name] !== wrapper) return;
          if (hadOwn) history[name] = original;
          else delete (history as Partial<History>)[name];
        });
      }
    }
    if (visitor.getSnapshot().connection === 'connected') schedulePage(true);
  }
  // A new connection starts with no presence: what was sent on the old one no longer
  // counts, so a refresh() after a reconnect is never skipped as a duplicate.
  cleanups.push(
    visitor.on('connected', () => {
      lastSent = undefined;
      if (navigation || missed) schedulePage(true);
      missed = false;
    }),
  );

  // --- reclaim focus ----------------------------------------------------------------------
  if (options.reclaimFocus !== false) {
    const onInteraction = () => {
      const state = visitor.getSnapshot();
      if (state.connection !== 'connected' || state.focused) return;
      if (navigation) {
        // The page as it is now: it may have navigated while it was blurred.
        const data = collect();
        lastSent = data;
        lastSentAt = Date.now();
        visitor.presence(data);
      } else {
        visitor.signalVisibility(pageVisible());
      }
    };
    // Capture phase, so an app's stopPropagation cannot hide the interaction.
    const opts = { capture: true, passive: true };
    listen(win, 'pointerdown', onInteraction, opts);
    listen(win, 'keydown', onInteraction, opts);
    listen(win, 'touchstart', onInteraction, opts);
  }

  let unwired = false;
  const unwire = () => {
    if (unwired) return;
    unwired = true;
    active = false;
    if (timer !== undefined) win.clearTimeout(timer);
    timer = undefined;
    for (const cleanup of cleanups.reverse()) cleanup();
  };
  // A function object, so `const unwire = wirePage(…)` callers keep working unchanged.
  return Object.assign(unwire, { refresh: () => schedulePage() });
}
