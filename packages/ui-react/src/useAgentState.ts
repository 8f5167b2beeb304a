import type { AgentState } from '@beckon/core/agent';
import { useContextAgent } from './beckonContext.js';
import { shallowEqual } from './shallowEqual.js';
import { useSelectedSnapshot } from './useSelectedSnapshot.js';

const whole = <T>(state: T) => state;

/**
 * The agent's state (`agent.getSnapshot()`), or a slice of it, like `useVisitorState` for
 * the agent side: re-renders only when the selection changes (shallowly, by default).
 *
 * @example
 * function AgentStatus() {
 *   const status = useAgentState((s) => s.status);
 *   return <span>{status === 'connected' ? 'Online' : 'Connecting…'}</span>;
 * }
 */
export function useAgentState(): AgentState;
export function useAgentState<T>(
  selector: (state: AgentState) => T,
  isEqual?: (a: T, b: T) => boolean,
): T;
export function useAgentState<T>(
  selector?: (state: AgentState) => T,
  isEqual: (a: T, b: T) => boolean = shallowEqual,
): T | AgentState {
  const agent = useContextAgent('useAgentState()');
  return useSelectedSnapshot(
    agent,
    (selector ?? whole) as (state: AgentState) => T,
    selector ? isEqual : Object.is,
  );
}
