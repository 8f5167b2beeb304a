import {
  CloseCode,
  ErrorCode,
  encodeMessage,
  type ToAgent,
  type ToVisitor,
} from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { Conn } from './Conn.js';
import type { HubContext } from './hubContext.js';

/** Why a connection is closed once its accepted frames are answered. */
export interface CloseCause {
  code: number;
  reason: string;
  /** What requests still waiting for a visitor are answered with. */
  error: ErrorCode;
  retryAfter?: number;
}

/** The parts closing needs, bound after they exist (they need the I/O themselves). */
export interface ClosingHooks {
  /** Runs, queued, after a connection closed. */
  teardown(conn: Conn): Promise<void>;
  /** Answers an agent's requests still waiting for visitors, before its connection closes. */
  settle(conn: Conn, cause: CloseCause): void;
}

/** Writing to, closing and sequencing the connection a part is handling. */
export interface ConnectionIO {
  /** Encodes and sends one frame. False when the connection is closed or the send failed. */
  send(conn: Conn, message: ToVisitor | ToAgent): boolean;
  /** Sends an already encoded frame (one encoding shared by many agents). */
  sendText(conn: Conn, text: string): boolean;
  /** Sends an agent a live event, or keeps it for after the reply being produced (see {@link ConnectionIO.holdEvents}). */
  sendEvent(conn: Conn, text: string): void;
  /**
   * Runs `produce` (which reads state and sends a reply) with the connection's live events
   * held back, then sends them. An event about a change the read missed thus never reaches
   * the agent before the reply it would have corrected.
   */
  holdEvents(conn: Conn, produce: () => Promise<void>): Promise<void>;
  /** Runs `task` after every task queued on this connection before it; a failure is answered with `internal`. */
  enqueue(conn: Conn, task: () => Promise<void>, where: string): void;
  /**
   * Closes the connection (once) and queues its teardown. A peer that does not complete the
   * close within `closeTimeoutMs` is terminated.
   */
  closeConn(conn: Conn, code: number, reason: string): void;
  /**
   * Closes a misbehaving connection without losing what it was promised: frames that arrive
   * from now on are ignored, those accepted before are handled and answered, requests still
   * waiting for a visitor are answered with `cause.error`, then the connection closes.
   */
  closeWhenDone(conn: Conn, cause: CloseCause): void;
  /** Refuses a connection for good: a typed error, then the matching close code. */
  refuse(conn: Conn, code: ErrorCode, closeCode: number, message: string): void;
  /** Stops the handshake clock of a connection that got past (or out of) the handshake. */
  stopHandshakeTimer(conn: Conn): void;
  /** The peer reported its close: the closing deadline has nothing left to do. */
  closed(conn: Conn): void;
  /** Connections closed by the service whose peer has not completed the close yet. */
  closingCount(): number;
}

/** Events held for one agent while a reply is produced; beyond this it is dropped as too slow. */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/**
 * The one place frames leave the hub and connections are closed, with the closing stage's
 * deadline.
 *
 * @example
 * const io = createConnectionIO(ctx, { teardown: (conn) => teardown(conn), settle });
 * io.send(conn, { type: 'pong' });
 */
