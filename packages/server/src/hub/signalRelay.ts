import { type AgentLiveEvent, ErrorCode, type ToAgent } from '@beckon/core/protocol';
import type { AckMessage, UndeliveredMessage, VisitorRequest } from '../bus/BusMessage.js';
import { METRIC_NAMES } from '../createMetrics.js';
import type { EventBody } from './agentFanOut.js';
import type { Conn } from './Conn.js';
import type { CloseCause, ConnectionIO } from './connectionIO.js';
import { createHeldRequests } from './heldRequests.js';
import type { HubContext } from './hubContext.js';
import type { PushWake } from './pushWake.js';
import { createWakingRequests } from './wakingRequests.js';

/** An agent's request in flight, kept by the agent's process until it is answered. */
export interface Pending {
  /** Unique in this process; the bus carries it as `requestId`, with the agent's connection as `replyTo`. */
  id: number;
  agent: Conn;
  agentRequestId: number;
  groupId: string;
  visitorId: string;
  kind: 'showTerms' | 'signal';
  request: VisitorRequest;
  /** The connection it was last sent to, until that one answers or closes. */
  target: string | undefined;
  epoch: number;
  timer: unknown;
  attempts: number;
  done: boolean;
  /** Set once the request found the visitor asleep and sent a push: one per request. */
  wake: { devices: number; answered: boolean } | undefined;
}

/** The agent's side of requests to visitors. */
export interface SignalRelay {
  /** Starts a `showTerms` or `signal` of an agent connected here, answered under `agentRequestId`. */
  request(conn: Conn, agentRequestId: number, visitorId: string, r: VisitorRequest): Promise<void>;
  /** The visitor acknowledged (`conn` is the agent's connection the answer came to). */
  onAck(conn: Conn, m: AckMessage): void;
  /** The visitor connection closed before acknowledging: try whoever has focus now. */
  onUndelivered(conn: Conn, m: UndeliveredMessage): void;
  /** An event on the group's topic; `focus` and `visitorDisconnected` end held requests. */
  onGroupEvent(groupId: string, event: AgentLiveEvent): void;
  /**
   * The process holding some visitor connections died: requests of this agent sent to one
   * of them (`owns` says which) go to wherever their visitor's focus is now.
   */
  targetsLost(conn: Conn, owns: (connectionId: string) => boolean): void;
  /** The agent left: its requests are dropped, nobody is left to tell. */
  dropAgent(conn: Conn): void;
  /** The agent's connection is about to be closed by the service: answers each of its requests. */
  settleAgent(conn: Conn, cause: CloseCause): void;
}

/** How often one request may be re-sent because its target closed before acknowledging. */
const MAX_ATTEMPTS = 3;
/** Requests one agent may have in flight. */
const MAX_PENDING_PER_AGENT = 256;

/** What the relay reaches besides the bus: push wake-ups, and the group's live events. */
export interface SignalRelayParts {
  push: PushWake;
  emit(groupId: string, visitorId: string, body: EventBody): void;
}

/**
 * Requests from agents to visitors, on the agent's side: the agent's process owns each
 * request, its timers and its one answer, and sends it through the bus to the connection
 * the registry says holds focus. A request for a visitor inside its reconnect grace window
 * is held until the `focus` event that says where it came back. A request that finds the
 * visitor asleep — unknown, gone past the grace window, or away — wakes it with a push
 * notification when its group has push (`wakingRequests.ts`), and waits for it to come
 * back: a `focus` event, or its `visibility` turning visible.
 *
 * @example
 * const relay = createSignalRelay(ctx, io, { push, emit: fanOut.emit });
 * await relay.request(agentConn, 7, 'alice', { type: 'showTerms', termsUrl: '/terms' });
 */
