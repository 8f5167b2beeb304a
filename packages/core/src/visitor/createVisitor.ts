import { type Actor, createActor } from 'xstate';
import {
  assertClientOptions,
  type ClientOptions,
  connectionOptions,
} from '../connection/clientOptions.js';
import { systemClock } from '../connection/clock.js';
import { deriveSnapshot } from '../connection/derivedSnapshot.js';
import { createConsentActor } from '../consent/consentActor.js';
import type { ConsentRequest, ConsentUI } from '../consent/consentUI.js';
import type { PushProvider } from '../push/PushProvider.js';
import type { SessionProvider } from '../session/SessionProvider.js';
import { bindVisitorActors, sharedVisitorMachine } from './sharedVisitorMachine.js';
import { createVisitorConnection } from './visitorConnection.js';
import type { VisitorEmitted, VisitorEvent, VisitorEventType } from './visitorEvents.js';
import type { VisitorMachine } from './visitorMachine.js';
import { sameVisitorState, type VisitorState, visitorStateOf } from './visitorState.js';

/** Options of {@link createVisitor}: the shared client options, plus the visitor's own. */
export interface VisitorOptions extends ClientOptions {
  /** The default consent dialog ("Default UI"); without one, `showTerms` goes to the app. */
  ui?: ConsentUI;
  /** Whether the app starts visible. Default true. */
  visible?: boolean;
  /**
   * What runs while a session runs, e.g. `cobrowseSession(…)` from `@beckon/cobrowse`: it
   * starts when a session starts (accepted consent, or `startSession()`) and stops when it
   * ends. Without one a session is only announced to the agent.
   */
  session?: SessionProvider;
  /**
   * Web Push, so an agent's request can wake this visitor when its page is asleep or closed:
   * `webPush({ serviceWorker: '/sw.js' })` from `@beckon/ui-dom`. Nothing happens until the
   * app calls `enablePush()` (docs/push.md).
   */
  push?: PushProvider;
}

/** The visitor side of One-Click Connect. Create one with {@link createVisitor}. */
export interface Visitor {
  /** Sets the group and visitor ID. Returns what it fired. */
  init(ids: { groupId: string; visitorId: string }): 'initialized' | 'invalidParameter';
  connect(options?: { pushNotifications?: boolean }): void;
  /**
   * Closes the connection. With `logout: true` the user is leaving for good: push is turned
   * off too (the service forgets this browser's subscription, the browser ends it).
   */
  disconnect(options?: { logout?: boolean }): void;
  /**
   * Turns Web Push on, after `connect({ pushNotifications: true })`: call it from a user
   * gesture (a "notify me" switch), as the browser may ask for permission now. Fires
   * `pushEnabled`, or `pushUnavailable` saying why not; everything else works either way.
   */
  enablePush(): void;
  /** Turns Web Push off: the service forgets the subscription, the browser ends it (`pushDisabled`). */
  disablePush(): void;
  presence(data: Record<string, string>): void;
  signalVisibility(visible: boolean): void;
  signalAgent(name: string, properties?: Record<string, string>): void;
  setDefaultUI(enabled: boolean): void;
  startSession(params?: { key?: string; presenceStart?: boolean }): void;
  endSession(reason?: string): void;
  /**
   * A custom consent UI shows the pending request: tells the agent (`terms: displayed`),
   * once per request however often it is called. Returns whether a request was pending —
   * and, when `request` is given, whether it is still that one.
   */
  termsDisplayed(request?: ConsentRequest): boolean;
  /**
   * Answers the pending consent request with Accept: tells the agent (`terms: accepted`)
   * and starts the session with the request's key (`presenceStart: true`). Answers the
   * default dialog's request too. Returns false, doing nothing, when no request (or not
   * `request`) is pending, so a late click never answers a newer request.
   */
  acceptTerms(request?: ConsentRequest): boolean;
  /** Answers the pending consent request with Decline (`terms: declined`); see {@link Visitor.acceptTerms}. */
  declineTerms(request?: ConsentRequest): boolean;
  /** Listens for one event type; returns the function that stops listening. */
  on<K extends VisitorEventType>(type: K, listener: (event: VisitorEvent<K>) => void): () => void;
  getSnapshot(): VisitorState;
  subscribe(listener: (state: VisitorState) => void): () => void;
  /** The running XState actor, for inspection and advanced use. */
  readonly actor: Actor<VisitorMachine>;
}

const VISITOR_RULES = {
  factory: 'createVisitor',
  keys: ['ui', 'visible', 'session', 'push'],
  tokenRequired: false,
  needs: 'a transport',
} as const;

