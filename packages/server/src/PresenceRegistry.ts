/**
 * The state a presence service keeps about visitors, behind one small interface so that the
 * in-memory store ({@link createMemoryRegistry}) can be swapped for a shared one (Redis) later
 * without touching the connection handling.
 *
 * Every operation is one atomic step that returns what changed, so an implementation backed
 * by a remote store can run each as a single script/transaction and the caller never needs a
 * read-modify-write of its own. Operations are asynchronous for the same reason. The registry
 * holds data only: no sockets, no timers — those belong to the hub.
 */

/** How an agent sees a visitor's app: in the foreground, in the background, or gone quiet. */
export type Visibility = 'visible' | 'hidden' | 'away';

/** One open connection of a visitor, as stored. */
export interface ConnectionRecord {
  connectionId: string;
  visible: boolean;
  connectedAt: number;
  /** Last `hello`, `presence`, `signal` or `visibility` from this connection. */
  lastActiveAt: number;
}

/** Everything stored about one visitor ID of one group. Returned as a copy. */
export interface VisitorRecord {
  groupId: string;
  visitorId: string;
  /** Open connections, oldest first. Empty while the visitor is within its reconnect grace. */
  connections: ConnectionRecord[];
  /** The connection holding focus; absent only while no connection is open. */
  focusedConnectionId?: string;
  /** Epoch of the latest focus change. Grows per group and is never reused. */
  epoch: number;
  /** The latest presence data, as sent. */
  presence: Record<string, string>;
  visibility: Visibility;
  /** When the visitor last turned from visible to hidden (set while hidden or away). */
  hiddenSince?: number;
  lastActiveAt: number;
  sessionKey?: string;
  /** When the last connection closed; set only while no connection is open. */
  disconnectedAt?: number;
}

/** A move of focus to `connectionId`, taking it from `previousConnectionId` if any. */
export interface FocusChange {
  epoch: number;
  connectionId: string;
  previousConnectionId?: string;
}

/** Identifies a visitor within a group. */
export interface VisitorKey {
  groupId: string;
  visitorId: string;
}

/** Identifies one connection of a visitor. */
export interface ConnectionKey extends VisitorKey {
  connectionId: string;
}

export interface ConnectResult {
  visitor: VisitorRecord;
  /** No record existed: neither connected nor within the reconnect grace window. */
  isNew: boolean;
  /** A new connection always takes focus. */
  focus: FocusChange;
  /** The visitor-level visibility changed (or was set for the first time). */
  visibilityChanged: boolean;
}

export interface DisconnectResult {
  /** The record afterwards; undefined when the connection was not known. */
  visitor?: VisitorRecord;
  /** Focus moved to the most recently active remaining connection. */
  focus?: FocusChange;
  visibilityChanged: boolean;
}

/** What {@link PresenceRegistry.recordPresence} did. */
export interface PresenceResult {
  /** The visitor is known and its presence data was stored. */
  stored: boolean;
  /** Focus moved to the connection that sent it, which lacked it. */
  focus?: FocusChange;
}

export interface VisibilityResult {
  visibility: Visibility;
  changed: boolean;
  hiddenSince?: number;
}

/** Where a page of {@link PresenceRegistry.list} starts and how long it may be. */
export interface ListPageRequest {
  /** Only visitors whose ID sorts after this one: the `next` of the previous page. */
  after?: string;
  /** Most visitors to return; at least 1. */
  limit: number;
}

/** One page of a group's visitors. */
export interface VisitorPage {
  /** In ascending visitor ID order (UTF-16 code units, which is byte order for IDs). */
  visitors: VisitorRecord[];
  /** The ID to pass as `after` for the next page; absent when this page reached the end. */
  next?: string;
}

/** A visitor's Web Push subscription, as stored: where to send, and how to encrypt. */
export interface PushSubscriptionRecord {
  /** The push service's URL for one browser of the visitor; unique per visitor. */
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** When it was last saved (ms since the epoch). */
  savedAt: number;
  /** When it stops being used: the browser's own expiry, or the service's keeping time. */
  expiresAt: number;
}