export function createConnectionIO(ctx: HubContext, hooks: ClosingHooks): ConnectionIO {
  const { metrics, log } = ctx;
  const { closeTimeoutMs } = ctx.settings;
  // Closed by us, not yet by the peer: still holding a socket, so still counted.
  const closing = new Set<Conn>();
  const framesOut = {
    visitor: metrics.counter(METRIC_NAMES.messagesOut, { role: 'visitor' }),
    agent: metrics.counter(METRIC_NAMES.messagesOut, { role: 'agent' }),
    unknown: metrics.counter(METRIC_NAMES.messagesOut, { role: 'unknown' }),
  };

  const sendText = (conn: Conn, text: string): boolean => {
    if (conn.phase === 'closed') return false;
    try {
      conn.peer.send(text);
      framesOut[conn.role ?? 'unknown'].inc();
      return true;
    } catch (error) {
      log.debug({ err: error, connectionId: conn.id }, 'send failed');
      return false;
    }
  };
  const send = (conn: Conn, message: ToVisitor | ToAgent): boolean =>
    sendText(conn, encodeMessage(message));

  const enqueue = (conn: Conn, task: () => Promise<void>, where: string) => {
    conn.queue = conn.queue.then(task).catch((error) => {
      ctx.internal(error, where, conn);
      send(conn, { type: 'error', code: ErrorCode.internal, message: 'internal error' });
    });
  };

  // Dropped, not just cleared: a cleared timer still holds its callback (and through it the
  // connection's closures) for as long as the connection lives. Assigned, not deleted:
  // `delete` would turn every connection object into a slower, larger dictionary.
  const stopHandshakeTimer = (conn: Conn) => {
    ctx.cancel(conn.handshakeTimer);
    conn.handshakeTimer = undefined;
  };

  const closeConn = (conn: Conn, code: number, reason: string) => {
    if (conn.phase === 'closed') return;
    conn.phase = 'closed';
    stopHandshakeTimer(conn);
    log.debug({ connectionId: conn.id, code, reason }, 'closing connection');
    const peer = conn.peer;
    try {
      peer.close(code, reason);
    } catch (error) {
      log.debug({ err: error, connectionId: conn.id }, 'close failed');
    }
    // The closing stage's deadline: a peer that stalls (even mid-frame) instead of answering
    // the close frame would otherwise keep its socket for the transport's own timeout.
    if (peer.terminate) {
      closing.add(conn);
      conn.closeTimer = ctx.timer(
        closeTimeoutMs,
        () => {
          conn.closeTimer = undefined;
          closing.delete(conn);
          peer.terminate?.();
        },
        'close timeout',
      );
    }
    enqueue(conn, () => hooks.teardown(conn), 'teardown');
  };

  const closeWhenDone = (conn: Conn, cause: CloseCause) => {
    if (conn.phase === 'closed' || conn.closing) return;
    conn.closing = true;
    enqueue(
      conn,
      async () => {
        if (conn.role === 'agent') hooks.settle(conn, cause);
        closeConn(conn, cause.code, cause.reason);
      },
      'close',
    );
  };

  const refuse = (conn: Conn, code: ErrorCode, closeCode: number, message: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: code });
    log.debug(
      { connectionId: conn.id, code, group: conn.groupId, origin: conn.meta.origin },
      message,
    );
    send(conn, { type: 'error', code, message });
    closeConn(conn, closeCode, message);
  };

  const sendEvent = (conn: Conn, text: string) => {
    const held = conn.held;
    if (held === undefined) {
      sendText(conn, text);
      return;
    }
    held.push(text);
    conn.heldBytes += text.length;
    if (conn.heldBytes > MAX_HELD_BYTES) {
      // The registry read is stuck while the group keeps changing: rather than buffer
      // without end, drop the agent; it reconnects and lists again.
      metrics.inc(METRIC_NAMES.rejections, { reason: 'slowConsumer' });
      conn.held = undefined;
      conn.heldBytes = 0;
      closeConn(conn, CloseCode.tryAgainLater, 'too many events while listing; reconnect');
    }
  };

  const holdEvents = async (conn: Conn, produce: () => Promise<void>) => {
    conn.held = [];
    conn.heldBytes = 0;
    try {
      await produce();
    } finally {
      const held = conn.held;
      conn.held = undefined;
      conn.heldBytes = 0;
      if (held) for (const text of held) sendText(conn, text);
    }
  };

  const closed = (conn: Conn) => {
    ctx.cancel(conn.closeTimer);
    conn.closeTimer = undefined;
    closing.delete(conn);
  };

  return {
    send,
    sendText,
    sendEvent,
    holdEvents,
    enqueue,
    closeConn,
    closeWhenDone,
    refuse,
    stopHandshakeTimer,
    closed,
    closingCount: () => closing.size,
  };
}
