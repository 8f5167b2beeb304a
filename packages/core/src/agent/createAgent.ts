import { type Actor, createActor } from 'xstate';
import {
  assertClientOptions,
  type ClientOptions,
  connectionOptions,
} from '../connection/clientOptions.js';
import { systemClock } from '../connection/clock.js';
import type { TokenSource } from '../connection/createConnectionActor.js';
import { deriveSnapshot } from '../connection/derivedSnapshot.js';
import type { Transport } from '../connection/transport.js';
import { type AgentSession, createAgentSession } from '../session/createAgentSession.js';
import { checkId } from '../wire/limits.js';
import type { VisitorSummary } from '../wire/protocol.js';
import { AgentRequestError } from './AgentRequestError.js';
import { createAgentConnection } from './agentConnection.js';
import type { AgentConnectionError } from './agentContext.js';
import type { AgentEmitted, AgentEventMap, RequestSettled } from './agentEvents.js';
import { type AgentMachine, agentMachine } from './agentMachine.js';
import type { AgentRequest } from './agentRequest.js';
import type { Delivery, SessionTicket, VisitorPage } from './interpretReply.js';

/** Options of {@link createAgent}: the shared client options, plus the agent's own. */
export interface AgentOptions extends ClientOptions {
  /** The group (tenant) the agent works in. */
  groupId: string;
  /** The agent token (a JWT), or a function returning a fresh one for every connection attempt. */
  token: TokenSource;
  /** How long a request waits for its reply. Default 15 s. */
  requestTimeoutMs?: number;
  /**
   * The service's session endpoint, for {@link Agent.joinSession}: e.g.
   * `webSocketTransport({ url: new URL('session', presenceUrl) })`.
   */
  sessionTransport?: Transport;
}

/** Where the agent's connection is. */
export type AgentStatus =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'disconnected'
  /** The service refused the agent for good (bad token, wrong group, …); `connect()` tries again. */
  | 'refused';

/** A plain, immutable view of the agent, cheap to compare: a new object only on change. */
export interface AgentState {
  status: AgentStatus;
  /**
   * The visitors the agent watches that the service knows (away ones too, `present: false`),
   * kept live from the service's events: the whole group after `watch()`, single visitors
   * after `watch(id)`. A new map only when an
   * entry changed, and a changed entry is a new object while the others keep theirs.
   */
  visitors: ReadonlyMap<string, VisitorSummary>;
  /** Whether the whole group is watched. */
  watchingGroup: boolean;
  /**
   * The group's listing is being read, page by page, after `watch()` or a reconnect:
   * `visitors` is not complete yet. `watch()` resolves when it is.
   */
  syncing: boolean;
  /** Visitors watched one by one. */
  watchedVisitors: readonly string[];
  /** Why the connection last failed; cleared once connected. */
  error: AgentConnectionError | undefined;
  connectionId: string | undefined;
  /** Failed reconnect attempts since the last successful connect. */
  attempt: number;
  /** Frames from the service that failed validation and were ignored. */
  invalidFrames: number;
}

export type AgentEventType = keyof AgentEventMap;
/** One agent event (of type `K`), as listeners of `agent.on(K, …)` receive it. */
export type AgentEvent<K extends AgentEventType = AgentEventType> = Extract<
  AgentEmitted,
  { type: K }
>;

