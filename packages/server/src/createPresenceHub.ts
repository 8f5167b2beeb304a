import { randomUUID } from 'node:crypto';
import {
  type AgentEvent,
  CloseCode,
  ErrorCode,
  encodeMessage,
  FromAgent,
  FromVisitor,
  LIMITS,
  PROTOCOL_VERSION,
  type ProtocolError,
  parseMessage,
  type ToAgent,
  type ToVisitor,
  type VisitorSummary,
} from '@beckon/core/protocol';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import { createMemoryRegistry } from './createMemoryRegistry.js';
import { createMetrics, METRIC_NAMES, type Metrics } from './createMetrics.js';
import { createRateLimiter, type RateLimit, type RateLimiter } from './createRateLimiter.js';
import type {
  FocusChange,
  PresenceRegistry,
  Visibility,
  VisitorRecord,
} from './PresenceRegistry.js';
import {
  ConfigError,
  type GroupConfig,
  type GroupsConfig,
  parseGroupsConfig,
} from './parseGroupsConfig.js';
import { AGENT_AUDIENCE, type TokenClaims, VISITOR_AUDIENCE, verifyToken } from './tokens.js';

/**
 * One client connection as the hub sees it, whatever carries it: a `ws` socket, or an
 * in-process peer such as the mock transport. The hub installs its listeners once, right
 * after {@link PresenceHub.accept}.
 */
export interface Peer {
  /** Sends one text frame. May throw or do nothing once the peer is closed. */
  send(text: string): void;
  /** Closes the connection with a WebSocket close code and a short reason (≤ 123 bytes). */
  close(code: number, reason: string): void;
  /** Each incoming frame: a string for text, bytes for binary (which the hub refuses). */
  onMessage(listener: (data: string | Uint8Array) => void): void;
  /** The connection ended, whoever ended it. */
  onClose(listener: (code: number, reason: string) => void): void;
  /** Transport-level ping. Peers without it are not checked for liveness. */
  ping?(): void;
  /** Transport-level pong, the answer to {@link Peer.ping}. */
  onPong?(listener: () => void): void;
  /** Drops the connection at once, for peers that stopped answering. */
  terminate?(): void;
}

/** Where a peer comes from; used for origin checks and logs. */
export interface PeerMeta {
  /** The HTTP `Origin` header of the upgrade request, if any. */
  origin?: string;
  remoteAddress?: string;
}

/** Timer functions, injectable so tests can drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link createPresenceHub} (and of `createPresenceServer`). */
export interface PresenceHubOptions {
  /** Tenants, validated at startup (see `parseGroupsConfig`). */
  groups: GroupsConfig;
  /** State store; defaults to {@link createMemoryRegistry}. */
  registry?: PresenceRegistry;
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
  /** Per-connection token bucket. Default 20 per second, bursts of 40. */
  rateLimit?: RateLimit;
  /** Clock in milliseconds since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  timers?: Timers;
  /** Uniform random in [0, 1), for the drain jitter. Default `Math.random`. */
  random?: () => number;
}

/** The protocol engine of the presence service, independent of any socket library. */
export interface PresenceHub {
  /**
   * Attaches a connection. The hub takes it from there: handshake, focus, relays, liveness.
   * Returns the connection ID it will carry in `welcome`.
   */
  accept(peer: Peer, meta?: PeerMeta): string;
  readonly registry: PresenceRegistry;
  readonly metrics: Metrics;
  /** Open connections by role (`handshake`: no accepted `hello` yet). */
  connectionCounts(): { visitor: number; agent: number; handshake: number };
  /**
   * Closes every connection with {@link CloseCode.reconnect} and a jittered delay hint in
   * [0, drainSpreadMs] ms as the reason, and refuses new ones the same way.
   */
  drain(): Promise<void>;
  /** Closes every connection with 1001 (going away) and stops all timers. */
  close(): Promise<void>;
}

const Options = z.looseObject({
  heartbeatMs: z.number().int().positive().optional(),
  handshakeTimeoutMs: z.number().int().positive().optional(),
  ackTimeoutMs: z.number().int().positive().optional(),
  graceMs: z.number().int().nonnegative().optional(),
  awayAfterMs: z.number().int().positive().optional(),
  drainSpreadMs: z.number().int().nonnegative().optional(),
  rateLimit: z
    .strictObject({ perSecond: z.number().positive(), burst: z.number().int().min(1) })
    .optional(),
});

/** Bad frames tolerated per minute before a connection is closed with 4000. */
const MAX_BAD_FRAMES = 10;
const BAD_FRAME_WINDOW_MS = 60_000;
/** How often one request may be re-sent because its target closed before acknowledging. */
const MAX_ATTEMPTS = 3;
/** Requests one agent may have in flight. */
const MAX_PENDING_PER_AGENT = 256;
/** Visitors one agent may watch one by one. */
const MAX_WATCHED = 10_000;

