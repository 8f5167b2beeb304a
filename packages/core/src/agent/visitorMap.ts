/**
 * The agent's live view of visitors: pure functions over an immutable map, each returning
 * the very same map (and the same summary objects) when nothing changed, so UI bindings can
 * compare by identity.
 */
import type { AgentLiveEvent, VisitorSummary } from '../wire/protocol.js';

export type VisitorMap = ReadonlyMap<string, VisitorSummary>;

export const EMPTY_VISITORS: VisitorMap = new Map();

function sameProperties(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/**
 * Whether two summaries say the same thing.
 *
 * @example
 * sameSummary(a, { ...a }); // true
 */
export function sameSummary(a: VisitorSummary, b: VisitorSummary): boolean {
  return (
    a.visitorId === b.visitorId &&
    a.present === b.present &&
    a.visibility === b.visibility &&
    a.connections === b.connections &&
    a.focusedConnectionId === b.focusedConnectionId &&
    a.epoch === b.epoch &&
    a.lastActiveAt === b.lastActiveAt &&
    a.sessionKey === b.sessionKey &&
    sameProperties(a.presence, b.presence)
  );
}

/**
 * Replaces the map with a fresh listing, keeping `keep`'s verdict on which IDs belong.
 * Entries equal to the current ones keep their identity; an unchanged listing keeps the map.
 *
 * @example
 * visitors = replaceVisitors(visitors, reply.visitors, () => true);
 */
export function replaceVisitors(
  current: VisitorMap,
  listing: readonly VisitorSummary[],
  keep: (visitorId: string) => boolean,
): VisitorMap {
  const next = new Map<string, VisitorSummary>();
  for (const summary of listing) {
    if (!keep(summary.visitorId)) continue;
    const prev = current.get(summary.visitorId);
    next.set(summary.visitorId, prev && sameSummary(prev, summary) ? prev : summary);
  }
  if (next.size === current.size && [...next].every(([id, s]) => current.get(id) === s)) {
    return current;
  }
  return next;
}

/**
 * Sets one visitor's summary, or removes it (`null`: the visitor is not present).
 *
 * @example
 * visitors = setVisitor(visitors, 'alice-42', reply.visitor);
 */
export function setVisitor(
  current: VisitorMap,
  visitorId: string,
  summary: VisitorSummary | null,
): VisitorMap {
  const prev = current.get(visitorId);
  if (summary === null) {
    if (!prev) return current;
    const next = new Map(current);
    next.delete(visitorId);
    return next;
  }
  if (prev && sameSummary(prev, summary)) return current;
  return new Map(current).set(visitorId, summary);
}

/**
 * Keeps only the entries `keep` accepts; the same map when it keeps them all.
 *
 * @example
 * visitors = filterVisitors(visitors, (id) => watched.includes(id));
 */
export function filterVisitors(
  current: VisitorMap,
  keep: (visitorId: string) => boolean,
): VisitorMap {
  const next = new Map([...current].filter(([id]) => keep(id)));
  return next.size === current.size ? current : next;
}

/**
 * Folds one live event into the map. A visitor that leaves (`visitorDisconnected`, which the
 * service debounces so a reload is not a leave) is removed: the map holds the visitors the
 * service knows.
 * Events that carry no summary state (`terms`, `visitorError`, custom `signal`) change nothing.
 *
 * @example
 * visitors = applyVisitorEvent(visitors, { type: 'visibility', visitorId: 'alice-42', at: 1, visibility: 'hidden' });
 */
export function applyVisitorEvent(current: VisitorMap, event: AgentLiveEvent): VisitorMap {
  const { visitorId, at } = event;
  const prev = current.get(visitorId);
  if (event.type === 'visitorDisconnected') return setVisitor(current, visitorId, null);
  // A visitor we hear about first through an event is present by definition.
  const base: VisitorSummary = prev ?? {
    visitorId,
    present: true,
    visibility: 'visible',
    presence: {},
    connections: 1,
    epoch: 0,
    lastActiveAt: at,
  };
  let next: VisitorSummary;
  switch (event.type) {
    case 'presence':
      next = {
        ...base,
        present: true,
        presence: { ...event.data },
        lastActiveAt: Math.max(base.lastActiveAt, at),
      };
      break;
    case 'visibility':
      next = { ...base, visibility: event.visibility };
      break;
    case 'visitorConnected':
      next = {
        ...base,
        present: true,
        connections: event.connections,
        lastActiveAt: Math.max(base.lastActiveAt, at),
      };
      break;
    case 'connections':
      next = { ...base, connections: event.connections };
      break;
    case 'focus':
      // Focus epochs only grow; an older one arriving late must not undo a newer one.
      if (prev && event.epoch < prev.epoch) return current;
      next = {
        ...base,
        focusedConnectionId: event.connectionId,
        epoch: event.epoch,
        lastActiveAt: Math.max(base.lastActiveAt, at),
      };
      break;
    case 'sessionStart':
      next = { ...base, sessionKey: event.sessionKey };
      break;
    case 'sessionEnd': {
      const { sessionKey: _, ...rest } = base;
      next = rest;
      break;
    }
    default:
      return current;
  }
  if (prev && sameSummary(prev, next)) return current;
  return new Map(current).set(visitorId, next);
}
