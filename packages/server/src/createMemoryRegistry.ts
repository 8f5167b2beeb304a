import type {
  ConnectionRecord,
  FocusChange,
  PresenceRegistry,
  PushSubscriptionRecord,
  Visibility,
  VisitorRecord,
} from './PresenceRegistry.js';

interface StoredConnection extends ConnectionRecord {
  /** Tie-breaker when two connections were active in the same millisecond: the later wins. */
  seq: number;
}

interface StoredVisitor extends Omit<VisitorRecord, 'connections'> {
  // An array, not a Map: a visitor has one connection or a few tabs' worth, and a Map costs
  // ~180 bytes per visitor even with one entry.
  connections: StoredConnection[];
}

/** Presence of a visitor that sent none yet: shared, as it is replaced, never changed. */
const NO_PRESENCE: Record<string, string> = Object.freeze({}) as Record<string, string>;

function connectionOf(v: StoredVisitor, connectionId: string): StoredConnection | undefined {
  for (const c of v.connections) if (c.connectionId === connectionId) return c;
  return undefined;
}

// Assignments, not rest and spread patterns: in Node 20 `{ ...rest, more }` takes a slow path
// (~2.7 µs a copy against ~0.1 µs), and every request an agent sends copies a record.
function copy(v: StoredVisitor): VisitorRecord {
  const connections: ConnectionRecord[] = [];
  for (const c of v.connections) {
    connections.push({
      connectionId: c.connectionId,
      visible: c.visible,
      connectedAt: c.connectedAt,
      lastActiveAt: c.lastActiveAt,
    });
  }
  return Object.assign({}, v, { presence: Object.assign({}, v.presence), connections });
}

/** A group's visitors, and their IDs kept sorted so a page is a binary search and a slice. */
interface StoredGroup {
  visitors: Map<string, StoredVisitor>;
  ids: string[];
}

/** Index of the first ID in `ids` (sorted) greater than `after`, or equal when `inclusive`. */
function firstAfter(ids: readonly string[], after: string, inclusive = false): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const id = ids[mid] as string;
    if (id < after || (!inclusive && id === after)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Wall-clock time in whole microseconds (the high-resolution clock, anchored at process start). */
function microseconds(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1_000);
}

function mostRecent(connections: Iterable<StoredConnection>): StoredConnection | undefined {
  let best: StoredConnection | undefined;
  for (const c of connections) {
    if (
      !best ||
      c.lastActiveAt > best.lastActiveAt ||
      (c.lastActiveAt === best.lastActiveAt && c.seq > best.seq)
    ) {
      best = c;
    }
  }
  return best;
}

/**
 * The default {@link PresenceRegistry}: plain maps in this process. State is lost on restart,
 * which is fine for presence (clients reconnect and re-announce themselves within seconds).
 *
 * @example
 * const registry = createMemoryRegistry();
 * const server = await createPresenceServer({ groups, registry });
 * const { visitors, next } = await registry.list('demo', { limit: 100 });
 */
