import { and, assign, emit, enqueueActions, stateIn } from 'xstate';
import { isConnected, send, visitorActions } from '../visitorActions.js';
import type { VisitorStateConfig } from '../visitorMachine.js';

/** The push region's actions (docs/push.md). */
export const pushActions = visitorActions({
  reportNoPushProvider: emit({
    type: 'pushUnavailable',
    reason: 'unsupported',
    message: 'no push provider: pass createVisitor({ push })',
  }),
  reportPushNotAsked: emit({
    type: 'invalidParameter',
    param: 'pushNotifications',
    reason: 'call connect({ pushNotifications: true }) before enablePush()',
  }),
  reportPushNotConfigured: emit({
    type: 'pushUnavailable',
    reason: 'notConfigured',
    message: 'push notifications are not configured for this group',
  }),
  reportPushFailed: emit(({ event }) => ({
    type: 'pushUnavailable' as const,
    reason: event.type === 'push.failed' ? event.reason : 'failed',
    message: event.type === 'push.failed' ? event.message : 'push failed',
  })),
  reportPushRefused: emit(({ event }) => ({
    type: 'pushUnavailable' as const,
    reason:
      event.type === 'socket.pushRefused' && event.code === 'notConfigured'
        ? ('notConfigured' as const)
        : ('refused' as const),
    message: event.type === 'socket.pushRefused' ? event.message : 'refused',
  })),
  announcePushEnabled: emit(({ context }) => ({
    type: 'pushEnabled' as const,
    endpoint: context.pushSubscription?.endpoint ?? '',
  })),
  announcePushDisabled: emit({ type: 'pushDisabled' }),
  storePushSubscription: assign(({ event }) =>
    event.type === 'push.subscribed' ? { pushSubscription: event.subscription } : {},
  ),
  forgetPushSubscription: assign({ pushSubscription: undefined }),
  // Told when connected; otherwise the next welcome tells it (see acceptWelcome).
  sendPushSubscription: enqueueActions(({ context, enqueue, check }) => {
    if (!context.pushSubscription || !check(isConnected)) return;
    send(enqueue, { type: 'pushSubscribe', subscription: context.pushSubscription });
  }),
  sendPushUnsubscribe: enqueueActions(({ context, enqueue, check }) => {
    if (!context.pushSubscription || !check(isConnected)) return;
    send(enqueue, { type: 'pushUnsubscribe', endpoint: context.pushSubscription.endpoint });
  }),
});

/**
 * Web Push (docs/push.md): the app turns it on (enablePush(), on a user gesture) and off
 * (disablePush(), or disconnect({ logout: true })). The provider asks for permission and
 * subscribes with the group's key from the welcome; the service stores the subscription.
 */
export const pushRegion = {
  initial: 'off',
  states: {
    off: {
      on: {
        ENABLE_PUSH: [
          { guard: 'noPushProvider', actions: 'reportNoPushProvider' },
          { guard: 'pushNotAsked', actions: 'reportPushNotAsked' },
          {
            guard: and([stateIn('#visitor.connection.online.connected'), 'pushKeyKnown']),
            target: 'subscribing',
          },
          {
            guard: stateIn('#visitor.connection.online.connected'),
            actions: 'reportPushNotConfigured',
          },
          { target: 'waiting' },
        ],
      },
    },
    // Wanted before the service said whether the group has push: the next welcome does.
    waiting: {
      on: {
        'socket.welcome': [
          { guard: 'welcomedWithoutPush', target: 'off', actions: 'reportPushNotConfigured' },
          { target: 'subscribing' },
        ],
        DISABLE_PUSH: { target: 'off' },
      },
    },
    subscribing: {
      invoke: {
        src: 'push',
        input: ({ context }) => ({ vapidPublicKey: context.pushKey! }),
      },
      on: {
        'push.subscribed': {
          target: 'registering',
          actions: ['storePushSubscription', 'sendPushSubscription'],
        },
        'push.failed': { target: 'off', actions: 'reportPushFailed' },
        // The browser may subscribe all the same: unsubscribe whatever it has.
        DISABLE_PUSH: { target: 'unsubscribing' },
      },
    },
    // Sent to the service (or to be sent by the next welcome); waiting for its answer.
    registering: {
      on: {
        // The group lost push between two connections.
        'socket.welcome': {
          guard: 'welcomedWithoutPush',
          target: 'off',
          actions: ['reportPushNotConfigured', 'forgetPushSubscription'],
        },
        'socket.pushSubscribed': {
          guard: 'ownEndpoint',
          target: 'on',
          actions: 'announcePushEnabled',
        },
        'socket.pushRefused': {
          guard: 'ownEndpoint',
          target: 'off',
          actions: ['reportPushRefused', 'forgetPushSubscription'],
        },
        DISABLE_PUSH: { target: 'unsubscribing', actions: 'sendPushUnsubscribe' },
      },
    },
    on: {
      on: {
        'socket.welcome': {
          guard: 'welcomedWithoutPush',
          target: 'off',
          actions: ['reportPushNotConfigured', 'forgetPushSubscription'],
        },
        // Refreshed on every welcome; a refusal then (the group lost push) turns it off.
        'socket.pushRefused': {
          guard: 'ownEndpoint',
          target: 'off',
          actions: ['reportPushRefused', 'forgetPushSubscription'],
        },
        DISABLE_PUSH: { target: 'unsubscribing', actions: 'sendPushUnsubscribe' },
      },
    },
    unsubscribing: {
      invoke: { src: 'pushRemoval' },
      on: {
        'push.removed': {
          target: 'off',
          actions: ['forgetPushSubscription', 'announcePushDisabled'],
        },
      },
    },
  },
} as const satisfies VisitorStateConfig;
