import { emit, enqueueActions, sendTo } from 'xstate';
import type { SessionActorCommand } from '../../session/createSessionActor.js';
import type { FromVisitor } from '../../wire/protocol.js';
import { isConnected, send, sendOrFail, visitorActions } from '../visitorActions.js';
import type { VisitorMachineEvent } from '../visitorContext.js';
import type { VisitorStateConfig } from '../visitorMachine.js';

/** The session's actions: starting and ending it, and the session channel's tickets and viewers. */
export const sessionActions = visitorActions({
  reportSessionRunning: emit({
    type: 'invalidParameter',
    param: 'session',
    reason: 'a session is already running; call endSession() first',
  }),
  reportNoSession: emit({
    type: 'invalidParameter',
    param: 'session',
    reason: 'no session is running',
  }),
  // Sessions with a provider: a ticket for the session channel, asked for by the connection
  // that announced the session. Offline, the next welcome asks (after re-announcing).
  requestSessionTicket: enqueueActions(({ context, enqueue, check }) => {
    if (!context.hasSession || context.sessionKey === undefined || !check(isConnected)) return;
    send(enqueue, { type: 'sessionTicket', sessionKey: context.sessionKey });
  }),
  forwardSessionAnswer: sendTo('session', ({ event }): SessionActorCommand => {
    if (event.type === 'socket.sessionTicket') {
      const { sessionKey, ticket, expiresAt } = event;
      return { type: 'ticket', sessionKey, ticket, expiresAt };
    }
    const refusal = event as Extract<VisitorMachineEvent, { type: 'socket.sessionRefused' }>;
    return {
      type: 'refused',
      sessionKey: refusal.sessionKey,
      code: refusal.code,
      message: refusal.message,
    };
  }),
  storeViewers: enqueueActions(({ event, enqueue }) => {
    if (event.type !== 'session.viewers') return;
    enqueue.assign({ sessionViewers: event.viewers });
    enqueue.emit({ type: 'sessionViewers', viewers: event.viewers });
  }),
  // Sessions: the key the app gave, else the pending request's, else the visitor ID.
  beginSession: enqueueActions(({ context, event, enqueue, check }) => {
    const fromApp = event.type === 'START_SESSION';
    const sessionKey =
      (fromApp ? (event.key as string | undefined) : undefined) ??
      context.request?.sessionKey ??
      context.visitorId!;
    const presenceStart = fromApp ? event.presenceStart === true : true;
    enqueue.assign({
      sessionKey,
      sessionPresenceStart: presenceStart,
      request: undefined,
      autoStart: false,
    });
    enqueue.emit({ type: 'sessionStart', sessionKey, presenceStart });
    sendOrFail(enqueue, check(isConnected), { type: 'sessionStart', sessionKey, presenceStart });
  }),
  endSession: enqueueActions(({ event, enqueue, check }) => {
    const reason =
      event.type === 'END_SESSION'
        ? (event.reason as string | undefined)
        : event.type === 'session.ended'
          ? event.reason
          : undefined;
    const message: FromVisitor =
      reason === undefined ? { type: 'sessionEnd' } : { type: 'sessionEnd', reason };
    enqueue.assign({ sessionKey: undefined, sessionViewers: 0 });
    enqueue.emit(reason === undefined ? { type: 'sessionEnd' } : { type: 'sessionEnd', reason });
    sendOrFail(enqueue, check(isConnected), message);
  }),
});

/**
 * The terms region's `session` state: a session runs (the `session` actor, a provider's or
 * the announcing placeholder) until the app, the provider or an agent ends it.
 */
export const sessionState = {
  invoke: {
    id: 'session',
    src: 'session',
    input: ({ context }) => ({
      sessionKey: context.sessionKey!,
      presenceStart: context.sessionPresenceStart,
      groupId: context.groupId!,
      visitorId: context.visitorId!,
    }),
  },
  entry: 'requestSessionTicket',
  on: {
    START_SESSION: [
      { guard: 'invalid', actions: 'reportInvalid' },
      { actions: 'reportSessionRunning' },
    ],
    END_SESSION: [
      { guard: 'invalid', actions: 'reportInvalid' },
      { target: 'ended', actions: 'endSession' },
    ],
    'socket.showTerms': { actions: 'ackBusy' },
    SIGNAL_AGENT: {},
    // The session actor's channel dropped; the service's answers go back to it.
    'session.ticket': { actions: 'requestSessionTicket' },
    'socket.sessionTicket': { actions: 'forwardSessionAnswer' },
    'socket.sessionRefused': { actions: 'forwardSessionAnswer' },
    'session.viewers': { actions: 'storeViewers' },
    // The provider ended it (the visitor pressed Stop, it failed), or an agent did.
    'session.ended': { target: 'ended', actions: 'endSession' },
  },
} as const satisfies VisitorStateConfig;