function assertOptions(options: VisitorOptions): void {
  assertClientOptions(options, VISITOR_RULES);
  if (options.ui !== undefined && typeof options.ui?.show !== 'function') {
    throw new TypeError('createVisitor: options.ui must have a show(request, respond) method');
  }
  if (options.visible !== undefined && typeof options.visible !== 'boolean') {
    throw new TypeError('createVisitor: options.visible must be a boolean');
  }
  const session = options.session as Partial<SessionProvider> | undefined | null;
  if (
    session !== undefined &&
    (typeof session?.start !== 'function' ||
      typeof session?.transport !== 'function' ||
      typeof session?.runtime !== 'function')
  ) {
    throw new TypeError(
      'createVisitor: options.session must be a session provider: make it with defineSessionProvider({ transport, start })',
    );
  }
  const push = options.push as Partial<PushProvider> | undefined | null;
  if (
    push !== undefined &&
    (typeof push?.subscribe !== 'function' ||
      typeof push?.unsubscribe !== 'function' ||
      typeof push?.runtime !== 'function')
  ) {
    throw new TypeError(
      'createVisitor: options.push must be a push provider, such as webPush() of @beckon/ui-dom: make one with definePushProvider({ subscribe, unsubscribe })',
    );
  }
}

/**
 * Creates the visitor side of One-Click Connect: the spec's `PresenceVisitor`, running
 * Beckon's visitor state machine over the transport you pass.
 *
 * @example
 * import { createVisitor } from '@beckon/core';
 * import { webSocketTransport } from '@beckon/transport-ws';
 *
 * const visitor = createVisitor({ transport: webSocketTransport({ url: 'wss://presence.example.com/' }) });
 * visitor.on('initialized', () => visitor.connect());
 * visitor.on('connected', () => visitor.presence({ url: location.pathname }));
 * visitor.on('showTerms', ({ sessionKey }) => openMyDialog(sessionKey));
 * visitor.init({ groupId: 'acme', visitorId: 'alice-42' });
 */
export function createVisitor(options: VisitorOptions): Visitor {
  assertOptions(options);
  const clock = options.clock ?? systemClock;
  const connection = connectionOptions(options, clock);
  const actor = createActor(sharedVisitorMachine(), {
    input: {
      hasUI: options.ui !== undefined,
      hasSession: options.session !== undefined,
      hasPush: options.push !== undefined,
      visible: options.visible ?? true,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    },
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  bindVisitorActors(actor, {
    socket: createVisitorConnection(connection),
    ...(options.ui ? { consentDialog: createConsentActor(options.ui) } : {}),
    // The provider brings its runtime: visitors without sessions never bundle it.
    ...(options.session
      ? {
          session: options.session.runtime({
            clock,
            handshakeTimeoutMs: connection.handshakeTimeoutMs,
          }),
        }
      : {}),
    // The provider brings core's push actors: visitors without push never bundle them.
    ...(options.push ? options.push.runtime() : {}),
  });
  actor.start();

  const view = deriveSnapshot(actor, visitorStateOf, sameVisitorState);

  // The machine decides what a consent command does; a request given by the caller binds it
  // to that very request, so a click on a dialog that is gone never answers a newer one.
  const consent = (
    decision: 'displayed' | 'accepted' | 'declined',
    request: ConsentRequest | undefined,
  ): boolean => {
    const { terms, request: pending } = view.getSnapshot();
    if (request !== undefined && request !== pending) return false;
    actor.send({ type: 'CONSENT', decision });
    return terms === 'shown' && pending !== undefined;
  };

  return {
    init({ groupId, visitorId } = {} as { groupId: string; visitorId: string }) {
      let result: 'initialized' | 'invalidParameter' = 'invalidParameter';
      const offOk = actor.on('initialized', () => {
        result = 'initialized';
      });
      try {
        actor.send({ type: 'INIT', groupId, visitorId });
      } finally {
        offOk.unsubscribe();
      }
      return result;
    },
    connect(params) {
      actor.send({ type: 'CONNECT', pushNotifications: params?.pushNotifications });
    },
    disconnect(params) {
      // Before the socket closes, so the service hears that the subscription is gone.
      if (params?.logout === true) actor.send({ type: 'DISABLE_PUSH' });
      actor.send({ type: 'DISCONNECT' });
    },
    enablePush() {
      actor.send({ type: 'ENABLE_PUSH' });
    },
    disablePush() {
      actor.send({ type: 'DISABLE_PUSH' });
    },
    presence(data) {
      actor.send({ type: 'PRESENCE', data });
    },
    signalVisibility(visible) {
      actor.send({ type: 'VISIBILITY', visible });
    },
    signalAgent(name, properties) {
      actor.send({ type: 'SIGNAL_AGENT', name, properties });
    },
    setDefaultUI(enabled) {
      actor.send({ type: 'SET_DEFAULT_UI', enabled });
    },
    startSession(params = {}) {
      actor.send({ type: 'START_SESSION', key: params.key, presenceStart: params.presenceStart });
    },
    endSession(reason) {
      actor.send({ type: 'END_SESSION', reason });
    },
    termsDisplayed: (request) => consent('displayed', request),
    acceptTerms: (request) => consent('accepted', request),
    declineTerms: (request) => consent('declined', request),
    on(type, listener) {
      const sub = actor.on(type, listener as (event: VisitorEmitted) => void);
      return () => sub.unsubscribe();
    },
    getSnapshot: view.getSnapshot,
    subscribe: view.subscribe,
    actor,
  };
}