export function createMemoryRegistry(): PresenceRegistry {
  const groups = new Map<string, StoredGroup>();
  // Outlives the visitors so an epoch is never handed out twice in a group.
  const epochs = new Map<string, number>();
  let seq = 0;

  // Never below the clock in microseconds: a restarted service (with an empty registry)
  // still hands out epochs above the ones its clients saw before.
  const nextEpoch = (groupId: string): number => {
    const epoch = Math.max((epochs.get(groupId) ?? 0) + 1, microseconds());
    epochs.set(groupId, epoch);
    return epoch;
  };
  const find = (groupId: string, visitorId: string) => groups.get(groupId)?.visitors.get(visitorId);
  // Push subscriptions by `group/visitor`, apart from visitors (they outlive `forget`). A
  // visitor's entry moves to the end whenever it is saved, so the front holds the ones
  // longest unsaved: each save drops expired entries from there, and nothing piles up.
  const pushes = new Map<
    string,
    { latest: number; byEndpoint: Map<string, PushSubscriptionRecord> }
  >();
  const pushKey = (groupId: string, visitorId: string) => `${groupId}/${visitorId}`;
  const livePushes = (key: string, at: number) => {
    const entry = pushes.get(key);
    if (!entry) return undefined;
    for (const [endpoint, s] of entry.byEndpoint)
      if (s.expiresAt <= at) entry.byEndpoint.delete(endpoint);
    if (entry.byEndpoint.size === 0) {
      pushes.delete(key);
      return undefined;
    }
    return entry;
  };
  const copyPush = (s: PushSubscriptionRecord): PushSubscriptionRecord => ({
    endpoint: s.endpoint,
    keys: { p256dh: s.keys.p256dh, auth: s.keys.auth },
    savedAt: s.savedAt,
    expiresAt: s.expiresAt,
  });

  // Visible if any open connection is; a visitor with none keeps what it had.
  const recompute = (v: StoredVisitor, at: number): boolean => {
    if (v.connections.length === 0) return false;
    const anyVisible = v.connections.some((c) => c.visible);
    const before: Visibility = v.visibility;
    if (anyVisible) {
      v.visibility = 'visible';
      delete v.hiddenSince;
    } else if (before === 'visible') {
      v.visibility = 'hidden';
      v.hiddenSince = at;
    }
    return v.visibility !== before;
  };

  const moveFocus = (v: StoredVisitor, to: StoredConnection): FocusChange => {
    const previous = v.focusedConnectionId;
    v.epoch = nextEpoch(v.groupId);
    v.focusedConnectionId = to.connectionId;
    return previous !== undefined && connectionOf(v, previous)
      ? { epoch: v.epoch, connectionId: to.connectionId, previousConnectionId: previous }
      : { epoch: v.epoch, connectionId: to.connectionId };
  };

  const touch = (v: StoredVisitor, connectionId: string, at: number) => {
    const conn = connectionOf(v, connectionId);
    if (!conn) return undefined;
    conn.lastActiveAt = at;
    conn.seq = ++seq;
    v.lastActiveAt = at;
    return v.focusedConnectionId === connectionId ? undefined : moveFocus(v, conn);
  };

  const setPresence = (v: StoredVisitor, data: Record<string, string>, at: number) => {
    v.presence = { ...data };
    v.lastActiveAt = Math.max(v.lastActiveAt, at);
  };

  return {
    async connect({ groupId, visitorId, connectionId, visible, at }) {
      let group = groups.get(groupId);
      if (!group) {
        group = { visitors: new Map(), ids: [] };
        groups.set(groupId, group);
      }
      let v = group.visitors.get(visitorId);
      const isNew = v === undefined;
      if (!v) {
        v = {
          groupId,
          visitorId,
          connections: [],
          epoch: 0,
          presence: NO_PRESENCE,
          // A brand-new hidden visitor counts as turning hidden now.
          visibility: 'visible',
          lastActiveAt: at,
        };
        group.visitors.set(visitorId, v);
        // A splice moves at most the group's IDs once per new visitor; pages stay cheap.
        group.ids.splice(firstAfter(group.ids, visitorId, true), 0, visitorId);
      }
      const before = v.visibility;
      const conn: StoredConnection = {
        connectionId,
        visible,
        connectedAt: at,
        lastActiveAt: at,
        seq: ++seq,
      };
      const same = v.connections.findIndex((c) => c.connectionId === connectionId);
      if (same >= 0) v.connections.splice(same, 1);
      v.connections.push(conn);
      delete v.disconnectedAt;
      v.lastActiveAt = at;
      const focus = moveFocus(v, conn);
      recompute(v, at);
      return {
        visitor: copy(v),
        isNew,
        focus,
        visibilityChanged: isNew ? !visible : v.visibility !== before,
      };
    },

    async touch({ groupId, visitorId, connectionId, at }) {
      const v = find(groupId, visitorId);
      return v && touch(v, connectionId, at);
    },

    async recordPresence({ groupId, visitorId, connectionId, data, at }) {
      const v = find(groupId, visitorId);
      if (!v) return { stored: false };
      const focus = touch(v, connectionId, at);
      setPresence(v, data, at);
      return focus ? { stored: true, focus } : { stored: true };
    },

    async disconnect({ groupId, visitorId, connectionId, at }) {
      const v = find(groupId, visitorId);
      const index = v ? v.connections.findIndex((c) => c.connectionId === connectionId) : -1;
      if (!v || index < 0) return { visibilityChanged: false };
      v.connections.splice(index, 1);
      let focus: FocusChange | undefined;
      if (v.focusedConnectionId === connectionId) {
        delete v.focusedConnectionId;
        const next = mostRecent(v.connections);
        if (next) focus = moveFocus(v, next);
      }
      if (v.connections.length === 0) v.disconnectedAt = at;
      const visibilityChanged = recompute(v, at);
      return focus
        ? { visitor: copy(v), focus, visibilityChanged }
        : { visitor: copy(v), visibilityChanged };
    },

    async setPresence({ groupId, visitorId, data, at }) {
      const v = find(groupId, visitorId);
      if (!v) return false;
      setPresence(v, data, at);
      return true;
    },

    async setVisibility({ groupId, visitorId, connectionId, visible, at }) {
      const v = find(groupId, visitorId);
      const conn = v && connectionOf(v, connectionId);
      if (!v || !conn) return undefined;
      conn.visible = visible;
      const changed = recompute(v, at);
      return v.hiddenSince === undefined
        ? { visibility: v.visibility, changed }
        : { visibility: v.visibility, changed, hiddenSince: v.hiddenSince };
    },

    async markAway({ groupId, visitorId, hiddenSince }) {
      const v = find(groupId, visitorId);
      if (v?.visibility !== 'hidden' || v.hiddenSince !== hiddenSince) return false;
      v.visibility = 'away';
      return true;
    },

    async setSessionKey({ groupId, visitorId, sessionKey }) {
      const v = find(groupId, visitorId);
      if (!v) return false;
      if (sessionKey === undefined) delete v.sessionKey;
      else v.sessionKey = sessionKey;
      return true;
    },

    async get({ groupId, visitorId }) {
      const v = find(groupId, visitorId);
      return v && copy(v);
    },

    async list(groupId, { after, limit }) {
      const group = groups.get(groupId);
      if (!group) return { visitors: [] };
      const ids = group.ids;
      const start = after === undefined ? 0 : firstAfter(ids, after);
      const size = limit >= 1 ? Math.floor(limit) : 1; // NaN and 0 too: never an empty page
      const end = Math.min(ids.length, start + size);
      const visitors: VisitorRecord[] = [];
      for (let i = start; i < end; i++) {
        visitors.push(copy(group.visitors.get(ids[i] as string) as StoredVisitor));
      }
      return end < ids.length ? { visitors, next: ids[end - 1] as string } : { visitors };
    },

    async forget({ groupId, visitorId, disconnectedAt }) {
      const group = groups.get(groupId);
      const v = group?.visitors.get(visitorId);
      if (!group || !v || v.connections.length > 0) return false;
      if (disconnectedAt !== undefined && v.disconnectedAt !== disconnectedAt) return false;
      group.visitors.delete(visitorId);
      group.ids.splice(firstAfter(group.ids, visitorId, true), 1);
      if (group.visitors.size === 0) groups.delete(groupId);
      return true;
    },

    async countConnections() {
      let n = 0;
      for (const group of groups.values()) {
        for (const v of group.visitors.values()) n += v.connections.length;
      }
      return n;
    },

    async savePushSubscription({ groupId, visitorId, subscription, at, maxPerVisitor }) {
      for (const [key, entry] of pushes) {
        if (entry.latest > at) break;
        pushes.delete(key);
      }
      const key = pushKey(groupId, visitorId);
      const entry = livePushes(key, at) ?? { latest: 0, byEndpoint: new Map() };
      pushes.delete(key);
      const evicted: string[] = [];
      const { byEndpoint } = entry;
      byEndpoint.delete(subscription.endpoint);
      // Oldest first: the Map keeps the order they were saved in.
      for (const endpoint of byEndpoint.keys()) {
        if (byEndpoint.size < maxPerVisitor) break;
        byEndpoint.delete(endpoint);
        evicted.push(endpoint);
      }
      byEndpoint.set(subscription.endpoint, copyPush({ ...subscription, savedAt: at }));
      entry.latest = Math.max(...[...byEndpoint.values()].map((x) => x.expiresAt));
      pushes.set(key, entry);
      return { evicted };
    },

    async removePushSubscription({ groupId, visitorId, endpoint }) {
      const key = pushKey(groupId, visitorId);
      const entry = pushes.get(key);
      if (!entry?.byEndpoint.delete(endpoint)) return false;
      if (entry.byEndpoint.size === 0) pushes.delete(key);
      return true;
    },

    async pushSubscriptions({ groupId, visitorId, at }) {
      const entry = livePushes(pushKey(groupId, visitorId), at);
      return entry ? [...entry.byEndpoint.values()].map(copyPush) : [];
    },
  };
}
