import type { VisitorSummary } from '@beckon/core/agent';
import { useCallback, useSyncExternalStore } from 'react';
import { useContextAgent } from './beckonContext.js';
import { sortVisitors } from './sortVisitors.js';

/**
 * The live list of the visitors the agent watches (`agent.getSnapshot().visitors`: those the
 * service knows, away ones included), most recently active first (ties by visitor ID). The
 * array and each entry keep their identity while unchanged, so rows can be memoised. The
 * hook only reads: call `agent.watch()` to fill the list.
 *
 * @example
 * function Visitors() {
 *   const agent = useAgent();
 *   const visitors = useVisitors();
 *   return (
 *     <ul>
 *       {visitors.map((v) => (
 *         <li key={v.visitorId}>
 *           {v.visitorId} · {v.visibility} · {v.presence.url}
 *           <button onClick={() => agent.showTerms(v.visitorId).catch(console.warn)}>Connect</button>
 *         </li>
 *       ))}
 *     </ul>
 *   );
 * }
 */
export function useVisitors(): readonly VisitorSummary[] {
  const agent = useContextAgent('useVisitors()');
  const subscribe = useCallback(
    (onStoreChange: () => void) => agent.subscribe(() => onStoreChange()),
    [agent],
  );
  const getList = useCallback(() => sortVisitors(agent.getSnapshot().visitors), [agent]);
  return useSyncExternalStore(subscribe, getList, getList);
}
