import {
  and,
  assign,
  emit,
  enqueueActions,
  fromCallback,
  type GuardPredicate,
  sendTo,
  setup,
  stateIn,
} from 'xstate';
import {
  defaultReconnectPolicy,
  type ReconnectPolicy,
  retryDelayAfter,
} from '../connection/backoff.js';
import type { ConsentEvent } from '../consent/consentActor.js';
import type { ConsentRequest } from '../consent/consentUI.js';
import type { PushActorEvent } from '../push/createPushActors.js';
import type { PushSubscriptionData } from '../push/PushProvider.js';
import type {
  SessionActorCommand,
  SessionActorEvent,
  SessionActorInput,
} from '../session/createSessionActor.js';
import { CloseCode, isFatalClose } from '../wire/codes.js';
import type { TermsStatus } from '../wire/limits.js';
import type { FromVisitor } from '../wire/protocol.js';
import { messageOf, termsStatusOf, type VisitorCommand, violationOf } from './visitorCommands.js';
import type {
  VisitorConnectionInput,
  VisitorSocketCommand,
  VisitorSocketEvent,
} from './visitorConnection.js';
import type { VisitorEmitted } from './visitorEvents.js';

/** A consent request from an agent, as the machine keeps it. */
export interface PendingRequest extends ConsentRequest {
  /** The service's request id, acknowledged on receipt. */
  id: number;
  /** The request as apps see it: one frozen object per request, so UIs can tell requests apart. */
  view: Readonly<ConsentRequest>;
  /** Whether the agent has been told the request is on screen. */
  displayed: boolean;
}

export interface VisitorContext {
  groupId: string | undefined;
  visitorId: string | undefined;
  pushNotifications: boolean;
  visible: boolean;
  /** Whether a `ConsentUI` was injected; the default UI needs one. */
  hasUI: boolean;
  defaultUI: boolean;
  policy: ReconnectPolicy;
  /** Failed attempts since the last successful connect. */
  attempt: number;
  /** The wait before the next attempt, drawn when the attempt is scheduled. */
  retryDelay: number;
  /** Set after the first successful connect; later ones are reconnects. */
  everConnected: boolean;
  /** Why the last connection dropped; reported to the agent once back online. */
  lastDrop: { code: number; reason: string } | undefined;
  connectionId: string | undefined;
  epoch: number;
  request: PendingRequest | undefined;
  /**
   * Whether accepting the pending request starts the session here — it was answered in the
   * default UI or with `acceptTerms()` — rather than by the app's own `startSession()`.
   */
  autoStart: boolean;
  sessionKey: string | undefined;
  /** The visibility the current connection's hello carried. */
  helloVisible: boolean;
  /** Whether the running session came from a presence (agent) request. */
  sessionPresenceStart: boolean;
  /** Whether a `SessionProvider` was injected: sessions then open the session channel. */
  hasSession: boolean;
  /** Viewers (agents) watching the running session, as the session channel reports. */
  sessionViewers: number;
  /** Whether a `PushProvider` was injected (`createVisitor({ push })`). */
  hasPush: boolean;
  /** The group's VAPID public key, from the last welcome; undefined when the group has no push. */
  pushKey: string | undefined;
  /** This browser's subscription, once the provider made it: what the service is told. */
  pushSubscription: PushSubscriptionData | undefined;
}

export type VisitorMachineEvent =
  | VisitorCommand
  | VisitorSocketEvent
  | ConsentEvent
  | SessionActorEvent
  | PushActorEvent;

export interface VisitorMachineInput {
  hasUI?: boolean;
  /** Whether a `SessionProvider` runs sessions (`createVisitor({ session })`). */
  hasSession?: boolean;
  /** Whether a `PushProvider` can wake this visitor (`createVisitor({ push })`). */
  hasPush?: boolean;
  visible?: boolean;
  reconnect?: Partial<ReconnectPolicy>;
}

// Whether the socket is up and welcomed: the only time a send can succeed. Typed for
// `check()` inside enqueueActions, which does not accept named guards.
const isConnected = stateIn('#visitor.connection.online.connected') as unknown as GuardPredicate<
  VisitorContext,
  VisitorMachineEvent,
  undefined,
  never
>;

// The push region holds a subscription the service is to know about.
const isPushRegistering = stateIn('#visitor.push.registering') as unknown as GuardPredicate<
  VisitorContext,
  VisitorMachineEvent,
  undefined,
  never
