import { assign, emit, enqueueActions, sendTo } from 'xstate';
import { retryDelayAfter } from '../../connection/backoff.js';
import { connectFail } from '../../connection/connectFail.js';
import { isPushOn, isPushRegistering, send, visitorActions } from '../visitorActions.js';
import { messageOf, type VisitorCommand } from '../visitorCommands.js';
import type { VisitorStateConfig } from '../visitorMachine.js';

/** The connection region's actions: the lifecycle, focus, and what the service sends. */
export const connectionActions = visitorActions({
  reportBusyInit: emit({
    type: 'invalidParameter',
    param: 'visitorId',
    reason: 'call disconnect() before changing the group or visitor ID',
  }),
  storeIds: assign(({ event }) =>
    event.type === 'INIT'
      ? { groupId: event.groupId as string, visitorId: event.visitorId as string }
      : {},
  ),
  announceInit: emit(({ context }) => ({
    type: 'initialized' as const,
    groupId: context.groupId!,
    visitorId: context.visitorId!,
  })),
  storeConnectOptions: assign(({ event }) =>
    event.type === 'CONNECT' && event.pushNotifications !== undefined
      ? { pushNotifications: event.pushNotifications as boolean }
      : {},
  ),
  // Sends what the user asked for over the open socket.
  transmitCommand: sendTo('socket', ({ event }) => ({
    type: 'send' as const,
    message: messageOf(event as VisitorCommand),
  })),
  acceptWelcome: enqueueActions(({ context, event, enqueue, check }) => {
    if (event.type !== 'socket.welcome') return;
    const { connectionId, focused, epoch } = event.message;
    enqueue.emit({
      type: 'connected',
      connectionId,
      focused,
      reconnected: context.everConnected,
    });
    // Visibility is state, not an event: if it changed while the hello was in flight, the
    // service must still end up with the current value.
    if (context.helloVisible !== context.visible) {
      send(enqueue, { type: 'visibility', visible: context.visible });
    }
    // A session that started (or was accepted) before this connection — offline, before the
    // first connect, or on a service that restarted since — is announced (again), so the
    // agent's view matches the visitor's.
    if (context.sessionKey !== undefined) {
      send(enqueue, {
        type: 'sessionStart',
        sessionKey: context.sessionKey,
        presenceStart: context.sessionPresenceStart,
      });
      // The session channel needs a ticket from this connection (see requestSessionTicket).
      if (context.hasSession)
        send(enqueue, { type: 'sessionTicket', sessionKey: context.sessionKey });
    }
    // The spec's "visitorerror … conndrop": tell the agent why we were gone.
    if (context.lastDrop) {
      send(enqueue, {
        type: 'error',
        code: 'conndrop',
        msg: 'Connect failed',
        params: { reason: context.lastDrop.reason, code: String(context.lastDrop.code) },
      });
    }
    // A subscription made (or made known) before this connection is told to the service
    // again: a service whose shared state restarted empty would otherwise forget it.
    if (
      context.pushSubscription !== undefined &&
      event.message.vapidPublicKey !== undefined &&
      (check(isPushRegistering) || check(isPushOn))
    ) {
      send(enqueue, { type: 'pushSubscribe', subscription: context.pushSubscription });
    }
    enqueue.assign({
      connectionId,
      epoch,
      attempt: 0,
      everConnected: true,
      lastDrop: undefined,
      pushKey: event.message.vapidPublicKey,
    });
  }),
  scheduleRetry: assign(({ context, event }) => {
    const attempt = context.attempt + 1;
    const delay = retryDelayAfter(
      attempt,
      context.policy,
      event.type === 'socket.closed' ? event : undefined,
    );
    return {
      attempt,
      retryDelay: delay,
      lastDrop:
        event.type === 'socket.closed' && context.everConnected
          ? { code: event.code, reason: event.reason }
          : context.lastDrop,
    };
  }),
  reportRetry: emit(({ context, event }) => connectFail(event, context.retryDelay)),
  reportGiveUp: emit(({ event }) => connectFail(event)),
  reportNotConfigured: emit(({ event }) => ({
    type: 'notConfigured' as const,
    reason: event.type === 'socket.closed' ? event.reason : 'not configured',
  })),
  // A deliberate disconnect (or a final refusal) ends the story of the last drop too.
  resetAttempts: assign({ attempt: 0, connectionId: undefined, lastDrop: undefined }),
  announceDisconnected: emit({ type: 'disconnected' }),
  storeEpoch: assign(({ context, event }) =>
    event.type === 'socket.blur' || event.type === 'socket.focus'
      ? { epoch: Math.max(context.epoch, event.epoch) }
      : {},
  ),
  announceBlur: emit({ type: 'blur' }),
  announceFocus: emit({ type: 'focus' }),
  deliverSignal: enqueueActions(({ event, enqueue }) => {
    if (event.type !== 'socket.signal') return;
    send(enqueue, { type: 'ack', id: event.id });
    enqueue.emit({ type: 'signal', name: event.name, properties: event.properties });
  }),
  reportServiceError: enqueueActions(({ event, enqueue }) => {
    if (event.type !== 'socket.error') return;
    const { code, message, param, retryAfter } = event.message;
    if (code === 'invalidParameter') {
      enqueue.emit({ type: 'invalidParameter', param: param ?? 'message', reason: message });
    } else if (
      code === 'rateLimited' ||
      code === 'malformed' ||
      code === 'invalidMessage' ||
      code === 'tooLarge' ||
      code === 'internal'
    ) {
      enqueue.emit({
        type: 'sendFail',
        reason: message,
        code,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      });
    }
    // Connection-level errors (notConfigured, unauthorized, …) are followed by a close,
    // which is where the machine reacts.
  }),
  reportInvalidFrame: emit(({ event }) => {
    const error =
      event.type === 'socket.invalid'
        ? event.error
        : { code: 'invalidMessage' as const, message: 'invalid frame' };
    return {
      type: 'error' as const,
      source: 'invalidFrame' as const,
      code: error.code,
      message: `ignored a frame from the service: ${error.message}`,
      ...(error.param === undefined ? {} : { param: error.param }),
    };
  }),
  reportSocketSendFailed: emit(({ event }) => ({
    type: 'sendFail' as const,
    reason: event.type === 'socket.sendFailed' ? event.reason : 'send failed',
    code: 'notConnected',
  })),
});

