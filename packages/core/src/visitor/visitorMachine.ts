import { fromCallback, setup } from 'xstate';
import { defaultReconnectPolicy } from '../connection/backoff.js';
import type { ConsentEvent } from '../consent/consentActor.js';
import type { ConsentRequest } from '../consent/consentUI.js';
import type { PushActorEvent } from '../push/createPushActors.js';
import type {
  SessionActorCommand,
  SessionActorEvent,
  SessionActorInput,
} from '../session/createSessionActor.js';
import { CloseCode, isFatalClose } from '../wire/codes.js';
import { connectionActions, connectionRegion } from './regions/connection.js';
import { pushActions, pushRegion } from './regions/push.js';
import { sessionActions } from './regions/session.js';
import { termsActions, termsRegion } from './regions/terms.js';
import { visibilityActions, visibilityRegion } from './regions/visibility.js';
import { commonActions } from './visitorActions.js';
import { termsStatusOf, violationOf } from './visitorCommands.js';
import type {
  VisitorConnectionInput,
  VisitorSocketCommand,
  VisitorSocketEvent,
} from './visitorConnection.js';
import type { VisitorContext, VisitorMachineEvent, VisitorMachineInput } from './visitorContext.js';
import type { VisitorEmitted } from './visitorEvents.js';

/**
 * What the visitor machine is made of: its types, placeholder actors, guards and delays, and
 * the named actions, which `regions/` define next to the states that use them.
 */
const visitorSetup = setup({
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
    ...commonActions,
    ...connectionActions,
    ...visibilityActions,
    ...termsActions,
    ...sessionActions,
    ...pushActions,
  },
});

/** A state of the visitor machine, typed by its setup: what `regions/` are written as. */
export type VisitorStateConfig = Parameters<typeof visitorSetup.createStateConfig>[0];

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
export const visitorMachine = visitorSetup.createMachine({
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
    connection: connectionRegion,
    visibility: visibilityRegion,
    terms: termsRegion,
    push: pushRegion,
  },
});

export type VisitorMachine = typeof visitorMachine;