>;
const isPushOn = stateIn('#visitor.push.on') as unknown as GuardPredicate<
  VisitorContext,
  VisitorMachineEvent,
  undefined,
  never
>;

const termsSignal = (status: TermsStatus): FromVisitor => ({
  type: 'signal',
  name: 'terms',
  properties: { status },
});

const notConnected = {
  type: 'sendFail',
  reason: 'not connected to the presence service',
  code: 'notConnected',
} as const;

// An answer given through Beckon — the default UI's, or the app's acceptTerms() /
// declineTerms() — is reported to the agent and, on accept, starts the session.
const answerTransitions = [
  {
    guard: 'accepted',
    target: '#visitor.terms.accepted',
    actions: [
      'markAutoStart',
      { type: 'transmit', params: termsSignal('accepted') },
      'announceAccepted',
    ],
  },
  {
    target: '#visitor.terms.declined',
    actions: [
      { type: 'transmit', params: termsSignal('declined') },
      'announceDeclined',
      'forgetRequest',
    ],
  },
] as const;

/**
 * The visitor's state machine: the spec's connection lifecycle, focus between instances of
 * one visitor ID, visibility, the consent (terms) flow and Web Push, as four parallel
 * regions. I/O is named actors — `socket` (the connection), `consentDialog` (the default
 * UI), `session`, `push` and `pushRemoval` — that `createVisitor` provides; tests swap them
 * with `.provide()`.
 *
 * @example
 * const actor = createActor(
 *   visitorMachine.provide({ actors: { socket: createVisitorConnection({ transport, clock, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) } }),
 *   { input: {} },
 * ).start();
 * actor.send({ type: 'INIT', groupId: 'acme', visitorId: 'alice' });
 */
