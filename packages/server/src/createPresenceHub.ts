import type { Clock, Peer, PeerMeta } from '@beckon/core';
import { CloseCode } from '@beckon/core/protocol';
import type { Logger } from 'pino';
import type { PresenceBus } from './bus/PresenceBus.js';
import type { PresenceCluster } from './cluster/PresenceCluster.js';
import { METRIC_NAMES, type Metrics } from './createMetrics.js';
import { createActivityLog } from './hub/activityLog.js';
import { createAgentFanOut } from './hub/agentFanOut.js';
import { createAgentHandlers } from './hub/agentHandlers.js';
import { createAgentLimiters } from './hub/agentLimiters.js';
import { type Conn, createConn } from './hub/Conn.js';
import { createConnectionInbox } from './hub/connectionInbox.js';
import { createConnectionIO } from './hub/connectionIO.js';
import { createFocusNotices } from './hub/focusNotices.js';
import { createFrameGate } from './hub/frameGate.js';
import { createHandshake } from './hub/handshake.js';
import { createHubContext } from './hub/hubContext.js';
import { createLiveness } from './hub/liveness.js';
import { createPushWake } from './hub/pushWake.js';
import { createRateLimiter, type RateLimit, type RateLimiter } from './hub/rateLimiter.js';
import { createRequestDelivery } from './hub/requestDelivery.js';
import { createResync } from './hub/resync.js';
import { createSignalRelay } from './hub/signalRelay.js';
import {
  createSocketlessAgents,
  type SocketlessAgent,
  type SocketlessOutcome,
  type SocketlessRequest,
} from './hub/socketlessAgents.js';
import { createTeardown } from './hub/teardown.js';
import { createVisitorHandlers } from './hub/visitorHandlers.js';
import { createVisitorPages } from './hub/visitorPages.js';
import { createVisitorTimers } from './hub/visitorTimers.js';
import type { PresenceRegistry } from './PresenceRegistry.js';
import type { GroupConfig, GroupsConfig } from './parseGroupsConfig.js';
import { createSessionChannels } from './session/createSessionChannels.js';
import type { SessionPeer } from './session/SessionConn.js';
import type { SessionStore } from './session/SessionStore.js';
import { createSessionEnds, type SessionEndOutcome } from './session/sessionEnds.js';
import { createSessionRequests } from './session/sessionRequests.js';
import { type SessionOptions, sessionSettings } from './session/sessionSettings.js';
import { createWebhooks } from './webhooks/createWebhooks.js';
import { type WebhookDeliveryOptions, webhookSettings } from './webhooks/webhookSettings.js';