type Role = 'visitor' | 'agent';
type VisitorMessage = Exclude<FromVisitor, { type: 'hello' }>;
type AgentMessage = Exclude<FromAgent, { type: 'hello' }>;
type VisitorHello = Extract<FromVisitor, { type: 'hello' }>;
type AgentHello = Extract<FromAgent, { type: 'hello' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type EventBody = DistributiveOmit<AgentEvent, 'visitorId' | 'at'>;

interface Conn {
  id: string;
  peer: Peer;
  meta: PeerMeta;
  phase: 'handshake' | 'joining' | 'open' | 'closed';
  role?: Role;
  groupId: string;
  visitorId: string;
  agentId: string;
  /** The registry knows this (visitor) connection; teardown must remove it. */
  registered: boolean;
  watchAll: boolean;
  // The collections below are made on first use: most connections are visitors that never
  // need them, and three empty ones cost ~600 bytes per connection. (Always present, maybe
  // undefined, so every connection object keeps one shape.)
  /** Agent: visitors watched one by one. */
  watched: Set<string> | undefined;
  /** Agent: its requests in flight, by server-side id. */
  requests: Map<number, Pending> | undefined;
  /** Visitor: requests sent to it and not yet acknowledged. */
  awaiting: Set<Pending> | undefined;
  limiter: RateLimiter;
  limitedStreak: number;
  badFrames: number[];
  lastSeen: number;
  /** When the last ping went out (transport or protocol); undefined until the first. */
  pingedAt: number | undefined;
  /** Handlers of one connection run one after another, so a pipelined frame never overtakes `hello`. */
  queue: Promise<void>;
  handshakeTimer?: unknown;
}

interface Pending {
  serverId: number;
  agent: Conn;
  agentRequestId: number;
  groupId: string;
  visitorId: string;
  kind: 'showTerms' | 'signal';
  message: (id: number) => ToVisitor;
  target?: Conn;
  epoch: number;
  timer?: unknown;
  attempts: number;
  done: boolean;
}

interface VisitorLocal {
  graceTimer?: unknown;
  awayTimer?: unknown;
  /** Requests waiting for the visitor to (re)connect. */
  waiting: Set<Pending>;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

// A function, not an inline comparison: TypeScript does not know `await` lets phase change.
const isClosed = (conn: Conn) => conn.phase === 'closed';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Summarises a stored visitor for agents. */
function toSummary(v: VisitorRecord): VisitorSummary {
  return {
    visitorId: v.visitorId,
    // Present while connected or within the reconnect grace; away means gone quiet.
    present: v.visibility !== 'away',
    visibility: v.visibility,
    presence: { ...v.presence },
    connections: v.connections.length,
    epoch: v.epoch,
    lastActiveAt: v.lastActiveAt,
    ...(v.focusedConnectionId !== undefined && { focusedConnectionId: v.focusedConnectionId }),
    ...(v.sessionKey !== undefined && { sessionKey: v.sessionKey }),
  };
}

/**
 * Creates the presence service's protocol engine without any network listener: feed it
 * connections with {@link PresenceHub.accept}. `createPresenceServer` wraps it with HTTP and
 * WebSockets; an in-process transport can attach to it directly.
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
  const checked = Options.safeParse(options);
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => ({
      path: ['options', ...i.path.map(String)].join('.'),
      message: i.message,
    }));
    throw new ConfigError(
      `invalid options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  const groups = new Map<string, GroupConfig>(Object.entries(parseGroupsConfig(options.groups)));
  const registry = options.registry ?? createMemoryRegistry();
  const metrics = options.metrics ?? createMetrics();
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info' });
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const graceMs = options.graceMs ?? 5_000;
  const awayAfterMs = options.awayAfterMs ?? 600_000;
  const drainSpreadMs = options.drainSpreadMs ?? 5_000;
  const rateLimit = options.rateLimit ?? { perSecond: 20, burst: 40 };
  const now = options.now ?? Date.now;
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;

  const conns = new Map<string, Conn>();
  const agentsByGroup = new Map<string, Set<Conn>>();
  const visitors = new Map<string, VisitorLocal>();
  const pendingById = new Map<number, Pending>();
  const liveTimers = new Set<unknown>();
  let nextServerId = 1;
  let stopping: { code: number; reason: () => string } | undefined;
  let heartbeat: unknown;

  // --- plumbing ------------------------------------------------------------------------

  const internal = (error: unknown, where: string, conn?: Conn) => {
    metrics.inc(METRIC_NAMES.internalErrors);
    log.error({ err: error, where, connectionId: conn?.id }, 'internal error');
  };

  const timer = (ms: number, fn: () => void | Promise<void>, where: string): unknown => {
    const handle = timers.setTimeout(
      () => {
        liveTimers.delete(handle);
        try {
          const result = fn();
          if (result instanceof Promise) result.catch((e) => internal(e, where));
        } catch (error) {
          internal(error, where);
        }
      },
      Math.max(0, ms),
    );
    liveTimers.add(handle);
    return handle;
  };
  const cancel = (handle: unknown) => {
    if (handle === undefined) return;
    timers.clearTimeout(handle);
    liveTimers.delete(handle);
  };

  // Dropped, not just cleared: a cleared timer still holds its callback (and through it the
  // connection's closures) for as long as the connection lives. Assigned, not deleted:
  // `delete` would turn every connection object into a slower, larger dictionary.
  const stopHandshakeTimer = (conn: Conn) => {
    cancel(conn.handshakeTimer);
    conn.handshakeTimer = undefined;
  };

  const visitorKey = (groupId: string, visitorId: string) => `${groupId}/${visitorId}`;
  const local = (groupId: string, visitorId: string): VisitorLocal => {
    const key = visitorKey(groupId, visitorId);
    let v = visitors.get(key);
    if (!v) {
      v = { waiting: new Set() };
      visitors.set(key, v);
    }
    return v;
  };

  const send = (conn: Conn, message: ToVisitor | ToAgent): boolean =>
    sendText(conn, encodeMessage(message));
  const sendText = (conn: Conn, text: string): boolean => {
    if (conn.phase === 'closed') return false;
    try {
      conn.peer.send(text);
      metrics.inc(METRIC_NAMES.messagesOut, { role: conn.role ?? 'unknown' });
      return true;
    } catch (error) {
      log.warn({ err: error, connectionId: conn.id }, 'send failed');
      return false;
    }
  };

  const enqueue = (conn: Conn, task: () => Promise<void>, where: string) => {
    conn.queue = conn.queue.then(task).catch((error) => {
      internal(error, where, conn);
      send(conn, { type: 'error', code: ErrorCode.internal, message: 'internal error' });
    });
  };

  const closeConn = (conn: Conn, code: number, reason: string) => {
    if (conn.phase === 'closed') return;
    conn.phase = 'closed';
    stopHandshakeTimer(conn);
    log.debug({ connectionId: conn.id, code, reason }, 'closing connection');
    try {
      conn.peer.close(code, reason);
    } catch (error) {
      log.warn({ err: error, connectionId: conn.id }, 'close failed');
    }
    enqueue(conn, () => teardown(conn), 'teardown');
  };

  /** Refuses a connection for good: a typed error, then the matching close code. */
  const refuse = (conn: Conn, code: ErrorCode, closeCode: number, message: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: code });
    log.info(
      { connectionId: conn.id, code, group: conn.groupId, origin: conn.meta.origin },
      message,
    );
    send(conn, { type: 'error', code, message });
    closeConn(conn, closeCode, message);
  };

  // One token check for both roles: the signature and expiry, then the group it grants.
  // Refuses the connection and returns undefined when the token does not admit it.
  const admit = async (
    conn: Conn,
    role: 'visitor' | 'agent',
    token: string,
    secrets: readonly string[],
    groupId: string,
  ): Promise<TokenClaims | undefined> => {
    const audience = role === 'visitor' ? VISITOR_AUDIENCE : AGENT_AUDIENCE;
    const result = await verifyToken(token, secrets, audience, now());
    if (isClosed(conn)) return undefined;
    if (!result.ok) {
      refuse(conn, ErrorCode.unauthorized, CloseCode.unauthorized, `${role} ${result.message}`);
      return undefined;
    }
    if (result.claims.grp !== groupId) {
      refuse(
        conn,
        ErrorCode.forbidden,
        CloseCode.forbidden,
        `${role} token belongs to another group`,
      );
      return undefined;
    }
    return result.claims;
  };

  /** Answers a bad frame; repeated bad frames close the connection. */
  const badFrame = (conn: Conn, error: ProtocolError, raw: string | undefined, reason?: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: reason ?? error.code });
    const requestId = conn.role === 'agent' && raw !== undefined ? requestIdOf(raw) : undefined;
    const body = {
      code: error.code,
      message: error.message,
      ...(error.param !== undefined && { param: error.param }),
    };
    // An agent's malformed request still gets an answer under its id, so nothing hangs.
    if (requestId !== undefined) send(conn, { type: 'failed', id: requestId, ...body });
    else send(conn, { type: 'error', ...body });
    const t = now();
    conn.badFrames = conn.badFrames.filter((at) => t - at < BAD_FRAME_WINDOW_MS);
    conn.badFrames.push(t);
    if (conn.badFrames.length >= MAX_BAD_FRAMES) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'badRequest' });
      closeConn(conn, CloseCode.badRequest, 'too many invalid frames');
    }
  };

  const requestIdOf = (raw: string): number | undefined => {
    try {
      const value: unknown = JSON.parse(raw);
      const id = isObject(value) ? value.id : undefined;
      return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
    } catch {
      return undefined;
    }
  };

  // --- agents' view ----------------------------------------------------------------------

  const emit = (groupId: string, visitorId: string, body: EventBody) => {
    const agents = agentsByGroup.get(groupId);
    if (!agents || agents.size === 0) return;
    let text: string | undefined;
    for (const agent of agents) {
      if (!agent.watchAll && !agent.watched?.has(visitorId)) continue;
      // Encoded once for every agent watching. Object.assign, not `{ ...body, visitorId }`:
      // in Node 20 that spread takes a slow path costing ~2 µs, a tenth of a relay.
      text ??= encodeMessage(Object.assign({}, body, { visitorId, at: now() }) as AgentEvent);
      sendText(agent, text);
    }
  };

  const applyFocus = (groupId: string, visitorId: string, change: FocusChange, welcomed?: Conn) => {
    metrics.inc(METRIC_NAMES.focusChanges);
    const target = conns.get(change.connectionId);
    if (target && target !== welcomed) send(target, { type: 'focus', epoch: change.epoch });
    if (change.previousConnectionId !== undefined) {
      const previous = conns.get(change.previousConnectionId);
      if (previous) send(previous, { type: 'blur', epoch: change.epoch });
    }
    emit(groupId, visitorId, {
      type: 'focus',
      connectionId: change.connectionId,
      epoch: change.epoch,
    });
    if (target && target.phase === 'open') flushWaiting(groupId, visitorId, target, change.epoch);
  };

  const onVisibility = (
    groupId: string,
    visitorId: string,
    visibility: Visibility,
    hiddenSince: number | undefined,
  ) => {
    if (stopping) return;
    emit(groupId, visitorId, { type: 'visibility', visibility });
    const v = local(groupId, visitorId);
    cancel(v.awayTimer);
    delete v.awayTimer;
    if (visibility === 'hidden' && hiddenSince !== undefined) {
      v.awayTimer = timer(
        hiddenSince + awayAfterMs - now(),
        async () => {
          delete v.awayTimer;
          if (await registry.markAway({ groupId, visitorId, hiddenSince })) {
            emit(groupId, visitorId, { type: 'visibility', visibility: 'away' });
          }
        },
        'away',
      );
    }
  };

  // --- requests from agents to visitors --------------------------------------------------

  const finish = (p: Pending) => {
    p.done = true;
    cancel(p.timer);
    pendingById.delete(p.serverId);
    p.agent.requests?.delete(p.serverId);
    p.target?.awaiting?.delete(p);
    visitors.get(visitorKey(p.groupId, p.visitorId))?.waiting.delete(p);
  };

  const fail = (p: Pending, code: ErrorCode, message: string) => {
    if (p.done) return;
    finish(p);
    metrics.inc(METRIC_NAMES.signalsFailed, { code });
    log.debug({ requestId: p.serverId, code, visitorId: p.visitorId }, 'request failed');
    send(p.agent, { type: 'failed', id: p.agentRequestId, code, message });
  };

  const deliverTo = (p: Pending, target: Conn, epoch: number) => {
    if (p.done) return;
    if (p.attempts >= MAX_ATTEMPTS) {
      fail(
        p,
        ErrorCode.visitorNotPresent,
        `the visitor's connections closed ${MAX_ATTEMPTS} times before acknowledging`,
      );
      return;
    }
    cancel(p.timer);
    p.attempts += 1;
    p.target = target;
    p.epoch = epoch;
    target.awaiting ??= new Set();
    target.awaiting.add(p);
    p.timer = timer(
      ackTimeoutMs,
      () => fail(p, ErrorCode.timeout, `the visitor did not acknowledge within ${ackTimeoutMs} ms`),
      'ack timeout',
    );
    send(target, p.message(p.serverId));
  };

  const hold = (p: Pending, ms: number) => {
    if (p.done) return;
    if (ms <= 0) {
      fail(p, ErrorCode.visitorNotPresent, `visitor "${p.visitorId}" is not connected`);
      return;
    }
    cancel(p.timer);
    local(p.groupId, p.visitorId).waiting.add(p);
    p.timer = timer(
      ms,
      () =>
        fail(
          p,
          ErrorCode.visitorNotPresent,
          `visitor "${p.visitorId}" did not reconnect within ${graceMs} ms`,
        ),
      'grace hold',
    );
  };

  const flushWaiting = (groupId: string, visitorId: string, target: Conn, epoch: number) => {
    const v = visitors.get(visitorKey(groupId, visitorId));
    if (!v || v.waiting.size === 0) return;
    const waiting = [...v.waiting];
    v.waiting.clear();
    for (const p of waiting) deliverTo(p, target, epoch);
  };

  const dispatch = async (p: Pending) => {
    const v = await registry.get({ groupId: p.groupId, visitorId: p.visitorId });
    if (p.done) return;
    if (!v) {
      fail(p, ErrorCode.visitorNotPresent, `visitor "${p.visitorId}" is not connected`);
      return;
    }
    if (v.visibility === 'away') {
      fail(p, ErrorCode.visitorNotPresent, `visitor "${p.visitorId}" is away`);
      return;
    }
    if (v.connections.length === 0) {
      // Reconnecting: wait out what is left of the grace window.
      hold(p, (v.disconnectedAt ?? now()) + graceMs - now());
      return;
    }
    const target =
      v.focusedConnectionId === undefined ? undefined : conns.get(v.focusedConnectionId);
    if (target?.phase !== 'open') {
      // The focused connection is closing right now; its teardown will hand focus on.
      hold(p, graceMs);
      return;
    }
    deliverTo(p, target, v.epoch);
  };

  const onAck = (conn: Conn, id: number, status: 'busy' | undefined) => {
    const p = pendingById.get(id);
    // Acks for timed-out requests, or for requests sent elsewhere, change nothing.
    if (!p || p.target !== conn) {
      log.debug({ connectionId: conn.id, id }, 'ack for no pending request');
      return;
    }
    if (status === 'busy') {
      fail(p, ErrorCode.busy, 'the visitor is busy (already in a session)');
      return;
    }
    finish(p);
    metrics.inc(METRIC_NAMES.signalsDelivered, { kind: p.kind });
    send(p.agent, {
      type: 'delivered',
      id: p.agentRequestId,
      connectionId: conn.id,
      epoch: p.epoch,
    });
  };

  // --- handshake --------------------------------------------------------------------------

  const joinVisitor = async (conn: Conn, hello: VisitorHello) => {
    const { groupId, visitorId } = hello;
    const group = groups.get(groupId);
    if (!group?.presence) {
      refuse(
        conn,
        ErrorCode.notConfigured,
        CloseCode.notConfigured,
        `presence is not configured for group "${groupId}"`,
      );
      return;
    }
    if (group.allowedOrigins && !group.allowedOrigins.includes(conn.meta.origin ?? '')) {
      refuse(
        conn,
        ErrorCode.forbidden,
        CloseCode.forbidden,
        `origin ${JSON.stringify(conn.meta.origin ?? null)} is not allowed for this group`.slice(
          0,
          120,
        ),
      );
      return;
    }
    const tokens = group.visitorTokens;
    if (tokens && (tokens.required || hello.token !== undefined)) {
      if (hello.token === undefined) {
        refuse(
          conn,
          ErrorCode.unauthorized,
          CloseCode.unauthorized,
          'a visitor token is required for this group',
        );
        return;
      }
      const claims = await admit(conn, 'visitor', hello.token, tokens.secrets, groupId);
      if (!claims) return;
      if (claims.sub !== visitorId) {
        refuse(
          conn,
          ErrorCode.forbidden,
          CloseCode.forbidden,
          'visitor token belongs to another visitor ID',
        );
        return;
      }
    }
    if (isClosed(conn)) return;
    conn.visitorId = visitorId;
    const result = await registry.connect({
      groupId,
      visitorId,
      connectionId: conn.id,
      visible: hello.visible,
      at: now(),
    });
    // From here teardown (queued behind us if the peer already left) must unregister.
    conn.registered = true;
    if (isClosed(conn)) return;
    conn.phase = 'open';
    stopHandshakeTimer(conn);
    // Only a visitor coming back within the grace window has local state to clear; creating
    // it for every visitor would cost a few hundred bytes each.
    const v = visitors.get(visitorKey(groupId, visitorId));
    if (v) {
      cancel(v.graceTimer);
      delete v.graceTimer;
    }
    log.info(
      { connectionId: conn.id, group: groupId, visitorId, epoch: result.focus.epoch },
      'visitor connected',
    );
    send(conn, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: conn.id,
      focused: true,
      epoch: result.focus.epoch,
      heartbeatMs,
    });
    // A new visitor is announced; for one already known (another tab, or back within the
    // grace window) agents still learn how many instances it has now.
    emit(groupId, visitorId, {
      type: result.isNew ? 'visitorConnected' : 'connections',
      connections: result.visitor.connections.length,
    });
    applyFocus(groupId, visitorId, result.focus, conn);
    if (result.visibilityChanged) {
      onVisibility(groupId, visitorId, result.visitor.visibility, result.visitor.hiddenSince);
    }
  };

  const joinAgent = async (conn: Conn, hello: AgentHello) => {
    const { groupId } = hello;
    const group = groups.get(groupId);
    if (!group?.presence) {
      refuse(
        conn,
        ErrorCode.notConfigured,
        CloseCode.notConfigured,
        `presence is not configured for group "${groupId}"`,
      );
      return;
    }
    const claims = await admit(conn, 'agent', hello.token, group.agentSecrets, groupId);
    if (!claims) return;
    conn.agentId = claims.sub;
    conn.phase = 'open';
    stopHandshakeTimer(conn);
    let agents = agentsByGroup.get(groupId);
    if (!agents) {
      agents = new Set();
      agentsByGroup.set(groupId, agents);
    }
    agents.add(conn);
    log.info({ connectionId: conn.id, group: groupId, agentId: conn.agentId }, 'agent connected');
    send(conn, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: conn.id,
      groupId,
      heartbeatMs,
    });
  };

  const onHello = (conn: Conn, raw: string) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      badFrame(conn, { code: 'malformed', message: 'frame is not valid JSON' }, undefined);
      return;
    }
    // Checked before the shape: a newer client's hello may not fit this version's schema.
    if (
      isObject(value) &&
      value.type === 'hello' &&
      typeof value.v === 'number' &&
      value.v !== PROTOCOL_VERSION
    ) {
      refuse(
        conn,
        ErrorCode.unsupportedVersion,
        CloseCode.unsupportedVersion,
        `protocol version ${value.v} is not supported; this service speaks ${PROTOCOL_VERSION}`.slice(
          0,
          120,
        ),
      );
      return;
    }
    const agent = isObject(value) && value.role === 'agent';
    const result = agent ? parseMessage(value, FromAgent) : parseMessage(value, FromVisitor);
    if (!result.ok) {
      badFrame(conn, result.error, undefined);
      return;
    }
    const hello = result.message;
    if (hello.type !== 'hello') {
      badFrame(
        conn,
        { code: 'invalidMessage', message: 'the first frame must be hello', param: 'type' },
        undefined,
      );
      return;
    }
    conn.phase = 'joining';
    conn.role = hello.role;
    conn.groupId = hello.groupId;
    enqueue(
      conn,
      () => (hello.role === 'agent' ? joinAgent(conn, hello) : joinVisitor(conn, hello)),
      'hello',
    );
  };

  // --- after the handshake ------------------------------------------------------------

  const activity = async (conn: Conn) => {
    const change = await registry.touch({
      groupId: conn.groupId,
      visitorId: conn.visitorId,
      connectionId: conn.id,
      at: now(),
    });
    if (change) applyFocus(conn.groupId, conn.visitorId, change);
  };

  const handleVisitor = async (conn: Conn, m: VisitorMessage) => {
    const { groupId, visitorId } = conn;
    switch (m.type) {
      case 'presence':
        await activity(conn);
        await registry.setPresence({ groupId, visitorId, data: m.data, at: now() });
        emit(groupId, visitorId, { type: 'presence', data: m.data });
        return;
      case 'visibility': {
        await activity(conn);
        const r = await registry.setVisibility({
          groupId,
          visitorId,
          connectionId: conn.id,
          visible: m.visible,
          at: now(),
        });
        if (r?.changed) onVisibility(groupId, visitorId, r.visibility, r.hiddenSince);
        return;
      }
      case 'signal':
        await activity(conn);
        if (m.name === 'terms') {
          // parseMessage guarantees { status } with a known status for `terms`.
          const status = m.properties.status as 'displayed' | 'accepted' | 'declined';
          emit(groupId, visitorId, { type: 'terms', status });
        } else {
          emit(groupId, visitorId, { type: 'signal', name: m.name, properties: m.properties });
        }
        return;
      case 'sessionStart':
        await registry.setSessionKey({ groupId, visitorId, sessionKey: m.sessionKey });
        emit(groupId, visitorId, { type: 'sessionStart', sessionKey: m.sessionKey });
        return;
      case 'sessionEnd':
        await registry.setSessionKey({ groupId, visitorId, sessionKey: undefined });
        emit(groupId, visitorId, {
          type: 'sessionEnd',
          ...(m.reason !== undefined && { reason: m.reason }),
        });
        return;
      case 'error':
        emit(groupId, visitorId, {
          type: 'visitorError',
          code: m.code,
          msg: m.msg,
          ...(m.params !== undefined && { params: m.params }),
        });
        return;
      case 'ack':
        onAck(conn, m.id, m.status);
        return;
      case 'ping':
        send(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
    }
  };

  const handleAgent = async (conn: Conn, m: AgentMessage) => {
    const groupId = conn.groupId;
    switch (m.type) {
      case 'list': {
        // Every known visitor, away ones included: `present` and `visibility` tell them apart.
        const records = await registry.list(groupId);
        send(conn, { type: 'visitors', id: m.id, visitors: records.map(toSummary) });
        return;
      }
      case 'lookup': {
        const record = await registry.get({ groupId, visitorId: m.visitorId });
        send(conn, { type: 'visitor', id: m.id, visitor: record ? toSummary(record) : null });
        return;
      }
      case 'watch':
        if (m.visitorId === undefined) conn.watchAll = true;
        else if ((conn.watched?.size ?? 0) >= MAX_WATCHED && !conn.watched?.has(m.visitorId)) {
          send(conn, {
            type: 'failed',
            id: m.id,
            code: ErrorCode.invalidParameter,
            message: `an agent may watch at most ${MAX_WATCHED} visitors one by one; watch the group instead`,
            param: 'visitorId',
          });
          return;
        } else {
          conn.watched ??= new Set();
          conn.watched.add(m.visitorId);
        }
        send(conn, { type: 'ok', id: m.id });
        return;
      case 'unwatch':
        if (m.visitorId === undefined) conn.watchAll = false;
        else conn.watched?.delete(m.visitorId);
        send(conn, { type: 'ok', id: m.id });
        return;
      case 'showTerms':
      case 'signal': {
        if ((conn.requests?.size ?? 0) >= MAX_PENDING_PER_AGENT) {
          metrics.inc(METRIC_NAMES.rejections, { reason: 'tooManyPending' });
          send(conn, {
            type: 'failed',
            id: m.id,
            code: ErrorCode.rateLimited,
            message: `at most ${MAX_PENDING_PER_AGENT} requests may wait for visitors at once`,
            retryAfter: ackTimeoutMs,
          });
          return;
        }
        const termsUrl =
          m.type === 'showTerms' ? (m.termsUrl ?? groups.get(groupId)?.termsUrl) : undefined;
        const message =
          m.type === 'showTerms'
            ? (id: number): ToVisitor => ({
                type: 'showTerms',
                id,
                ...(m.sessionKey !== undefined && { sessionKey: m.sessionKey }),
                ...(termsUrl !== undefined && { termsUrl }),
              })
            : (id: number): ToVisitor => ({
                type: 'signal',
                id,
                name: m.name,
                properties: m.properties,
              });
        const p: Pending = {
          serverId: nextServerId++,
          agent: conn,
          agentRequestId: m.id,
          groupId,
          visitorId: m.visitorId,
          kind: m.type,
          message,
          epoch: 0,
          attempts: 0,
          done: false,
        };
        pendingById.set(p.serverId, p);
        conn.requests ??= new Map();
        conn.requests.set(p.serverId, p);
        await dispatch(p);
        return;
      }
      case 'ping':
        send(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
    }
  };

  // --- frames and lifecycle ---------------------------------------------------------------

  const onFrame = (conn: Conn, data: string | Uint8Array) => {
    if (conn.phase === 'closed') return;
    // `ws` caps frames at the socket; peers without a socket (in-process ones) get the same
    // cap here, so every transport is held to one limit. Counting bytes is only needed when
    // the characters could exceed it.
    const size =
      typeof data !== 'string'
        ? data.byteLength
        : data.length * 3 <= LIMITS.maxFrameBytes
          ? data.length
          : Buffer.byteLength(data);
    if (size > LIMITS.maxFrameBytes) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'tooLarge' });
      closeConn(conn, CloseCode.tooLarge, 'frame too large');
      return;
    }
    const t = now();
    conn.lastSeen = t;
    metrics.inc(METRIC_NAMES.messagesIn, { role: conn.role ?? 'unknown' });
    const wait = conn.limiter.take(t);
    if (wait > 0) {
      conn.limitedStreak += 1;
      metrics.inc(METRIC_NAMES.rejections, { reason: 'rateLimited' });
      // A client that keeps sending after being told to wait is cut off.
      if (conn.limitedStreak > rateLimit.burst) {
        closeConn(conn, CloseCode.rateLimited, String(Math.max(wait, conn.limiter.fullIn(t))));
        return;
      }
      const id = conn.role === 'agent' && typeof data === 'string' ? requestIdOf(data) : undefined;
      const message = `too many messages; retry in ${wait} ms`;
      if (id !== undefined) {
        send(conn, { type: 'failed', id, code: ErrorCode.rateLimited, message, retryAfter: wait });
      } else {
        send(conn, { type: 'error', code: ErrorCode.rateLimited, message, retryAfter: wait });
      }
      return;
    }
    conn.limitedStreak = 0;
    if (typeof data !== 'string') {
      badFrame(
        conn,
        { code: 'invalidMessage', message: 'binary frames are not accepted; send JSON text' },
        undefined,
        'binary',
      );
      return;
    }
    if (conn.phase === 'handshake') {
      onHello(conn, data);
      return;
    }
    if (conn.role === 'agent') {
      const result = parseMessage(data, FromAgent);
      if (!result.ok) return badFrame(conn, result.error, data);
      const m = result.message;
      if (m.type === 'hello') {
        return badFrame(
          conn,
          { code: 'invalidMessage', message: 'hello was already received', param: 'type' },
          data,
        );
      }
      enqueue(
        conn,
        async () => {
          if (conn.phase !== 'open') return;
          try {
            await handleAgent(conn, m);
          } catch (error) {
            internal(error, `agent ${m.type}`, conn);
            // Requests always get an answer, even when the service itself failed.
            if ('id' in m)
              send(conn, {
                type: 'failed',
                id: m.id,
                code: ErrorCode.internal,
                message: 'internal error',
              });
          }
        },
        'agent frame',
      );
    } else {
      const result = parseMessage(data, FromVisitor);
      if (!result.ok) return badFrame(conn, result.error, data);
      const m = result.message;
      if (m.type === 'hello') {
        return badFrame(
          conn,
          { code: 'invalidMessage', message: 'hello was already received', param: 'type' },
          data,
        );
      }
      enqueue(
        conn,
        async () => {
          if (conn.phase === 'open') await handleVisitor(conn, m);
        },
        'visitor frame',
      );
    }
  };

  const teardown = async (conn: Conn) => {
    conns.delete(conn.id);
    stopHandshakeTimer(conn);
    if (conn.role === 'agent') {
      agentsByGroup.get(conn.groupId)?.delete(conn);
      if (agentsByGroup.get(conn.groupId)?.size === 0) agentsByGroup.delete(conn.groupId);
      // Nobody is left to tell; just stop the clocks.
      for (const p of [...(conn.requests?.values() ?? [])]) finish(p);
      log.info({ connectionId: conn.id, group: conn.groupId }, 'agent disconnected');
      return;
    }
    if (!conn.registered) return;
    const { groupId, visitorId } = conn;
    const orphans = [...(conn.awaiting ?? [])];
    conn.awaiting?.clear();
    for (const p of orphans) {
      cancel(p.timer);
      delete p.target;
    }
    const result = await registry.disconnect({
      groupId,
      visitorId,
      connectionId: conn.id,
      at: now(),
    });
    log.info({ connectionId: conn.id, group: groupId, visitorId }, 'visitor connection closed');
    if (stopping) return;
    if (result.visitor) {
      emit(groupId, visitorId, {
        type: 'connections',
        connections: result.visitor.connections.length,
      });
    }
    if (result.focus) applyFocus(groupId, visitorId, result.focus);
    if (result.visitor && result.visitor.connections.length === 0) {
      const v = local(groupId, visitorId);
      cancel(v.graceTimer);
      v.graceTimer = timer(graceMs, () => expire(groupId, visitorId), 'grace');
    }
    if (result.visibilityChanged && result.visitor) {
      onVisibility(groupId, visitorId, result.visitor.visibility, result.visitor.hiddenSince);
    }
    // Requests the closed connection never acknowledged go to whoever has focus now.
    for (const p of orphans) {
      await dispatch(p);
    }
  };

  const expire = async (groupId: string, visitorId: string) => {
    const key = visitorKey(groupId, visitorId);
    const v = visitors.get(key);
    if (v) delete v.graceTimer;
    if (!(await registry.forget({ groupId, visitorId }))) return;
    log.info({ group: groupId, visitorId }, 'visitor gone');
    emit(groupId, visitorId, { type: 'visitorDisconnected' });
    if (!v) return;
    cancel(v.awayTimer);
    visitors.delete(key);
    for (const p of [...v.waiting]) {
      fail(
        p,
        ErrorCode.visitorNotPresent,
        `visitor "${visitorId}" did not reconnect within ${graceMs} ms`,
      );
    }
  };

  let tickDue = now() + heartbeatMs;
  const tick = () => {
    const t = now();
    // A tick that ran late means this process stalled (GC, a busy loop): answers may be
    // waiting unread in socket buffers, so this round only pings and drops nobody.
    const stalled = t - tickDue > heartbeatMs / 2;
    tickDue = t + heartbeatMs;
    for (const conn of conns.values()) {
      if (conn.phase === 'closed') continue;
      const silent = t - conn.lastSeen;
      // Dead only when a ping went out at least an interval ago and nothing came back since:
      // a peer is never dropped without having been asked.
      const unanswered =
        conn.pingedAt !== undefined &&
        conn.lastSeen < conn.pingedAt &&
        t - conn.pingedAt >= heartbeatMs;
      if (!stalled && silent > 2 * heartbeatMs && unanswered) {
        metrics.inc(METRIC_NAMES.rejections, { reason: 'heartbeatTimeout' });
        const peer = conn.peer;
        closeConn(conn, CloseCode.heartbeatTimeout, 'no answer to pings');
        // A dead peer never completes the closing handshake.
        if (peer.terminate)
          timer(Math.min(heartbeatMs, 1_000), () => peer.terminate?.(), 'terminate');
        continue;
      }
      if (conn.peer.ping) {
        try {
          conn.peer.ping();
          if (conn.pingedAt === undefined || conn.lastSeen >= conn.pingedAt) conn.pingedAt = t;
        } catch (error) {
          log.debug({ err: error, connectionId: conn.id }, 'ping failed');
        }
      } else if (silent >= heartbeatMs && conn.phase === 'open') {
        // Peers without transport pings get the protocol's own: silence for one interval.
        // The first unanswered ping's time is kept, so repeated pings do not postpone a drop.
        if (conn.pingedAt === undefined || conn.lastSeen >= conn.pingedAt) conn.pingedAt = t;
        send(conn, { type: 'ping' });
      }
    }
    heartbeat = timer(heartbeatMs, tick, 'heartbeat');
  };
  heartbeat = timer(heartbeatMs, tick, 'heartbeat');

  const accept = (peer: Peer, meta: PeerMeta = {}): string => {
    const t = now();
    const conn: Conn = {
      id: randomUUID(),
      peer,
      meta,
      phase: 'handshake',
      groupId: '',
      visitorId: '',
      agentId: '',
      registered: false,
      watchAll: false,
      watched: undefined,
      requests: undefined,
      awaiting: undefined,
      limiter: createRateLimiter(rateLimit, t),
      limitedStreak: 0,
      badFrames: [],
      lastSeen: t,
      pingedAt: undefined,
      queue: Promise.resolve(),
    };
    if (stopping) {
      try {
        peer.close(stopping.code, stopping.reason());
      } catch {
        // The peer is going anyway.
      }
      return conn.id;
    }
    conns.set(conn.id, conn);
    peer.onMessage((data) => {
      try {
        onFrame(conn, data);
      } catch (error) {
        internal(error, 'frame', conn);
      }
    });
    peer.onClose((code, reason) => {
      log.debug({ connectionId: conn.id, code, reason }, 'peer closed');
      if (conn.phase === 'closed') return;
      conn.phase = 'closed';
      stopHandshakeTimer(conn);
      enqueue(conn, () => teardown(conn), 'teardown');
    });
    peer.onPong?.(() => {
      conn.lastSeen = now();
    });
    conn.handshakeTimer = timer(
      handshakeTimeoutMs,
      () => {
        if (conn.phase !== 'handshake' && conn.phase !== 'joining') return;
        metrics.inc(METRIC_NAMES.rejections, { reason: 'handshakeTimeout' });
        closeConn(conn, CloseCode.handshakeTimeout, `no hello within ${handshakeTimeoutMs} ms`);
      },
      'handshake timeout',
    );
    log.debug({ connectionId: conn.id, ...meta }, 'connection accepted');
    return conn.id;
  };

  const shutdown = async (code: number, reason: () => string) => {
    if (!stopping) {
      stopping = { code, reason };
      cancel(heartbeat);
    }
    const all = [...conns.values()];
    for (const conn of all) closeConn(conn, code, reason());
    await Promise.all(all.map((c) => c.queue));
    for (const p of [...pendingById.values()]) finish(p);
    for (const handle of [...liveTimers]) cancel(handle);
    visitors.clear();
  };

  return {
    accept,
    registry,
    metrics,
    connectionCounts() {
      const counts = { visitor: 0, agent: 0, handshake: 0 };
      for (const c of conns.values()) {
        if (c.phase === 'closed') continue;
        if (c.phase === 'open' && c.role) counts[c.role] += 1;
        else counts.handshake += 1;
      }
      return counts;
    },
    drain: () =>
      shutdown(CloseCode.reconnect, () => String(Math.floor(random() * (drainSpreadMs + 1)))),
    close: () => shutdown(CloseCode.goingAway, () => 'server closing'),
  };
}
