import {
  type ActionFunction,
  emit,
  enqueueActions,
  type GuardPredicate,
  type ParameterizedObject,
  stateIn,
} from 'xstate';
import type { FromVisitor } from '../wire/protocol.js';
import { violationOf } from './visitorCommands.js';
import type { VisitorContext, VisitorMachineEvent } from './visitorContext.js';
import type { VisitorEmitted } from './visitorEvents.js';

/** A named action of the visitor machine whose params are `P`. */
type VisitorAction<P extends ParameterizedObject['params'] | undefined> = ActionFunction<
  VisitorContext,
  VisitorMachineEvent,
  VisitorMachineEvent,
  P,
  never,
  never,
  never,
  never,
  VisitorEmitted
>;

/**
 * Types a region's named actions as `setup({ actions })` would, so they can live with the
 * region that uses them: the machine's context, events and emitted events, and each
 * action's params as inferred there. They may not enqueue other named actions by name.
 *
 * @example
 * export const visibilityActions = visitorActions({
 *   storeVisibility: assign(({ event }) => (event.type === 'VISIBILITY' ? { visible: event.visible as boolean } : {})),
 * });
 */
export const visitorActions = <T extends Record<string, ParameterizedObject['params'] | undefined>>(
  actions: { [K in keyof T]: VisitorAction<T[K]> },
) => actions;

// Whether the socket is up and welcomed: the only time a send can succeed. Typed for
// `check()` inside enqueueActions, which does not accept named guards.
export const isConnected = stateIn(
  '#visitor.connection.online.connected',
) as unknown as GuardPredicate<VisitorContext, VisitorMachineEvent, undefined, never>;

export const notConnected = {
  type: 'sendFail',
  reason: 'not connected to the presence service',
  code: 'notConnected',
} as const;

/** The actions every region uses: reporting a bad command, and sending what it originates. */
export const commonActions = visitorActions({
  reportInvalid: emit(({ context, event }) => {
    const v = violationOf(context, event) ?? { param: 'event', reason: 'invalid' };
    return { type: 'invalidParameter' as const, param: v.param, reason: v.reason };
  }),
  sendFail: emit(notConnected),
  // Sends a message the machine itself originates; when offline the app hears sendFail.
  transmit: enqueueActions(({ enqueue, check }, message: FromVisitor) => {
    if (check(isConnected)) {
      enqueue.sendTo('socket', { type: 'send', message });
    } else {
      enqueue.emit(notConnected);
    }
  }),
});