/** Options of {@link createPresenceHub} (and of `createPresenceServer`); sessions: {@link SessionOptions}. */
export interface PresenceHubOptions extends SessionOptions {
  /** Tenants, validated at startup (see `parseGroupsConfig`). */
  groups: GroupsConfig;
  /** State store; defaults to a new `createMemoryRegistry()`. */
  registry?: PresenceRegistry;
  /**
   * What carries messages between connections; defaults to a new `createMemoryBus()`, which
   * closes with the hub. Hubs that share a registry must share a bus too.
   */
  bus?: PresenceBus;
  /**
   * Membership in a cluster of processes sharing `registry` and `bus` (e.g. from
   * `createRedisPresence` of `@beckon/redis`): dead processes are cleaned up after, and
   * connections are refused while the shared state is unreachable.
   */
  cluster?: PresenceCluster;
  metrics?: Metrics;
  /** A pino logger; defaults to pino at `logLevel`. */
  logger?: Logger;
  /** Level of the default logger: `'info'` unless set (`'silent'` for tests). */
  logLevel?: string;
  /** Transport ping interval; a peer silent for twice this is dropped. Default 25 000. */
  heartbeatMs?: number;
  /** Time allowed between connecting and `hello`. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Time a visitor has to acknowledge `showTerms` / `signal`. Default 10 000. */
  ackTimeoutMs?: number;
  /** Reconnect grace: how long requests wait for a returning visitor, and the debounce of `visitorDisconnected`. Default 5 000. */
  graceMs?: number;
  /** How long a hidden visitor stays signalable before it shows as away. Default 600 000. */
  awayAfterMs?: number;
  /** Upper bound of the jittered reconnect delay sent on drain. Default 5 000. */
  drainSpreadMs?: number;
  /** Visitors' token bucket per connection, one token per frame. Default 20 per second, bursts of 40. */
  rateLimit?: RateLimit;
  /**
   * Agents' token bucket per connection. Default 100 per second, bursts of 200. Replies
   * carrying visitors cost one more token per started 16 KiB.
   */
  agentRateLimit?: RateLimit;
  /** Time a closing peer has to complete the close before it is terminated. Default 2 000. */
  closeTimeoutMs?: number;
  /** Interval of the activity summary logged at `info`; 0 turns it off. Default 60 000. */
  logSummaryMs?: number;
  /** Time in milliseconds since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  /** Timer source for every delay of the hub, so tests can drive time. Default: the global timers. */
  clock?: Clock;
  /** Uniform random in [0, 1), for the drain and webhook retry jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * How long an agent's request waits for a visitor a push notification woke (groups with
   * `push`), before failing with `visitorAsleep`. Default 30 000, at most 600 000.
   */
  pushWaitMs?: number;
  /** Push subscriptions kept per visitor (one per browser); older ones are dropped. Default 5. */
  maxPushSubscriptionsPerVisitor?: number;
  /** How long a push subscription is kept unless the visitor's browser saves it again. Default 30 days. */
  pushSubscriptionTtlMs?: number;
  /** Deadline of one post to a push service. Default 10 000. */
  pushTimeoutMs?: number;
  /** How webhooks (the groups' `webhooks` endpoints) are delivered: timeouts, retries, queue size. */
  webhookDelivery?: WebhookDeliveryOptions;
}

/** The protocol engine of the presence service, independent of any socket library. */
export interface PresenceHub {
  /**
   * Attaches a connection. The hub takes it from there: handshake, focus, relays, liveness.
   * Returns the connection ID it will carry in `welcome`.
   */
  accept(peer: Peer, meta?: PeerMeta): string;
  /**
   * Attaches a connection to the session endpoint (the session channel: a visitor's page
   * streaming its session, or an agent watching one). Returns its connection ID.
   */
  acceptSession(peer: SessionPeer, meta?: PeerMeta): string;
  /**
   * Runs one request of an agent without a socket (the HTTP agent API): the same handlers,
   * relay and bus as a WebSocket agent's. The caller authenticated the agent and keeps its
   * rate limiter. Resolves with the reply, or `{ stopping: true }` when the hub stops first.
   */
  agentRequest(
    agent: SocketlessAgent,
    request: SocketlessRequest,
    cancel?: AbortSignal,
  ): Promise<SocketlessOutcome>;
  /**
   * Asks the visitor's app to end the session with this key in the agent's group (the HTTP
   * agent API's end): resolves once it has, or with `sessionNotFound` or `timeout`.
   */
  endSession(
    agent: { groupId: string; agentId: string },
    sessionKey: string,
    reason: string | undefined,
    cancel?: AbortSignal,
  ): Promise<SessionEndOutcome>;
  /**
   * The rate limiter of an agent without a socket (its group and token subject), with its
   * group's agent limit: the HTTP agent API takes a token per request from it.
   */
  agentLimiter(groupId: string, agentId: string): RateLimiter;
  /** The groups, as configured (validated, defaults not filled in). */
  readonly groups: ReadonlyMap<string, GroupConfig>;
  /** Whether the hub drains or closes (new work is refused). */
  readonly stopping: boolean;
  /** Open session channel connections by role (`handshake`: no ticket redeemed yet). */
  sessionCounts(): { host: number; viewer: number; handshake: number };
  readonly registry: PresenceRegistry;
  /** Sessions and their tickets. */
  readonly sessions: SessionStore;
  readonly bus: PresenceBus;
  readonly metrics: Metrics;
  /**
   * Open connections by role (`handshake`: no accepted `hello` yet), and `closing`: closed
   * by the service, waiting for the peer to complete the close (at most `closeTimeoutMs`).
   */
  connectionCounts(): { visitor: number; agent: number; handshake: number; closing: number };
  /**
   * Closes every connection with {@link CloseCode.reconnect} and a jittered delay hint in
   * [0, drainSpreadMs] ms as the reason, and refuses new ones the same way.
   */
  drain(): Promise<void>;
  /** Closes every connection with 1001 (going away) and stops all timers. */
  close(): Promise<void>;
}