export function createSignalRelay(
  ctx: HubContext,
  io: ConnectionIO,
  parts: SignalRelayParts,
): SignalRelay {
  const { bus, registry, metrics, log, now, timer, cancel } = ctx;
  const { ackTimeoutMs, graceMs } = ctx.settings;
  const { send } = io;
  /** Requests waiting for their visitor to reconnect within the grace window. */
  const held = createHeldRequests<Pending>();
  const deliveredCount = {
    showTerms: metrics.counter(METRIC_NAMES.signalsDelivered, { kind: 'showTerms' }),
    signal: metrics.counter(METRIC_NAMES.signalsDelivered, { kind: 'signal' }),
  };
  let nextId = 1;

  const finish = (p: Pending) => {
    p.done = true;
    cancel(p.timer);
    p.agent.requests?.delete(p.id);
    held.remove(p);
    waking.remove(p);
  };

  const fail = (p: Pending, code: ErrorCode, message: string, retryAfter?: number) => {
    if (p.done) return;
    finish(p);
    metrics.inc(METRIC_NAMES.signalsFailed, { code });
    log.debug({ requestId: p.id, code, visitorId: p.visitorId }, 'request failed');
    send(p.agent, {
      type: 'failed',
      id: p.agentRequestId,
      code,
      message,
      ...(retryAfter !== undefined && { retryAfter }),
    });
  };

  /** Requests waiting for a visitor a push was sent to. */
  const waking = createWakingRequests(ctx, io, parts, fail);

  const hold = (p: Pending, ms: number) => {
    if (p.done) return;
    if (ms <= 0) {
      waking.asleep(p, `visitor "${p.visitorId}" is not connected`);
      return;
    }
    cancel(p.timer);
    held.add(p);
    p.timer = timer(
      ms,
      () => {
        held.remove(p);
        waking.asleep(p, `visitor "${p.visitorId}" did not reconnect within ${graceMs} ms`);
      },
      'grace hold',
    );
  };

  const deliverTo = (p: Pending, connectionId: string, epoch: number) => {
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
    p.target = connectionId;
    p.epoch = epoch;
    p.timer = timer(
      ackTimeoutMs,
      () => fail(p, ErrorCode.timeout, `the visitor did not acknowledge within ${ackTimeoutMs} ms`),
      'ack timeout',
    );
    const attempt = p.attempts;
    // One callback for both outcomes: a bus that failed to send has not delivered either.
    const settled = (taken: unknown) => {
      if (taken === true) return;
      if (taken !== false) ctx.internal(taken, 'request to visitor', p.agent);
      try {
        unreachable(p, connectionId, attempt);
      } catch (error) {
        ctx.internal(error, 'request to visitor', p.agent);
      }
    };
    bus
      .sendTo(connectionId, {
        type: 'request',
        requestId: p.id,
        replyTo: p.agent.id,
        request: p.request,
      })
      .then(settled, settled);
  };

  // The focused connection is going away: its process will hand focus on, and the `focus`
  // event releases the request. Focus may have moved before the request was held, though,
  // so the registry is asked once more.
  const unreachable = (p: Pending, connectionId: string, attempt: number) => {
    if (p.done || p.target !== connectionId || p.attempts !== attempt) return;
    p.attempts -= 1;
    p.target = undefined;
    hold(p, graceMs);
    registry
      .get({ groupId: p.groupId, visitorId: p.visitorId })
      .then((v) => {
        const focused = v?.focusedConnectionId;
        if (p.done || !v || focused === undefined || focused === connectionId) return;
        if (v.visibility !== 'away' && held.remove(p)) deliverTo(p, focused, v.epoch);
      })
      .catch((error) => ctx.internal(error, 'request recheck', p.agent));
  };

  const dispatch = async (p: Pending) => {
    const v = await registry.get({ groupId: p.groupId, visitorId: p.visitorId });
    if (p.done) return;
    if (!v) {
      waking.asleep(p, `visitor "${p.visitorId}" is not connected`);
      return;
    }
    if (v.visibility === 'away') {
      waking.asleep(p, `visitor "${p.visitorId}" is away`);
      return;
    }
    if (v.connections.length === 0 || v.focusedConnectionId === undefined) {
      // Reconnecting: wait out what is left of the grace window.
      hold(p, (v.disconnectedAt ?? now()) + graceMs - now());
      return;
    }
    deliverTo(p, v.focusedConnectionId, v.epoch);
  };

  const request = async (
    conn: Conn,
    agentRequestId: number,
    visitorId: string,
    r: VisitorRequest,
  ) => {
    if ((conn.requests?.size ?? 0) >= MAX_PENDING_PER_AGENT) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'tooManyPending' });
      send(conn, {
        type: 'failed',
        id: agentRequestId,
        code: ErrorCode.rateLimited,
        message: `at most ${MAX_PENDING_PER_AGENT} requests may wait for visitors at once`,
        retryAfter: ackTimeoutMs,
      });
      return;
    }
    const p: Pending = {
      id: nextId++,
      agent: conn,
      agentRequestId,
      groupId: conn.groupId,
      visitorId,
      kind: r.type,
      request: r,
      target: undefined,
      epoch: 0,
      timer: undefined,
      attempts: 0,
      done: false,
      wake: undefined,
    };
    conn.requests ??= new Map();
    conn.requests.set(p.id, p);
    try {
      await dispatch(p);
    } catch (error) {
      // The caller answers `internal`; the request must not hold a slot meanwhile.
      finish(p);
      throw error;
    }
  };

  const redispatch = (p: Pending) => {
    dispatch(p).catch((error) => {
      ctx.internal(error, 'request re-send', p.agent);
      fail(p, ErrorCode.internal, 'internal error');
    });
  };

  return {
    request,

    onAck(conn, m) {
      const p = conn.requests?.get(m.requestId);
      // Acks for timed-out requests, or from connections the request has left, change nothing.
      if (!p || p.target !== m.connectionId) {
        log.debug({ connectionId: m.connectionId, id: m.requestId }, 'ack for no pending request');
        return;
      }
      if (m.busy) {
        fail(p, ErrorCode.busy, 'the visitor is busy (already in a session)');
        return;
      }
      finish(p);
      deliveredCount[p.kind].inc();
      const delivered: Extract<ToAgent, { type: 'delivered' }> = {
        type: 'delivered',
        id: p.agentRequestId,
        connectionId: m.connectionId,
        epoch: p.epoch,
      };
      // Only when a push went out: a visitor back before any could be sent was not woken.
      if (p.wake !== undefined && p.wake.devices > 0) delivered.woken = true;
      send(conn, delivered);
    },

    onUndelivered(conn, m) {
      const p = conn.requests?.get(m.requestId);
      if (!p || p.target !== m.connectionId) return;
      cancel(p.timer);
      p.target = undefined;
      // Only a request the visitor could have seen counts as an attempt.
      if (!m.sent) p.attempts -= 1;
      redispatch(p);
    },

    targetsLost(conn, owns) {
      if (!conn.requests) return;
      for (const p of [...conn.requests.values()]) {
        if (p.done || p.target === undefined || !owns(p.target)) continue;
        // It may have been shown before the process died: that counts as an attempt.
        cancel(p.timer);
        p.target = undefined;
        redispatch(p);
      }
    },

    onGroupEvent(groupId, event) {
      if (held.isEmpty() && waking.isEmpty()) return;
      if (event.type === 'focus') {
        for (const p of waking.take(groupId, event.visitorId)) {
          waking.answered(p);
          deliverTo(p, event.connectionId, event.epoch);
        }
        for (const p of held.take(groupId, event.visitorId)) {
          deliverTo(p, event.connectionId, event.epoch);
        }
      } else if (event.type === 'visibility' && event.visibility === 'visible') {
        // A woken tab that held focus all along (it was away, or frozen) only turns visible.
        for (const p of waking.take(groupId, event.visitorId)) {
          waking.answered(p);
          cancel(p.timer);
          redispatch(p);
        }
      } else if (event.type === 'visitorDisconnected') {
        for (const p of held.take(groupId, event.visitorId)) {
          waking.asleep(p, `visitor "${p.visitorId}" did not reconnect within ${graceMs} ms`);
        }
      }
    },

    dropAgent(conn) {
      if (!conn.requests) return;
      for (const p of [...conn.requests.values()]) finish(p);
    },

    settleAgent(conn, cause) {
      if (!conn.requests) return;
      const why = `the service is closing this connection (${cause.code}) before the visitor answered; the request may still reach it`;
      for (const p of [...conn.requests.values()]) fail(p, cause.error, why, cause.retryAfter);
    },
  };
}