/**
 * The state store of a presence service. Rules every implementation follows (and
 * `test/registry.contract.ts` checks):
 *
 * - Focus: exactly one open connection of a visitor holds focus, the most recently active;
 *   a new connection takes it, `touch` takes it, `disconnect` of the focused one passes it
 *   to the most recently active remaining one.
 * - Epochs: every focus change takes the next value of a per-group counter, so epochs of a
 *   visitor strictly increase and are never reused, even after the visitor is forgotten. The
 *   counter is seeded from the clock (the next epoch is at least the current time in
 *   microseconds), so epochs do not go backwards when the store restarts empty either.
 * - Visibility of a visitor: `visible` when any open connection is visible, otherwise
 *   `hidden` from the moment the last visible one turned hidden, and `away` once
 *   {@link PresenceRegistry.markAway} says so. A visitor with no open connection keeps its
 *   last visibility until forgotten.
 * - A visitor whose last connection closed is kept (with `disconnectedAt`) until `forget`.
 * - Listing is paginated by visitor ID, with the last ID of a page as the cursor of the
 *   next: a visitor that stays known while the pages are read is returned exactly once,
 *   whatever joins or leaves meanwhile; no page is ever larger than asked. (A shared store
 *   keeps one sorted set of IDs per group, e.g. a Redis `ZRANGEBYLEX` on a zero-score set,
 *   and reads a page and its records in one step.)
 */
export interface PresenceRegistry {
  /** Registers a new connection; it takes focus. */
  connect(input: ConnectionKey & { visible: boolean; at: number }): Promise<ConnectResult>;
  /** Records activity of a connection; returns the focus change if it did not hold focus. */
  touch(input: ConnectionKey & { at: number }): Promise<FocusChange | undefined>;
  /** Removes a connection. */
  disconnect(input: ConnectionKey & { at: number }): Promise<DisconnectResult>;
  /** Stores the latest presence data. Returns false if the visitor is not known. */
  setPresence(input: VisitorKey & { data: Record<string, string>; at: number }): Promise<boolean>;
  /**
   * A connection's `presence` in one step: {@link PresenceRegistry.touch} (activity, and
   * focus if the connection lacked it) and {@link PresenceRegistry.setPresence}, as if
   * called one after the other with nothing in between. A shared store does both in one
   * round trip.
   */
  recordPresence(
    input: ConnectionKey & { data: Record<string, string>; at: number },
  ): Promise<PresenceResult>;
  /** Sets one connection's visibility and returns the visitor's. */
  setVisibility(
    input: ConnectionKey & { visible: boolean; at: number },
  ): Promise<VisibilityResult | undefined>;
  /**
   * Turns a hidden visitor away if it has stayed hidden since `hiddenSince`. Returns whether
   * it did (false when the visitor became visible or hid again in between).
   */
  markAway(input: VisitorKey & { hiddenSince: number }): Promise<boolean>;
  /** Remembers (or, with `undefined`, forgets) the visitor's screen-share session key. */
  setSessionKey(input: VisitorKey & { sessionKey: string | undefined }): Promise<boolean>;
  get(key: VisitorKey): Promise<VisitorRecord | undefined>;
  /**
   * One page of a group's known visitors (connected or within the grace window), in
   * visitor ID order, starting after `page.after`.
   */
  list(groupId: string, page: ListPageRequest): Promise<VisitorPage>;
  /**
   * Drops a visitor that has no open connection. With `disconnectedAt`, only if its last
   * connection closed at that time: a grace timer started for an earlier departure (perhaps
   * in another process) must not forget a visitor that came back and left again since.
   * Returns whether it did.
   */
  forget(key: VisitorKey & { disconnectedAt?: number }): Promise<boolean>;
  /** Number of open visitor connections across all groups. */
  countConnections(): Promise<number>;
  /**
   * Saves a visitor's push subscription (replacing the one with the same endpoint). Push
   * subscriptions outlive the visitor's connections and `forget`: they are what wakes a
   * visitor whose page is closed. At most `maxPerVisitor` are kept: saving a new one beyond
   * that evicts the ones saved longest ago, which are returned. Expired ones (`expiresAt` at
   * or before `at`) are dropped on the way.
   */
  savePushSubscription(
    input: VisitorKey & {
      subscription: Omit<PushSubscriptionRecord, 'savedAt'>;
      at: number;
      maxPerVisitor: number;
    },
  ): Promise<{ evicted: string[] }>;
  /** Removes one subscription of a visitor (logged out, or the push service said it is gone). */
  removePushSubscription(input: VisitorKey & { endpoint: string }): Promise<boolean>;
  /** The visitor's subscriptions that have not expired at `at`, saved longest ago first. */
  pushSubscriptions(input: VisitorKey & { at: number }): Promise<PushSubscriptionRecord[]>;
}
