import { visitorKey } from './Conn.js';

/** What identifies a held request's visitor. */
interface ForVisitor {
  groupId: string;
  visitorId: string;
}

/** Requests waiting for their visitor to (re)connect, by visitor. */
export interface HeldRequests<T extends ForVisitor> {
  add(request: T): void;
  /** Whether it was held (and is not anymore). */
  remove(request: T): boolean;
  /** Takes every request held for the visitor; none are held for it afterwards. */
  take(groupId: string, visitorId: string): Iterable<T>;
  isEmpty(): boolean;
}

const NONE: never[] = [];

/**
 * The requests an agent's process holds while their visitor is within its reconnect grace
 * window, so the event that ends the wait finds them in one lookup.
 *
 * @example
 * const held = createHeldRequests<Pending>();
 * held.add(p);
 * for (const q of held.take('shop', 'alice')) deliverTo(q, connectionId, epoch);
 */
export function createHeldRequests<T extends ForVisitor>(): HeldRequests<T> {
  const byVisitor = new Map<string, Set<T>>();
  return {
    add(request) {
      const key = visitorKey(request.groupId, request.visitorId);
      let set = byVisitor.get(key);
      if (!set) {
        set = new Set();
        byVisitor.set(key, set);
      }
      set.add(request);
    },
    remove(request) {
      const key = visitorKey(request.groupId, request.visitorId);
      const set = byVisitor.get(key);
      if (!set?.delete(request)) return false;
      if (set.size === 0) byVisitor.delete(key);
      return true;
    },
    take(groupId, visitorId) {
      const key = visitorKey(groupId, visitorId);
      const set = byVisitor.get(key);
      if (!set) return NONE;
      byVisitor.delete(key);
      return set;
    },
    isEmpty: () => byVisitor.size === 0,
  };
}
