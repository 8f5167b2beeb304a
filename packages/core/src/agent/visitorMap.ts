/**
 * The agent's live view of visitors: pure functions over an immutable map, each returning
 * the very same map (and the same summary objects) when nothing changed, so UI bindings can
 * compare by identity. The map shares structure between versions, so a change costs about
 * the same in a group of 20,000 as in one of 20.
 */
import type { AgentLiveEvent, VisitorSummary } from '../wire/protocol.js';
import { PersistentMap } from './PersistentMap.js';

export type VisitorMap = PersistentMap<VisitorSummary>;

export const EMPTY_VISITORS: VisitorMap = PersistentMap.empty();

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
  if (summary === null) return current.delete(visitorId);
  const prev = current.get(visitorId);
  if (prev && sameSummary(prev, summary)) return current;
  return current.set(visitorId, summary);
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
  const gone: [string, undefined][] = [];
  for (const id of current.keys()) if (!keep(id)) gone.push([id, undefined]);
  return current.update(gone);
}

/**
 * What one live event makes of a visitor's summary: the new summary, the same object when
 * the event changes nothing, or `null` when the visitor left (`visitorDisconnected`, which
 * the service debounces so a reload is not a leave). A visitor first heard of through an
 * event is present by definition. Events that carry no summary state (`terms`,
 * `visitorError`, custom `signal`) change nothing.
 *
 * @example
 * const next = summaryAfter(visitors.get('alice'), event);
 */
export function summaryAfter(
  prev: VisitorSummary | undefined,
  event: AgentLiveEvent,
): VisitorSummary | null | undefined {
  const { visitorId, at } = event;
  if (event.type === 'visitorDisconnected') return null;
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
        presence: { ...event.data },
        lastActiveAt: Math.max(base.lastActiveAt, at),
      };
      break;
    case 'visibility':
      // Away is the one state in which a visitor is no longer present (nor signalable).
      next = { ...base, visibility: event.visibility, present: event.visibility !== 'away' };
      break;
    case 'visitorConnected':
      // A first connection: whatever was known before belongs to a visitor that left.
      next = {
        visitorId,
        present: true,
        visibility: 'visible',
        presence: {},
        connections: event.connections,
        epoch: base.epoch,
        lastActiveAt: Math.max(base.lastActiveAt, at),
      };
      break;
    case 'connections':
      next = { ...base, connections: event.connections };
      // With no connection left (reconnecting within the grace window) nothing holds focus.
      if (event.connections === 0) delete next.focusedConnectionId;
      break;
    case 'focus':
      // Focus epochs only grow; an older one arriving late must not undo a newer one.
      if (prev && event.epoch < prev.epoch) return prev;
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
      return prev;
  }
  return prev && sameSummary(prev, next) ? prev : next;
}

/**
 * Folds one live event into the map (see {@link summaryAfter}): the same map when nothing
 * changed.
 *
 * @example
 * visitors = applyVisitorEvent(visitors, { type: 'visibility', visitorId: 'alice-42', at: 1, visibility: 'hidden' });
 */
export function applyVisitorEvent(current: VisitorMap, event: AgentLiveEvent): VisitorMap {
  const prev = current.get(event.visitorId);
  const next = summaryAfter(prev, event);
  if (next === prev) return current;
  return setVisitor(current, event.visitorId, next ?? null);
}
