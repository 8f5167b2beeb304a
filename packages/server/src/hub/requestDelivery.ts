import type { ToVisitor } from '@beckon/core/protocol';
import type { BusMessage, RequestMessage, VisitorRequest } from '../bus/BusMessage.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';

/** A request shown on a visitor connection of this process and not acknowledged yet. */
export interface Incoming {
  /** The `id` the visitor sees and acknowledges; unique on its connection. */
  wireId: number;
  requestId: number;
  /** The agent's connection, where the answer goes. */
  replyTo: string;
  /** Whether it was written to the connection (not just received while it was closing). */
  sent: boolean;
  /** When it arrived; after `ackTimeoutMs` the agent's process has given up on it. */
  at: number;
}

/** The visitor's side of requests from agents. */
export interface RequestDelivery {
  /** A request for `conn`, the focused connection when the agent's process looked. */
  onRequest(conn: Conn, m: RequestMessage): void;
  /** A request for a connection that is gone: the agent's process tries again. */
  bounce(m: RequestMessage, connectionId: string): void;
  /** The visitor's `ack` on `conn`. */
  onAck(conn: Conn, wireId: number, status: 'busy' | undefined): void;
  /** Takes the requests a closing connection never acknowledged. */
  orphans(conn: Conn): Incoming[];
  /** Tells the agents' processes, once the registry has moved focus on, to send them again. */
  reportUndelivered(connectionId: string, orphans: Incoming[]): void;
}

const NONE: Incoming[] = [];
/** Below this many unacknowledged requests on a connection, stale ones are not looked for. */
const PRUNE_FROM = 8;

/** The frame the visitor gets: the agent's request under its wire ID. */
function toWire(r: VisitorRequest, id: number): ToVisitor {
  if (r.type === 'signal') return { type: 'signal', id, name: r.name, properties: r.properties };
  const m: Extract<ToVisitor, { type: 'showTerms' }> = { type: 'showTerms', id };
  if (r.sessionKey !== undefined) m.sessionKey = r.sessionKey;
  if (r.termsUrl !== undefined) m.termsUrl = r.termsUrl;
  return m;
}

/**
 * Requests from agents, on the visitor's side: the process holding the visitor's socket
 * writes each request, and sends the `ack` (or the news that the connection closed first)
 * back to the agent's connection. The wire ID is the request's own ID unless another agent
 * process's request took it on this connection, so a request sent again after its
 * connection closed shows up under the same ID. Requests a visitor never acknowledges are
 * dropped once `ackTimeoutMs` old, when the agent's process has given up on them too.
 *
 * @example
 * const delivery = createRequestDelivery(ctx, io);
 * delivery.onRequest(conn, message); // the visitor gets `showTerms` or `signal`
 * delivery.onAck(conn, 17, undefined); // the agent's connection gets the ack
 */
export function createRequestDelivery(ctx: HubContext, io: ConnectionIO): RequestDelivery {
  const { bus, log, now } = ctx;
  const { ackTimeoutMs } = ctx.settings;
  // Wire IDs for requests whose own ID is taken: from the top of the range agent processes
  // count up from, so the two meet only after 2^52 requests.
  let nextSpareId = Number.MAX_SAFE_INTEGER;
  const lost = (error: unknown) => ctx.internal(error, 'answer to agent');
  const reply = (to: string, message: BusMessage) => {
    bus.sendTo(to, message).then(undefined, lost);
  };

  return {
    onRequest(conn, m) {
      const t = now();
      let awaiting = conn.awaiting;
      if (!awaiting) {
        awaiting = new Map();
        conn.awaiting = awaiting;
      } else if (awaiting.size >= PRUNE_FROM) {
        // Oldest first: Maps keep insertion order.
        for (const old of awaiting.values()) {
          if (t - old.at < ackTimeoutMs) break;
          awaiting.delete(old.wireId);
        }
      }
      let wireId = m.requestId;
      const taken = awaiting.get(wireId);
      if (taken !== undefined && taken.replyTo !== m.replyTo) {
        while (awaiting.has(nextSpareId)) nextSpareId -= 1;
        wireId = nextSpareId--;
      }
      const rec: Incoming = {
        wireId,
        requestId: m.requestId,
        replyTo: m.replyTo,
        sent: false,
        at: t,
      };
      awaiting.set(wireId, rec);
      // A closing connection keeps it as an orphan: its teardown reports it, after the
      // registry has moved focus on.
      rec.sent = conn.phase === 'open' && io.send(conn, toWire(m.request, wireId));
    },

    bounce(m, connectionId) {
      reply(m.replyTo, {
        type: 'undelivered',
        requestId: m.requestId,
        connectionId,
        sent: false,
      });
    },

    onAck(conn, wireId, status) {
      const rec = conn.awaiting?.get(wireId);
      // Acks for requests sent to another connection change nothing.
      if (!rec) {
        log.debug({ connectionId: conn.id, id: wireId }, 'ack for no pending request');
        return;
      }
      conn.awaiting?.delete(wireId);
      reply(rec.replyTo, {
        type: 'ack',
        requestId: rec.requestId,
        connectionId: conn.id,
        busy: status === 'busy',
      });
    },

    orphans(conn) {
      if (!conn.awaiting || conn.awaiting.size === 0) return NONE;
      const list = [...conn.awaiting.values()];
      conn.awaiting.clear();
      return list;
    },

    reportUndelivered(connectionId, orphans) {
      for (const rec of orphans) {
        reply(rec.replyTo, {
          type: 'undelivered',
          requestId: rec.requestId,
          connectionId,
          sent: rec.sent,
        });
      }
    },
  };
}
