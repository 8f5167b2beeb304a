import { ErrorCode, encodeMessage, type ToAgent, type ToVisitor } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { Conn } from './Conn.js';
import type { HubContext } from './hubContext.js';

/** Writing to, closing and sequencing the connection a part is handling. */
export interface ConnectionIO {
  /** Encodes and sends one frame. False when the connection is closed or the send failed. */
  send(conn: Conn, message: ToVisitor | ToAgent): boolean;
  /** Sends an already encoded frame (one encoding shared by many agents). */
  sendText(conn: Conn, text: string): boolean;
  /** Runs `task` after every task queued on this connection before it; a failure is answered with `internal`. */
  enqueue(conn: Conn, task: () => Promise<void>, where: string): void;
  /** Closes the connection (once) and queues its teardown. */
  closeConn(conn: Conn, code: number, reason: string): void;
  /** Refuses a connection for good: a typed error, then the matching close code. */
  refuse(conn: Conn, code: ErrorCode, closeCode: number, message: string): void;
  /** Stops the handshake clock of a connection that got past (or out of) the handshake. */
  stopHandshakeTimer(conn: Conn): void;
}

/**
 * The one place frames leave the hub and connections are closed. `teardown` runs, queued,
 * after a connection closes.
 *
 * @example
 * const io = createConnectionIO(ctx, (conn) => teardown(conn));
 * io.send(conn, { type: 'pong' });
 */
export function createConnectionIO(
  ctx: HubContext,
  teardown: (conn: Conn) => Promise<void>,
): ConnectionIO {
  const { metrics, log } = ctx;

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
    try {
      conn.peer.close(code, reason);
    } catch (error) {
      log.warn({ err: error, connectionId: conn.id }, 'close failed');
    }
    enqueue(conn, () => teardown(conn), 'teardown');
  };

  const refuse = (conn: Conn, code: ErrorCode, closeCode: number, message: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: code });
    log.info(
      { connectionId: conn.id, code, group: conn.groupId, origin: conn.meta.origin },
      message,
    );
    send(conn, { type: 'error', code, message });
    closeConn(conn, closeCode, message);
  };

  return { send, sendText, enqueue, closeConn, refuse, stopHandshakeTimer };
}
