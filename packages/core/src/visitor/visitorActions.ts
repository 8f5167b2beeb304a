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
import type { VisitorSocketCommand } from './visitorConnection.js';
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

// State checks for `check()` inside enqueueActions, which does not accept named guards.
const inState = stateIn as unknown as (
  id: string,
) => GuardPredicate<VisitorContext, VisitorMachineEvent, undefined, never>;

// Whether the socket is up and welcomed: the only time a send can succeed.
export const isConnected = inState('#visitor.connection.online.connected');

// The push region holds a subscription the service is to know about.
export const isPushRegistering = inState('#visitor.push.registering');
export const isPushOn = inState('#visitor.push.on');

export const notConnected = {
  type: 'sendFail',
  reason: 'not connected to the presence service',
  code: 'notConnected',
} as const;

/** The part of XState's `enqueue` that the helpers below use. */
interface Outbox {
  sendTo(target: 'socket', event: VisitorSocketCommand): void;
  emit(event: VisitorEmitted): void;
}

/**
 * Enqueues a message to the service on the socket.
 *
 * @example
 * enqueueActions(({ event, enqueue }) => send(enqueue, { type: 'ack', id: 7 }));
 */
export function send(enqueue: Pick<Outbox, 'sendTo'>, message: FromVisitor): void {
  enqueue.sendTo('socket', { type: 'send', message });
}

/**
 * Enqueues a message the machine itself originates, or, offline, the `sendFail` the app
 * hears instead.
 *
 * @example
 * enqueueActions(({ enqueue, check }) => sendOrFail(enqueue, check(isConnected), { type: 'sessionEnd' }));
 */
export function sendOrFail(enqueue: Outbox, connected: boolean, message: FromVisitor): void {
  if (connected) send(enqueue, message);
  else enqueue.emit(notConnected);
}

/** The actions every region uses: reporting a bad command, and sending what it originates. */
export const commonActions = visitorActions({
  reportInvalid: emit(({ context, event }) => {
    const v = violationOf(context, event) ?? { param: 'event', reason: 'invalid' };
    return { type: 'invalidParameter' as const, param: v.param, reason: v.reason };
  }),
  sendFail: emit(notConnected),
  // Sends a message the machine itself originates; when offline the app hears sendFail.
  transmit: enqueueActions(({ enqueue, check }, message: FromVisitor) => {
    sendOrFail(enqueue, check(isConnected), message);
  }),
});