/**
 * Creates the presence service's protocol engine without any network listener: feed it
 * connections with {@link PresenceHub.accept}. `createPresenceServer` wraps it with HTTP and
 * WebSockets; an in-process transport can attach to it directly. Hubs given the same
 * registry and bus serve one set of visitors and agents together.
 *
 * @example
 * const hub = createPresenceHub({ groups: { demo: { presence: true, agentSecrets: [secret] } } });
 * hub.accept({
 *   send: (text) => toClient(text),
 *   close: (code, reason) => endClient(code, reason),
 *   onMessage: (listener) => { fromClient = listener; },
 *   onClose: (listener) => { clientGone = listener; },
 * }, { origin: 'https://app.example.com' });
 */
export function createPresenceHub(options: PresenceHubOptions): PresenceHub {
  const { ctx, ownsBus } = createHubContext(options);
  const { bus, log, now, settings } = ctx;
  const sessionConfig = sessionSettings(options);
  const webhooks = createWebhooks(ctx, webhookSettings(options.webhookDelivery));
  // This hub's own connections: for routing what the bus delivers, liveness, counts and
  // shutdown. Parts get the context, which leaves them out.
  const conns = new Map<string, Conn>();

  // The parts, leaves first. `ends` (teardown) is made late: closing needs it, and it needs
  // the rest; no connection closes before it exists.
  const io = createConnectionIO(ctx, {
    teardown: (conn) => ends.close(conn),
    settle: (conn, cause) => relay.settleAgent(conn, cause),
  });
  const push = createPushWake(ctx, io);
  // The relay tells agents about wake-ups through the fan-out, which hears the relay's
  // events in turn: the call is late-bound, as nothing is emitted before both exist.
  const relay = createSignalRelay(ctx, io, {
    push,
    emit: (groupId, visitorId, body) => fanOut.emit(groupId, visitorId, body),
  });
  const delivery = createRequestDelivery(ctx, io);
  const fanOut = createAgentFanOut(ctx, io, relay.onGroupEvent, webhooks.originFor);
  const focus = createFocusNotices(ctx, io, fanOut);
  const sessions = createSessionRequests(ctx, io, sessionConfig);
  const sessionChannels = createSessionChannels(ctx, sessionConfig);
  const visitors = createVisitorTimers(ctx, fanOut, sessions.visitorGone);
  const inbox = createConnectionInbox(ctx, io, conns, { delivery, relay });
  const forget = (conn: Conn) => {
    conns.delete(conn.id);
    inbox.detach(conn);
    io.stopHandshakeTimer(conn);
  };
  const ends = createTeardown(ctx, { forget, fanOut, focus, visitors, relay, delivery });
  const handshake = createHandshake(ctx, io, { attach: inbox.attach, fanOut, focus, visitors });
  const handleAgent = createAgentHandlers(ctx, io, {
    relay,
    sessions,
    pages: createVisitorPages(ctx, io),
  });
  const gate = createFrameGate(ctx, io, {
    hello: handshake.begin,
    visitor: createVisitorHandlers(ctx, io, { fanOut, focus, visitors, delivery, sessions, push }),
    agent: handleAgent,
  });
  const socketless = createSocketlessAgents(ctx, { handle: handleAgent, fanOut, relay });
  const sessionEnds = createSessionEnds(ctx, sessionConfig.store);
  const agentLimiters = createAgentLimiters((groupId) => ctx.limitFor('agent', groupId), now);
  const liveness = createLiveness(ctx, io, conns);
  liveness.start();
  const activity = createActivityLog(ctx, () => connectionCounts());
  activity.start();
  const leaveCluster = ctx.cluster?.join({
    graceMs: settings.graceMs,
    log,
    connectionLost: (key, result) => {
      if (!ctx.stopping) ends.removed(key, result);
    },
    nodeDown(owns) {
      for (const conn of conns.values()) {
        if (conn.role === 'agent') relay.targetsLost(conn, owns);
      }
    },
    visitorGone: ({ groupId, visitorId }) => visitors.gone(groupId, visitorId),
    resync: createResync(ctx, io, conns, { teardown: ends, fanOut, focus, visitors }),
  });

  const accept = (peer: Peer, meta: PeerMeta = {}): string => {
    const t = now();
    const conn = createConn(
      bus.createConnectionId(),
      peer,
      meta,
      // The visitors' limit until `hello` names the role and group.
      createRateLimiter(settings.rateLimit, t),
      t,
    );
    const stopping = ctx.stopping;
    const refusal = stopping
      ? { code: stopping.code, reason: stopping.reason() }
      : ctx.available()
        ? undefined
        : { code: CloseCode.unavailable, reason: 'shared state unavailable; try again' };
    if (refusal) {
      if (!stopping) ctx.metrics.inc(METRIC_NAMES.rejections, { reason: 'unavailable' });
      try {
        peer.close(refusal.code, refusal.reason);
      } catch {
        // The peer is going anyway.
      }
      return conn.id;
    }
    conns.set(conn.id, conn);
    peer.onMessage((data) => {
      try {
        gate.onFrame(conn, data);
      } catch (error) {
        ctx.internal(error, 'frame', conn);
      }
    });
    peer.onClose((code, reason) => {
      log.debug({ connectionId: conn.id, code, reason }, 'peer closed');
      io.closed(conn);
      if (conn.phase === 'closed') return;
      conn.phase = 'closed';
      io.stopHandshakeTimer(conn);
      io.enqueue(conn, () => ends.close(conn), 'teardown');
    });
    peer.onPong?.(() => {
      conn.lastSeen = now();
    });
    conn.handshakeTimer = ctx.timer(
      settings.handshakeTimeoutMs,
      () => {
        if (conn.phase !== 'handshake' && conn.phase !== 'joining') return;
        ctx.metrics.inc(METRIC_NAMES.rejections, { reason: 'handshakeTimeout' });
        io.closeConn(
          conn,
          CloseCode.handshakeTimeout,
          `no hello within ${settings.handshakeTimeoutMs} ms`,
        );
      },
      'handshake timeout',
    );
    log.debug({ connectionId: conn.id, ...meta }, 'connection accepted');
    return conn.id;
  };

  const shutdown = async (code: number, reason: () => string) => {
    if (!ctx.stopping) {
      ctx.stopping = { code, reason };
      liveness.stop();
      activity.stop();
    }
    const all = [...conns.values()];
    for (const conn of all) io.closeConn(conn, code, reason());
    socketless.close();
    sessionEnds.close();
    webhooks.close();
    await sessionChannels.close(code, reason);
    await Promise.all(all.map((c) => c.queue));
    ctx.cancelAll();
    visitors.clear();
    leaveCluster?.();
    if (ownsBus) await bus.close();
  };

  function connectionCounts() {
    const counts = { visitor: 0, agent: 0, handshake: 0, closing: io.closingCount() };
    for (const c of conns.values()) {
      if (c.phase === 'closed') continue;
      if (c.phase === 'open' && c.role) counts[c.role] += 1;
      else counts.handshake += 1;
    }
    return counts;
  }

  return {
    accept,
    acceptSession: (peer, meta) => sessionChannels.accept(peer, meta),
    agentRequest: (agent, request, cancel) =>
      ctx.stopping ? Promise.resolve({ stopping: true }) : socketless.run(agent, request, cancel),
    endSession: (agent, sessionKey, reason, cancel) =>
      ctx.stopping
        ? Promise.resolve({ stopping: true })
        : sessionEnds.end(agent, sessionKey, reason, cancel),
    agentLimiter: (groupId, agentId) => agentLimiters.get(groupId, agentId),
    groups: ctx.groups,
    get stopping() {
      return ctx.stopping !== undefined;
    },
    sessionCounts: () => sessionChannels.counts(),
    registry: ctx.registry,
    sessions: sessionConfig.store,
    bus,
    metrics: ctx.metrics,
    connectionCounts,
    drain: () =>
      shutdown(CloseCode.reconnect, () =>
        String(Math.floor(ctx.random() * (settings.drainSpreadMs + 1))),
      ),
    close: () => shutdown(CloseCode.goingAway, () => 'server closing'),
  };
}
