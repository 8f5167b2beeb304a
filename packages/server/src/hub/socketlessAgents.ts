import type { ToAgent } from '@beckon/core/protocol';
import type { BusMessage } from '../bus/BusMessage.js';
import { METRIC_NAMES } from '../createMetrics.js';
import type { AgentFanOut } from './agentFanOut.js';
import { type Conn, createConn } from './Conn.js';
import type { AgentMessage } from './frameGate.js';
import type { HubContext } from './hubContext.js';
import type { RateLimiter } from './rateLimiter.js';
import type { SignalRelay } from './signalRelay.js';

/** The requests an agent without a socket may make: the HTTP agent API's. */
export type SocketlessRequest = Extract<
  AgentMessage,
  { type: 'list' | 'lookup' | 'showTerms' | 'signal' }
>;

/** The one reply such a request gets. */
export type SocketlessReply = Extract<
  ToAgent,
  { type: 'visitors' | 'visitor' | 'delivered' | 'failed' }
>;

/** An agent the caller has already authenticated. */
export interface SocketlessAgent {
  groupId: string;
  /** The `sub` of its token. */
  agentId: string;
  /** Its rate limit, kept by the caller across requests; large replies are charged to it. */
  limiter: RateLimiter;
}

/** What a request ends with: the reply, or the hub stopping before there was one. */
export type SocketlessOutcome = { reply: SocketlessReply } | { stopping: true };

/** Agents that make one request each, without a connection of their own. */
export interface SocketlessAgents {
  /**
   * Runs one request through the same handlers, relay and bus as a WebSocket agent's, and
   * resolves with its reply. `cancel` (the caller went away) drops the request.
   */
  run(
    agent: SocketlessAgent,
    request: SocketlessRequest,
    cancel?: AbortSignal,
  ): Promise<SocketlessOutcome>;
  /** Requests in flight. */
  count(): number;
  /** The hub stops: every request in flight ends with `{ stopping: true }`. */
  close(): void;
}

/** Requests one agent may have under way at once, as a WebSocket agent may have waiting. */
const MAX_IN_FLIGHT_PER_AGENT = 256;

/**
 * An HTTP request is an agent without a socket. Each gets a connection of its own for as
 * long as it runs — an ID on the bus as its reply-to address, the group's topic while it may
 * wait for a visitor to come back — and goes through the agent's handlers: the registry
 * reads, the signal relay with its retries and timeouts, the acknowledgements over the bus.
 * Nothing of the relay is done twice, and a request works across processes exactly as a
 * WebSocket agent's does. The connection's "socket" is a peer that catches the one reply.
 *
 * @example
 * const socketless = createSocketlessAgents(ctx, { handle: handleAgent, fanOut, relay });
 * const outcome = await socketless.run(agent, { type: 'showTerms', id: 0, visitorId: 'alice' });
 */
export function createSocketlessAgents(
  ctx: HubContext,
  parts: {
    handle: (conn: Conn, m: AgentMessage) => Promise<void>;
    fanOut: AgentFanOut;
    relay: SignalRelay;
  },
): SocketlessAgents {
  const { bus, now } = ctx;
  const { fanOut, relay } = parts;
  const open = new Map<string, Conn>();
  /** Requests in flight by agent, held to what one WebSocket agent may have waiting. */
  const perAgent = new Map<string, number>();

  // The bus's way to these connections: only answers to their requests come to them.
  const route = (message: BusMessage, connectionId: string) => {
    const conn = open.get(connectionId);
    if (!conn) return;
    try {
      if (message.type === 'ack') relay.onAck(conn, message);
      else if (message.type === 'undelivered') relay.onUndelivered(conn, message);
    } catch (error) {
      ctx.internal(error, `socketless ${message.type}`, conn);
    }
  };

  const run = (agent: SocketlessAgent, request: SocketlessRequest, cancel?: AbortSignal) =>
    new Promise<SocketlessOutcome>((resolve) => {
      const key = `${agent.groupId}/${agent.agentId}`;
      const inFlight = perAgent.get(key) ?? 0;
      if (inFlight >= MAX_IN_FLIGHT_PER_AGENT) {
        ctx.metrics.inc(METRIC_NAMES.rejections, { reason: 'tooManyPending' });
        resolve({
          reply: {
            type: 'failed',
            id: request.id,
            code: 'rateLimited',
            message: `at most ${MAX_IN_FLIGHT_PER_AGENT} requests of one agent may be under way at once`,
            retryAfter: ctx.settings.ackTimeoutMs,
          },
        });
        return;
      }
      perAgent.set(key, inFlight + 1);
      let conn: Conn | undefined;
      const finish = (outcome: SocketlessOutcome | undefined) => {
        if (!conn || !open.delete(conn.id)) return;
        const left = (perAgent.get(key) ?? 1) - 1;
        if (left > 0) perAgent.set(key, left);
        else perAgent.delete(key);
        cancel?.removeEventListener('abort', onAbort);
        conn.phase = 'closed';
        bus.detach(conn.id);
        fanOut.removeAgent(conn);
        relay.dropAgent(conn);
        if (outcome) resolve(outcome);
      };
      const onAbort = () => finish(undefined);
      conn = createConn(
        bus.createConnectionId(),
        {
          send(text) {
            const message = JSON.parse(text) as ToAgent;
            // A ticket and a push wake-up notice come before the answer; HTTP has one answer.
            if (
              'id' in message &&
              message.id === request.id &&
              message.type !== 'sessionTicket' &&
              message.type !== 'waking'
            ) {
              finish({ reply: message as SocketlessReply });
            }
          },
          close: () => finish({ stopping: true }),
          onMessage: () => {},
          onClose: () => {},
        },
        {},
        agent.limiter,
        now(),
      );
      conn.phase = 'open';
      conn.role = 'agent';
      conn.groupId = agent.groupId;
      conn.agentId = agent.agentId;
      open.set(conn.id, conn);
      if (cancel?.aborted) {
        finish(undefined);
        return;
      }
      cancel?.addEventListener('abort', onAbort);
      bus.attach(conn.id, route);
      const started = conn;
      const go = async () => {
        if (request.type === 'showTerms' || request.type === 'signal') {
          // A request held while its visitor reconnects is released by the group's `focus`
          // event, so this process must hear the group's topic from before it dispatches.
          fanOut.addAgent(started);
          await bus.ready();
        }
        if (open.has(started.id)) await parts.handle(started, request);
      };
      go().catch((error) => {
        ctx.internal(error, `socketless ${request.type}`, started);
        finish({
          reply: { type: 'failed', id: request.id, code: 'internal', message: 'internal error' },
        });
      });
    });

  return {
    run,
    count: () => open.size,
    close() {
      for (const conn of [...open.values()]) conn.peer.close(1001, 'service stopping');
    },
  };
}