/** The agent side of One-Click Connect. Create one with {@link createAgent}. */
export interface Agent {
  connect(): void;
  disconnect(): void;
  /**
   * Every visitor of the group the service knows: connected, within the reconnect grace
   * (`present: true`, no connections) or away (`present: false`), read page by page
   * (bounded frames, in visitor ID order). A visitor connected all along is listed exactly
   * once; one that joins or leaves meanwhile may or may not be. Waits out the service's
   * pacing of large listings.
   */
  listVisitors(): Promise<VisitorSummary[]>;
  /**
   * The same listing one page at a time, for groups too large to hold at once. Each page is
   * one request: it fails (and the iteration throws) like any other.
   */
  visitorPages(options?: { limit?: number }): AsyncIterableIterator<VisitorSummary[]>;
  /** One visitor as `listVisitors` describes it, or `null` when the service does not know it. */
  lookupVisitor(visitorId: string): Promise<VisitorSummary | null>;
  /** Live events for one visitor, or for the whole group without an ID. Survives reconnects. */
  watch(visitorId?: string): Promise<void>;
  /** Undoes `watch(visitorId)`; without an ID, the group watch (single watches stay). */
  unwatch(visitorId?: string): Promise<void>;
  /** Asks the visitor's focused app to show the consent dialog; resolves once it acknowledged. */
  showTerms(
    visitorId: string,
    options?: { sessionKey?: string; termsUrl?: string },
  ): Promise<Delivery>;
  /** Sends a custom `c_` signal to the visitor's focused app; resolves once it acknowledged. */
  signalVisitor(
    visitorId: string,
    name: string,
    properties?: Record<string, string>,
  ): Promise<Delivery>;
  /**
   * Watches a running session (its key is the visitor ID unless the agent or the app chose
   * another): resolves with the session's handle once the service let this agent in. Rejects
   * with an {@link AgentRequestError}: `sessionNotFound` when no session of the agent's group
   * has that key, `notConnected`, `timeout`, `invalidParameter`. Needs `sessionTransport`.
   */
  joinSession(sessionKey: string): Promise<AgentSession>;
  /** Listens for one event type; returns the function that stops listening. */
  on<K extends AgentEventType>(type: K, listener: (event: AgentEvent<K>) => void): () => void;
  getSnapshot(): AgentState;
  subscribe(listener: (state: AgentState) => void): () => void;
  /** The running XState actor, for inspection and advanced use. */
  readonly actor: Actor<AgentMachine>;
}

function toState(actor: Actor<AgentMachine>): AgentState {
  const snapshot = actor.getSnapshot();
  const { context } = snapshot;
  const value = snapshot.value as string | { online: 'connecting' | 'connected' };
  return {
    status: typeof value === 'string' ? (value as AgentStatus) : value.online,
    visitors: context.visitors,
    watchingGroup: context.watchGroup,
    syncing: context.sync !== undefined,
    watchedVisitors: context.watchedVisitors,
    error: context.error,
    connectionId: context.connectionId,
    attempt: context.attempt,
    invalidFrames: context.invalidFrames,
  };
}

function sameState(a: AgentState, b: AgentState): boolean {
  return (
    a.status === b.status &&
    a.visitors === b.visitors &&
    a.watchingGroup === b.watchingGroup &&
    a.syncing === b.syncing &&
    a.watchedVisitors === b.watchedVisitors &&
    a.error === b.error &&
    a.connectionId === b.connectionId &&
    a.attempt === b.attempt &&
    a.invalidFrames === b.invalidFrames
  );
}

const AGENT_RULES = {
  factory: 'createAgent',
  keys: ['groupId', 'requestTimeoutMs', 'sessionTransport'],
  durations: ['requestTimeoutMs'],
  tokenRequired: true,
  needs: 'transport, groupId and token',
} as const;

function assertOptions(options: AgentOptions): void {
  assertClientOptions(options, AGENT_RULES);
  const badGroup = checkId('groupId', options.groupId);
  if (badGroup) throw new TypeError(`createAgent: options.groupId ${badGroup.reason}`);
  if (options.sessionTransport !== undefined && typeof options.sessionTransport !== 'function') {
    throw new TypeError('createAgent: options.sessionTransport must be a transport factory');
  }
}

/** Rate-limited page requests waited out in a row before `listVisitors()` gives up. */
const MAX_PACED_RETRIES = 20;

interface Deferred {
  resolve(value: unknown): void;
  reject(error: AgentRequestError): void;
}

/**
 * Creates the agent side of One-Click Connect: list and look up present visitors, watch
 * them live, and ask a visitor's app to show the consent dialog or take a custom signal.
 * Runs its own small state machine, so importing `@beckon/core/agent` never pulls in the
 * visitor's.
 *
 * Requests never hang and never queue: they reject with an {@link AgentRequestError} when
 * the input is invalid (`invalidParameter`, nothing sent), when the agent is not connected
 * or the connection drops (`notConnected`), when no reply comes in time (`timeout`), or with
 * the service's own code (`visitorNotPresent`, `busy`, `rateLimited`, …).
 *
 * @example
 * import { createAgent } from '@beckon/core/agent';
 * import { webSocketTransport } from '@beckon/transport-ws';
 *
 * const agent = createAgent({
 *   transport: webSocketTransport({ url: 'wss://presence.example.com/' }),
 *   groupId: 'acme',
 *   token: () => fetch('/agent-token').then((r) => r.text()),
 * });
 * agent.on('connected', () => void agent.watch().catch(console.warn));
 * agent.on('terms', ({ visitorId, status }) => console.log(visitorId, status));
 * agent.connect();
 * // Later, on a click:
 * await agent.showTerms('alice-42');
 */
