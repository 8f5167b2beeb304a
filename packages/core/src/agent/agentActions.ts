import type { ActionFunction, ParameterizedObject } from 'xstate';
import type { AgentContext, AgentMachineEvent } from './agentContext.js';
import type { AgentEmitted } from './agentEvents.js';

/**
 * Types named actions as the agent machine's `setup({ actions })` would — its context,
 * events and emitted events, and each action's params as inferred there — so they can live
 * in modules of their own. They may not enqueue other named actions by name.
 *
 * @example
 * export const someActions = agentActions({
 *   resetAttempts: assign({ attempt: 0 }),
 * });
 */
export const agentActions = <T extends Record<string, ParameterizedObject['params'] | undefined>>(
  actions: {
    [K in keyof T]: ActionFunction<
      AgentContext,
      AgentMachineEvent,
      AgentMachineEvent,
      T[K],
      never,
      never,
      never,
      never,
      AgentEmitted
    >;
  },
) => actions;