export const visitorMachine = setup({
  types: {
    context: {} as VisitorContext,
    events: {} as VisitorMachineEvent,
    emitted: {} as VisitorEmitted,
    input: {} as VisitorMachineInput,
  },
  actors: {
    // Placeholders: createVisitor provides the real ones.
    socket: fromCallback<VisitorSocketCommand, VisitorConnectionInput, VisitorSocketEvent>(
      ({ sendBack }) => {
        sendBack({
          type: 'socket.closed',
          code: CloseCode.badRequest,
          reason: 'no transport configured',
        });
      },
    ),
    consentDialog: fromCallback<{ type: 'consent.none' }, ConsentRequest, ConsentEvent>(
      ({ sendBack }) => {
        sendBack({ type: 'consent.failed', reason: 'no consent UI configured' });
      },
    ),
    // Without a provider a session is only announced, as the spec's SDK does.
    session: fromCallback<SessionActorCommand, SessionActorInput, SessionActorEvent>(() => {}),
    // Without a push provider, enablePush() reports `unsupported` before any of these run.
    push: fromCallback<{ type: 'push.none' }, { vapidPublicKey: string }, PushActorEvent>(
      ({ sendBack }) => {
        sendBack({ type: 'push.failed', reason: 'unsupported', message: 'no push provider' });
      },
    ),
    pushRemoval: fromCallback<{ type: 'push.none' }, undefined, PushActorEvent>(({ sendBack }) => {
      sendBack({ type: 'push.removed' });
    }),
  },
  guards: {
    invalid: ({ context, event }) => violationOf(context, event) !== undefined,
    sameVisitor: ({ context, event }) =>
      event.type === 'INIT' &&
      event.groupId === context.groupId &&
      event.visitorId === context.visitorId,
    welcomedFocused: ({ event }) => event.type === 'socket.welcome' && event.message.focused,
    notConfiguredClose: ({ event }) =>
      event.type === 'socket.closed' && event.code === CloseCode.notConfigured,
    fatalClose: ({ event }) => event.type === 'socket.closed' && isFatalClose(event.code),
    outOfAttempts: ({ context }) => context.attempt + 1 > context.policy.maxAttempts,
    currentEpoch: ({ context, event }) =>
      (event.type === 'socket.blur' || event.type === 'socket.focus') &&
      event.epoch >= context.epoch,
    useDefaultUI: ({ context }) => context.defaultUI && context.hasUI,
    autoStart: ({ context }) => context.autoStart,
    accepted: ({ event }) =>
      ((event.type === 'consent.answered' || event.type === 'CONSENT') &&
        event.decision === 'accepted') ||
      termsStatusOf(event) === 'accepted',
    declined: ({ event }) =>
      ((event.type === 'consent.answered' || event.type === 'CONSENT') &&
        event.decision === 'declined') ||
      termsStatusOf(event) === 'declined',
    displayed: ({ event }) =>
      (event.type === 'CONSENT' && event.decision === 'displayed') ||
      termsStatusOf(event) === 'displayed',
    firstDisplay: ({ context }) => context.request !== undefined && !context.request.displayed,
    noRequest: ({ context }) => context.request === undefined,
    becomesVisible: ({ event }) => event.type === 'VISIBILITY' && event.visible === true,
    becomesHidden: ({ event }) => event.type === 'VISIBILITY' && event.visible === false,
    noPushProvider: ({ context }) => !context.hasPush,
    pushNotAsked: ({ context }) => !context.pushNotifications,
    // Whether the service has told this connection the group's key (or that there is none).
    pushKeyKnown: ({ context }) => context.pushKey !== undefined,
    welcomedWithoutPush: ({ event }) =>
      event.type === 'socket.welcome' && event.message.vapidPublicKey === undefined,
    // The service's answer concerns the subscription this browser has now.
    ownEndpoint: ({ context, event }) =>
      (event.type === 'socket.pushSubscribed' || event.type === 'socket.pushRefused') &&
      event.endpoint === context.pushSubscription?.endpoint,
  },
  delays: {
    retryDelay: ({ context }) => context.retryDelay,
  },
  actions: {
    reportInvalid: emit(({ context, event }) => {
      const v = violationOf(context, event) ?? { param: 'event', reason: 'invalid' };
      return { type: 'invalidParameter' as const, param: v.param, reason: v.reason };
    }),
    reportBusyInit: emit({
      type: 'invalidParameter',
      param: 'visitorId',
      reason: 'call disconnect() before changing the group or visitor ID',
    }),
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
    sendFail: emit(notConnected),
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
    storeDefaultUI: assign(({ event }) =>
      event.type === 'SET_DEFAULT_UI' ? { defaultUI: event.enabled as boolean } : {},
    ),
    storeVisibility: assign(({ event }) =>
      event.type === 'VISIBILITY' ? { visible: event.visible as boolean } : {},
    ),
    // Sends what the user asked for over the open socket.
    transmitCommand: sendTo('socket', ({ event }) => ({
      type: 'send' as const,
      message: messageOf(event as VisitorCommand),
    })),
    // Sends a message the machine itself originates; when offline the app hears sendFail.
    transmit: enqueueActions(({ enqueue, check }, message: FromVisitor) => {
      if (check(isConnected)) {
        enqueue.sendTo('socket', { type: 'send', message });
      } else {
        enqueue.emit(notConnected);
      }
    }),
    acceptWelcome: enqueueActions(({ context, event, enqueue, check }) => {
      if (event.type !== 'socket.welcome') return;
      const { connectionId, focused, epoch } = event.message;
      enqueue.emit({
        type: 'connected',
        connectionId,
        focused,
        reconnected: context.everConnected,
      });
      const send = (message: FromVisitor) => enqueue.sendTo('socket', { type: 'send', message });
      // Visibility is state, not an event: if it changed while the hello was in flight, the
      // service must still end up with the current value.
      if (context.helloVisible !== context.visible) {
        send({ type: 'visibility', visible: context.visible });
      }
      // A session that started (or was accepted) before this connection — offline, before the
      // first connect, or on a service that restarted since — is announced (again), so the
      // agent's view matches the visitor's.
      if (context.sessionKey !== undefined) {
        send({
          type: 'sessionStart',
          sessionKey: context.sessionKey,
          presenceStart: context.sessionPresenceStart,
        });
        // The session channel needs a ticket from this connection (see requestSessionTicket).
        if (context.hasSession) send({ type: 'sessionTicket', sessionKey: context.sessionKey });
      }
      // The spec's "visitorerror … conndrop": tell the agent why we were gone.
      if (context.lastDrop) {
        enqueue.sendTo('socket', {
          type: 'send',
          message: {
            type: 'error',
            code: 'conndrop',
            msg: 'Connect failed',
            params: { reason: context.lastDrop.reason, code: String(context.lastDrop.code) },
          },
        });
      }
      // A subscription made (or made known) before this connection is told to the service
      // again: a service whose shared state restarted empty would otherwise forget it.
      if (
        context.pushSubscription !== undefined &&
        event.message.vapidPublicKey !== undefined &&
        (check(isPushRegistering) || check(isPushOn))
      ) {
        send({ type: 'pushSubscribe', subscription: context.pushSubscription });
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
    reportRetry: emit(({ context, event }) => ({
      type: 'connectFail' as const,
      reason: event.type === 'socket.closed' ? event.reason : 'connection failed',
      code: event.type === 'socket.closed' ? event.code : CloseCode.abnormal,
      willRetry: true,
      retryInMs: context.retryDelay,
    })),
    reportGiveUp: emit(({ event }) => ({
      type: 'connectFail' as const,
      reason: event.type === 'socket.closed' ? event.reason : 'connection failed',
      code: event.type === 'socket.closed' ? event.code : CloseCode.abnormal,
      willRetry: false,
    })),
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
      enqueue.sendTo('socket', { type: 'send', message: { type: 'ack', id: event.id } });
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
    // Terms / consent.
    storeRequest: assign(({ context, event }) => {
      if (event.type !== 'socket.showTerms') return {};
      const view: ConsentRequest = Object.freeze({
        visitorId: context.visitorId!,
        sessionKey: event.sessionKey ?? context.visitorId!,
        ...(event.termsUrl === undefined ? {} : { termsUrl: event.termsUrl }),
      });
      return {
        autoStart: false,
        request: { ...view, id: event.id, view, displayed: false },
      };
    }),
    markDisplayed: assign(({ context }) =>
      context.request ? { request: { ...context.request, displayed: true } } : {},
    ),
    ackRequest: sendTo('socket', ({ event }) => ({
      type: 'send' as const,
      message: { type: 'ack' as const, id: event.type === 'socket.showTerms' ? event.id : -1 },
    })),
    ackBusy: sendTo('socket', ({ event }) => ({
      type: 'send' as const,
      message: {
        type: 'ack' as const,
        id: event.type === 'socket.showTerms' ? event.id : -1,
        status: 'busy' as const,
      },
    })),
    announceShowTerms: emit(({ context }) => ({
      type: 'showTerms' as const,
      sessionKey: context.request!.sessionKey,
      ...(context.request!.termsUrl === undefined ? {} : { termsUrl: context.request!.termsUrl }),
    })),
    markAutoStart: assign({ autoStart: true }),
    announceAccepted: emit(({ context }) => ({
      type: 'termsAccepted' as const,
      sessionKey: context.request?.sessionKey ?? context.visitorId!,
    })),
    announceDeclined: emit(({ context }) => ({
      type: 'termsDeclined' as const,
      sessionKey: context.request?.sessionKey ?? context.visitorId!,
    })),
    forgetRequest: assign({ request: undefined, autoStart: false }),
    // Sessions with a provider: a ticket for the session channel, asked for by the connection
    // that announced the session. Offline, the next welcome asks (after re-announcing).
    requestSessionTicket: enqueueActions(({ context, enqueue, check }) => {
      if (!context.hasSession || context.sessionKey === undefined || !check(isConnected)) return;
      enqueue.sendTo('socket', {
        type: 'send',
        message: { type: 'sessionTicket', sessionKey: context.sessionKey },
      });
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
    // Push (docs/push.md).
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
      enqueue.sendTo('socket', {
        type: 'send',
        message: { type: 'pushSubscribe', subscription: context.pushSubscription },
      });
    }),
    sendPushUnsubscribe: enqueueActions(({ context, enqueue, check }) => {
      if (!context.pushSubscription || !check(isConnected)) return;
      enqueue.sendTo('socket', {
        type: 'send',
        message: { type: 'pushUnsubscribe', endpoint: context.pushSubscription.endpoint },
      });
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
      if (check(isConnected)) {
        enqueue.sendTo('socket', {
          type: 'send',
          message: { type: 'sessionStart', sessionKey, presenceStart },
        });
      } else {
        enqueue.emit(notConnected);
      }
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
      if (check(isConnected)) enqueue.sendTo('socket', { type: 'send', message });
      else enqueue.emit(notConnected);
    }),
  },
}).createMachine({
  id: 'visitor',
  type: 'parallel',
  context: ({ input }) => ({
    groupId: undefined,
    visitorId: undefined,
    pushNotifications: false,
    visible: input.visible ?? true,
    hasUI: input.hasUI ?? false,
    defaultUI: true,
    policy: { ...defaultReconnectPolicy, ...input.reconnect },
    attempt: 0,
    retryDelay: 0,
    everConnected: false,
    lastDrop: undefined,
    connectionId: undefined,
    epoch: 0,
    request: undefined,
    autoStart: false,
    sessionKey: undefined,
    sessionPresenceStart: false,
    hasSession: input.hasSession ?? false,
    sessionViewers: 0,
    hasPush: input.hasPush ?? false,
    pushKey: undefined,
    pushSubscription: undefined,
    helloVisible: input.visible ?? true,
  }),
  on: {
    SET_DEFAULT_UI: [{ guard: 'invalid', actions: 'reportInvalid' }, { actions: 'storeDefaultUI' }],
  },
  states: {
    connection: {
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
    },
    visibility: {
      initial: 'visible',
      states: {
        // Only for a visitor created hidden; afterwards VISIBILITY moves between the two.
        visible: { always: { guard: ({ context }) => !context.visible, target: 'hidden' } },
        hidden: {},
      },
      on: {
        VISIBILITY: [
          { guard: 'becomesVisible', target: '.visible', actions: 'storeVisibility' },
          { guard: 'becomesHidden', target: '.hidden', actions: 'storeVisibility' },
        ],
      },
    },
    terms: {
      initial: 'idle',
      on: {
        START_SESSION: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { target: '.session', actions: 'beginSession' },
        ],
        END_SESSION: [
          { guard: 'invalid', actions: 'reportInvalid' },
          { actions: 'reportNoSession' },
        ],
        'socket.showTerms': [
          {
            guard: 'useDefaultUI',
            target: '.shown.dialog',
            actions: ['storeRequest', 'ackRequest'],
          },
          { target: '.shown.custom', actions: ['storeRequest', 'ackRequest'] },
        ],
        // With a custom UI the app reports progress with signalAgent('terms', …); follow it.
        SIGNAL_AGENT: [
          { guard: 'invalid' },
          { guard: 'displayed', target: '.shown.custom', actions: 'markDisplayed' },
          { guard: 'accepted', target: '.accepted', actions: 'announceAccepted' },
          {
            guard: 'declined',
            target: '.declined',
            actions: ['announceDeclined', 'forgetRequest'],
          },
        ],
      },
      states: {
        idle: {},
        shown: {
          initial: 'custom',
          on: {
            // Logging out withdraws the question; the dialog closes with the actor.
            DISCONNECT: { target: 'idle', actions: 'forgetRequest' },
          },
          states: {
            dialog: {
              entry: [{ type: 'transmit', params: termsSignal('displayed') }, 'markDisplayed'],
              invoke: {
                src: 'consentDialog',
                input: ({ context }) => context.request!.view,
              },
              on: {
                // The dialog reports progress itself; the app's own terms signals must not
                // tear it down.
                SIGNAL_AGENT: {},
                'consent.answered': answerTransitions,
                // acceptTerms() / declineTerms() answer the dialog's request the same way;
                // it is already on screen, so "displayed" changes nothing.
                CONSENT: [{ guard: 'displayed' }, ...answerTransitions],
                // A broken dialog must not swallow the request: hand it to the app.
                'consent.failed': { target: 'custom' },
              },
            },
            custom: {
              entry: enqueueActions(({ context, enqueue }) => {
                if (context.request) enqueue('announceShowTerms');
              }),
              on: {
                // The app's own signal is sent as it asked; Beckon's command reports once.
                SIGNAL_AGENT: { guard: 'displayed', actions: 'markDisplayed' },
                CONSENT: [
                  // Shown by the app's own "displayed" signal with no request behind it.
                  { guard: 'noRequest' },
                  {
                    guard: 'displayed',
                    actions: [
                      enqueueActions(({ enqueue, check }) => {
                        if (!check('firstDisplay')) return;
                        enqueue({ type: 'transmit', params: termsSignal('displayed') });
                        enqueue('markDisplayed');
                      }),
                    ],
                  },
                  ...answerTransitions,
                ],
              },
            },
          },
        },
        accepted: {
          // The default UI starts the session itself; a custom UI calls startSession().
          always: { guard: 'autoStart', target: 'session', actions: 'beginSession' },
        },
        declined: {},
        session: {
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
        },
        ended: {},
      },
    },
    // Web Push (docs/push.md): the app turns it on (enablePush(), on a user gesture) and off
    // (disablePush(), or disconnect({ logout: true })). The provider asks for permission and
    // subscribes with the group's key from the welcome; the service stores the subscription.
    push: {
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
    },
  },
});

export type VisitorMachine = typeof visitorMachine;