/**
 * The spec's connection lifecycle — init, connect, reconnect with backoff, refusal — and,
 * while connected, focus between the instances of one visitor ID.
 */
export const connectionRegion = {
  initial: 'uninitialized',
  on: {
    // Outside `connected`, user sends fail: the spec does not queue presence.
    PRESENCE: [{ guard: 'invalid', actions: 'reportInvalid' }, { actions: 'sendFail' }],
    SIGNAL_AGENT: [{ guard: 'invalid', actions: 'reportInvalid' }, { actions: 'sendFail' }],
    VISIBILITY: [{ guard: 'invalid', actions: 'reportInvalid' }, { actions: 'sendFail' }],
    INIT: [
      { guard: 'invalid', actions: 'reportInvalid' },
      { target: '.initialized', actions: ['storeIds', 'announceInit'] },
    ],
    DISCONNECT: { target: '.disconnected', actions: ['resetAttempts', 'announceDisconnected'] },
  },
  states: {
    uninitialized: {
      on: {
        CONNECT: { guard: 'invalid', actions: 'reportInvalid' },
        // Nothing to disconnect from yet.
        DISCONNECT: {},
      },
    },
    initialized: {
      on: {
        CONNECT: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: 'online', actions: 'storeConnectOptions' },
        ],
        DISCONNECT: {},
      },
    },
    online: {
      initial: 'connecting',
      // The socket's hello carries this value; welcome compares it with the current one.
      entry: assign(({ context }) => ({ helloVisible: context.visible })),
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({
          groupId: context.groupId!,
          visitorId: context.visitorId!,
          visible: context.visible,
          pushNotifications: context.pushNotifications,
        }),
      },
      on: {
        // Connecting again while online does nothing (the spec).
        CONNECT: { guard: 'invalid', actions: 'reportInvalid' },
        INIT: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { guard: 'sameVisitor', actions: 'announceInit' },
          { actions: 'reportBusyInit' },
        ],
        'socket.closed': [
          {
            guard: 'notConfiguredClose',
            target: 'notConfigured',
            actions: ['resetAttempts', 'reportNotConfigured'],
          },
          {
            guard: 'fatalClose',
            target: 'disconnected',
            actions: ['resetAttempts', 'reportGiveUp'],
          },
          {
            guard: 'outOfAttempts',
            target: 'disconnected',
            actions: ['resetAttempts', 'reportGiveUp'],
          },
          { target: 'reconnecting', actions: ['scheduleRetry', 'reportRetry'] },
        ],
        'socket.error': { actions: 'reportServiceError' },
        'socket.sendFailed': { actions: 'reportSocketSendFailed' },
        'socket.invalid': { actions: 'reportInvalidFrame' },
      },
      states: {
        connecting: {
          on: {
            'socket.welcome': [
              {
                guard: 'welcomedFocused',
                target: 'connected.focused',
                actions: 'acceptWelcome',
              },
              { target: 'connected.blurred', actions: 'acceptWelcome' },
            ],
          },
        },
        connected: {
          initial: 'focused',
          on: {
            PRESENCE: [
              { guard: 'invalid', actions: 'reportInvalid' },
              { actions: 'transmitCommand' },
            ],
            SIGNAL_AGENT: [
              { guard: 'invalid', actions: 'reportInvalid' },
              { actions: 'transmitCommand' },
            ],
            VISIBILITY: [
              { guard: 'invalid', actions: 'reportInvalid' },
              { actions: 'transmitCommand' },
            ],
            'socket.signal': { actions: 'deliverSignal' },
          },
          states: {
            focused: {
              on: {
                'socket.blur': {
                  guard: 'currentEpoch',
                  target: 'blurred',
                  actions: ['storeEpoch', 'announceBlur'],
                },
                'socket.focus': { actions: 'storeEpoch' },
              },
            },
            blurred: {
              on: {
                'socket.focus': {
                  guard: 'currentEpoch',
                  target: 'focused',
                  actions: ['storeEpoch', 'announceFocus'],
                },
                'socket.blur': { actions: 'storeEpoch' },
                // The spec: the next presence, signalAgent or signalVisibility call
                // reclaims focus. The service grants it to whoever is most recently
                // active, which this send makes us.
                PRESENCE: [
                  { guard: 'invalid', actions: 'reportInvalid' },
                  { target: 'focused', actions: ['transmitCommand', 'announceFocus'] },
                ],
                SIGNAL_AGENT: [
                  { guard: 'invalid', actions: 'reportInvalid' },
                  { target: 'focused', actions: ['transmitCommand', 'announceFocus'] },
                ],
                VISIBILITY: [
                  { guard: 'invalid', actions: 'reportInvalid' },
                  { target: 'focused', actions: ['transmitCommand', 'announceFocus'] },
                ],
              },
            },
          },
        },
      },
    },
    reconnecting: {
      after: { retryDelay: 'online' },
      on: {
        // The spec: calls made while the link is down fail, but retry the connection.
        CONNECT: [{ guard: 'invalid', actions: 'reportInvalid' }, { target: 'online' }],
        PRESENCE: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: 'online', actions: 'sendFail' },
        ],
        SIGNAL_AGENT: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: 'online', actions: 'sendFail' },
        ],
        VISIBILITY: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: 'online', actions: 'sendFail' },
        ],
        INIT: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { guard: 'sameVisitor', actions: 'announceInit' },
          { actions: 'reportBusyInit' },
        ],
      },
    },
    disconnected: {
      on: {
        CONNECT: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: 'online', actions: 'storeConnectOptions' },
        ],
        DISCONNECT: {},
      },
    },
    notConfigured: {
      on: {
        CONNECT: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: 'online', actions: 'storeConnectOptions' },
        ],
      },
    },
  },
} as const satisfies VisitorStateConfig;
