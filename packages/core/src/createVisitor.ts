import { type Actor, createActor, fromCallback, type InspectionEvent, type Observer } from 'xstate';
import type { ReconnectPolicy } from './connection/backoff.js';
import { type Clock, systemClock } from './connection/clock.js';
import type { Transport } from './connection/transport.js';
import type { ConsentRequest, ConsentUI } from './consentUI.js';
import { deriveSnapshot } from './derivedSnapshot.js';
import { createSocketActor, type TokenSource } from './socketActor.js';
import {
  type ConsentEvent,
  type VisitorEmitted,
  type VisitorEventMap,
  type VisitorMachine,
  visitorMachine,
} from './visitorMachine.js';

export interface VisitorOptions {
  /** How to reach the presence service, e.g. `webSocketTransport({ url })`. */
  transport: Transport;
  /** The default consent dialog ("Default UI"); without one, `showTerms` goes to the app. */
  ui?: ConsentUI;
  /** A visitor token, or a function returning a fresh one for every connection attempt. */
  token?: TokenSource;
  /** Backoff for automatic reconnects. */
  reconnect?: Partial<ReconnectPolicy>;
  /** Timer source for backoff, heartbeats and timeouts; XState's `SimulatedClock` in tests. */
  clock?: Clock;
  /** Receives XState inspection events, e.g. `createBrowserInspector().inspect`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Whether the app starts visible. Default true. */
  visible?: boolean;
  /** Deadline for opening the transport and receiving the service's welcome. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Heartbeat interval until the service names its own. Default 25 s. */
  heartbeatMs?: number;
}

/** Where the connection region is. */
export type ConnectionStatus =
  | 'uninitialized'
  | 'initialized'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'disconnected'
  | 'notConfigured';

/** Where the consent flow is. */
export type TermsStatusState = 'idle' | 'shown' | 'accepted' | 'declined' | 'session' | 'ended';

/** A plain, immutable view of the visitor, cheap to compare: a new object only on change. */
export interface VisitorState {
  connection: ConnectionStatus;
  /** Connected and holding focus for this visitor ID. */
  focused: boolean;
  visible: boolean;
  terms: TermsStatusState;
  /** The consent request awaiting an answer, if any. */
  request: ConsentRequest | undefined;
  /** The running session's key, if any. */
  sessionKey: string | undefined;
  groupId: string | undefined;
  visitorId: string | undefined;
  /** Whether consent requests go to the default UI (it is on and a `ui` was given). */
  defaultUI: boolean;
  /** Failed reconnect attempts since the last successful connect. */
  attempt: number;
}

export type VisitorEventType = keyof VisitorEventMap;
export type VisitorEvent<K extends VisitorEventType = VisitorEventType> = Extract<
  VisitorEmitted,
  { type: K }
>;

/** The visitor side of One-Click Connect. Create one with {@link createVisitor}. */
export interface Visitor {
  /** Sets the group and visitor ID. Returns what it fired. */
  init(ids: { groupId: string; visitorId: string }): 'initialized' | 'invalidParameter';
  connect(options?: { pushNotifications?: boolean }): void;
  disconnect(): void;
  presence(data: Record<string, string>): void;
  signalVisibility(visible: boolean): void;
  signalAgent(name: string, properties?: Record<string, string>): void;
  setDefaultUI(enabled: boolean): void;
  startSession(params?: { key?: string; presenceStart?: boolean }): void;
  endSession(reason?: string): void;
  /** Listens for one event type; returns the function that stops listening. */
  on<K extends VisitorEventType>(type: K, listener: (event: VisitorEvent<K>) => void): () => void;
  getSnapshot(): VisitorState;
  subscribe(listener: (state: VisitorState) => void): () => void;
  /** The running XState actor, for inspection and advanced use. */
  readonly actor: Actor<VisitorMachine>;
}