export function createAgent(options: AgentOptions): Agent {
  assertOptions(options);
  const clock = options.clock ?? systemClock;
  const connection = connectionOptions(options, clock);
  const machine = agentMachine.provide({
    actors: { socket: createAgentConnection(connection) },
  });
  const actor = createActor(machine, {
    input: {
      groupId: options.groupId,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      ...(options.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.requestTimeoutMs }),
    },
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });

  const waiting = new Map<number, Deferred>();
  let tickets = 0;
  actor.on('request.settled', ({ ticket, outcome }: RequestSettled) => {
    const deferred = waiting.get(ticket);
    if (!deferred) return;
    waiting.delete(ticket);
    if (outcome.ok) deferred.resolve(outcome.value);
    else {
      const { code, message, param, retryAfter } = outcome.failure;
      deferred.reject(new AgentRequestError(code, message, { param, retryAfter }));
    }
  });
  actor.start();

  const request = <T>(body: AgentRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const ticket = ++tickets;
      waiting.set(ticket, { resolve: resolve as (value: unknown) => void, reject });
      actor.send({ type: 'REQUEST', ticket, request: body });
      // A stopped actor (someone called agent.actor.stop()) answers nothing: fail, not hang.
      if (waiting.has(ticket) && actor.getSnapshot().status !== 'active') {
        waiting.delete(ticket);
        reject(new AgentRequestError('notConnected', 'the agent has stopped'));
      }
    });

  const view = deriveSnapshot(actor, toState, sameState);

  async function* visitorPages(pageOptions?: { limit?: number }) {
    let after: string | undefined;
    let limited = 0;
    for (;;) {
      let page: VisitorPage;
      try {
        page = await request<VisitorPage>({ type: 'list', after, limit: pageOptions?.limit });
      } catch (error) {
        // The service paces large listings (replies are charged to the agent's rate limit):
        // wait as long as it says, a bounded number of times in a row.
        if (
          error instanceof AgentRequestError &&
          error.code === 'rateLimited' &&
          limited < MAX_PACED_RETRIES
        ) {
          limited += 1;
          await new Promise((resolve) => clock.setTimeout(resolve, error.retryAfter ?? 1_000));
          continue;
        }
        throw error;
      }
      limited = 0;
      yield page.visitors;
      if (page.next === undefined) return;
      after = page.next;
    }
  }

  return {
    connect() {
      actor.send({ type: 'CONNECT' });
    },
    disconnect() {
      actor.send({ type: 'DISCONNECT' });
    },
    async listVisitors() {
      const all: VisitorSummary[] = [];
      for await (const page of visitorPages()) all.push(...page);
      return all;
    },
    visitorPages,
    lookupVisitor: (visitorId) => request<VisitorSummary | null>({ type: 'lookup', visitorId }),
    watch: (visitorId) => request<void>({ type: 'watch', visitorId }),
    unwatch: (visitorId) => request<void>({ type: 'unwatch', visitorId }),
    showTerms: (visitorId, showOptions) =>
      request<Delivery>({ type: 'showTerms', visitorId, options: showOptions }),
    signalVisitor: (visitorId, name, properties) =>
      request<Delivery>({ type: 'signal', visitorId, name, properties }),
    joinSession(sessionKey) {
      const transport = options.sessionTransport;
      if (!transport) {
        return Promise.reject(
          new AgentRequestError(
            'invalidParameter',
            'joinSession needs the session endpoint: pass sessionTransport to createAgent',
            { param: 'sessionTransport' },
          ),
        );
      }
      const ticket = () => request<SessionTicket>({ type: 'joinSession', sessionKey });
      return createAgentSession({
        sessionKey: sessionKey as string,
        transport,
        clock,
        handshakeTimeoutMs: connection.handshakeTimeoutMs,
        requestTicket: ticket,
        error: (code, message) => new AgentRequestError(code, message),
        // A key that names no session (or a token that no longer admits this agent) will
        // not start working by asking again.
        isFinal: (error) =>
          error instanceof AgentRequestError &&
          (error.code === 'sessionNotFound' ||
            error.code === 'forbidden' ||
            error.code === 'invalidParameter'),
      });
    },
    on(type, listener) {
      const sub = actor.on(type, listener as (event: AgentEmitted) => void);
      return () => sub.unsubscribe();
    },
    getSnapshot: view.getSnapshot,
    subscribe: view.subscribe,
    actor,
  };
}
