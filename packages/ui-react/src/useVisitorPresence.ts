import type { VisitorSummary } from '@beckon/core/agent';
import { useCallback, useSyncExternalStore } from 'react';
import { useContextAgent } from './beckonContext.js';

/**
 * One visitor's live summary from the agent's visitor map — visibility, the latest
 * presence data, connections, session — or `undefined` while the service does not know that
 * visitor (or it is not watched: the hook only reads; call `agent.watch(visitorId)` or
 * `agent.watch()`). An away visitor is there, with `present: false`.
 * Re-renders only when that visitor's entry changes.
 *
 * @example
 * function VisitorBadge({ visitorId }: { visitorId: string }) {
 *   const visitor = useVisitorPresence(visitorId);
 *   if (!visitor) return <span>offline</span>;
 *   return <span>{visitor.visibility} on {visitor.presence.url ?? '—'}</span>;
 * }
 */
export function useVisitorPresence(visitorId: string): VisitorSummary | undefined {
  if (typeof visitorId !== 'string') {
    throw new TypeError('useVisitorPresence(visitorId): visitorId must be a string');
  }
  const agent = useContextAgent('useVisitorPresence()');
  const subscribe = useCallback(
    (onStoreChange: () => void) => agent.subscribe(() => onStoreChange()),
    [agent],
  );
  const getEntry = useCallback(
    () => agent.getSnapshot().visitors.get(visitorId),
    [agent, visitorId],
  );
  return useSyncExternalStore(subscribe, getEntry, getEntry);
}