function consentActor(ui: ConsentUI) {
  return fromCallback<{ type: 'consent.none' }, ConsentRequest, ConsentEvent>(
    ({ input, sendBack }) => {
      let over = false;
      let hide: (() => void) | undefined;
      try {
        hide =
          ui.show(input, (decision) => {
            // A dialog may call back twice (double click); only the first answer counts.
            if (over) return;
            if (decision !== 'accepted' && decision !== 'declined') return;
            over = true;
            sendBack({ type: 'consent.answered', decision });
          }) ?? undefined;
      } catch (error) {
        over = true;
        sendBack({
          type: 'consent.failed',
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      return () => {
        over = true;
        try {
          hide?.();
        } catch {
          // Closing a dialog that is already gone is not the visitor's problem.
        }
      };
    },
  );
}

function toState(actor: Actor<VisitorMachine>): VisitorState {
  const snapshot = actor.getSnapshot();
  const { context } = snapshot;
  const value = snapshot.value as {
    connection: string | { online: string | { connected: string } };
    terms: string | { shown: string };
  };
  let connection: ConnectionStatus;
  let focused = false;
  if (typeof value.connection === 'string') {
    connection = value.connection as ConnectionStatus;
  } else if (typeof value.connection.online === 'string') {
    connection = 'connecting';
  } else {
    connection = 'connected';
    focused = value.connection.online.connected === 'focused';
  }
  const terms = (typeof value.terms === 'string' ? value.terms : 'shown') as TermsStatusState;
  const request = context.request ? (({ id: _, ...rest }) => rest)(context.request) : undefined;
  return {
    connection,
    focused,
    visible: context.visible,
    terms,
    request,
    sessionKey: context.sessionKey,
    groupId: context.groupId,
    visitorId: context.visitorId,
    // What will happen, not just the setting: without a UI adapter the app gets showTerms.
    defaultUI: context.defaultUI && context.hasUI,
    attempt: context.attempt,
  };
}

function sameState(a: VisitorState, b: VisitorState): boolean {
  return (
    a.connection === b.connection &&
    a.focused === b.focused &&
    a.visible === b.visible &&
    a.terms === b.terms &&
    a.request?.sessionKey === b.request?.sessionKey &&
    a.request?.termsUrl === b.request?.termsUrl &&
    a.sessionKey === b.sessionKey &&
    a.groupId === b.groupId &&
    a.visitorId === b.visitorId &&
    a.defaultUI === b.defaultUI &&
    a.attempt === b.attempt
  );
}

const optionKeys = new Set([
  'transport',
  'ui',
  'token',
  'reconnect',
  'clock',
  'inspect',
  'visible',
  'handshakeTimeoutMs',
  'heartbeatMs',
]);

// Setup mistakes are the developer's, found at start-up: throw, with the option named.
function assertOptions(options: VisitorOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createVisitor: options must be an object with a transport');
  }
  for (const key of Object.keys(options)) {
    if (!optionKeys.has(key)) throw new TypeError(`createVisitor: unknown option "${key}"`);
  }
  if (typeof options.transport !== 'function') {
    throw new TypeError(
      'createVisitor: options.transport must be a transport factory, e.g. webSocketTransport({ url })',
    );
  }
  if (options.ui !== undefined && typeof options.ui?.show !== 'function') {
    throw new TypeError('createVisitor: options.ui must have a show(request, respond) method');
  }
  const { token } = options;
  if (
    token !== undefined &&
    typeof token !== 'function' &&
    (typeof token !== 'string' || token === '')
  ) {
    throw new TypeError('createVisitor: options.token must be a non-empty string or a function');
  }
  for (const key of ['handshakeTimeoutMs', 'heartbeatMs'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
      throw new TypeError(
        `createVisitor: options.${key} must be a positive number of milliseconds`,
      );
    }
  }
  const r = options.reconnect;
  if (r !== undefined) {
    for (const key of ['initialDelayMs', 'maxDelayMs', 'factor', 'maxAttempts'] as const) {
      const v = r[key];
      if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v) || v < 0)) {
        throw new TypeError(
          `createVisitor: options.reconnect.${key} must be a non-negative number`,
        );
      }
    }
    if (r.factor !== undefined && r.factor < 1) {
      throw new TypeError('createVisitor: options.reconnect.factor must be at least 1');
    }
    if (r.random !== undefined && typeof r.random !== 'function') {
      throw new TypeError('createVisitor: options.reconnect.random must be a function');
    }
  }
  if (options.visible !== undefined && typeof options.visible !== 'boolean') {
    throw new TypeError('createVisitor: options.visible must be a boolean');
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
  const machine = visitorMachine.provide({
    actors: {
      socket: createSocketActor({
        transport: options.transport,
        clock,
        token: options.token,
        handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
        heartbeatMs: options.heartbeatMs ?? 25_000,
      }),
      ...(options.ui ? { consentDialog: consentActor(options.ui) } : {}),
    },
  });
  const actor = createActor(machine, {
    input: {
      hasUI: options.ui !== undefined,
      visible: options.visible ?? true,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    },
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  actor.start();

  const view = deriveSnapshot(actor, toState, sameState);

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
    disconnect() {
      actor.send({ type: 'DISCONNECT' });
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
    on(type, listener) {
      const sub = actor.on(type, listener as (event: VisitorEmitted) => void);
      return () => sub.unsubscribe();
    },
    getSnapshot: view.getSnapshot,
    subscribe: view.subscribe,
    actor,
  };
}
