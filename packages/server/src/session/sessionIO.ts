import {
  encodeSessionMessage,
  type ToSessionHost,
  type ToSessionViewer,
} from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { HubContext } from '../hub/hubContext.js';
import type { SessionConn } from './SessionConn.js';

/** Writing to and closing session channel connections. */
export interface SessionIO {
  send(conn: SessionConn, message: ToSessionHost | ToSessionViewer): boolean;
  /** Sends an encoded frame (a chunk encoded once for every viewer); counts viewer bytes. */
  sendText(conn: SessionConn, text: string): boolean;
  /** Closes it once; `onClosed` runs for it (from the peer's close or from here). */
  close(conn: SessionConn, code: number, reason: string): void;
  /** Bytes queued for the connection. */
  buffered(conn: SessionConn): number;
}

/**
 * The one place session channel frames leave the service.
 *
 * @example
 * const io = createSessionIO(ctx, (conn) => forget(conn));
 * io.send(conn, { type: 'viewers', viewers: 2 });
 */
export function createSessionIO(ctx: HubContext, onClosed: (conn: SessionConn) => void): SessionIO {
  const { log, metrics } = ctx;
  const sendText = (conn: SessionConn, text: string) => {
    if (conn.phase === 'closed') return false;
    try {
      conn.peer.send(text);
      if (conn.claims?.role === 'viewer') {
        // Characters, not bytes: payloads are base64 and JSON, so they are the same.
        conn.bytesOut += text.length;
        metrics.inc(METRIC_NAMES.sessionBytesOut, {}, text.length);
      }
      return true;
    } catch (error) {
      log.warn({ err: error, connectionId: conn.id }, 'session send failed');
      return false;
    }
  };
  return {
    send: (conn, message) => sendText(conn, encodeSessionMessage(message)),
    sendText,
    close(conn, code, reason) {
      if (conn.phase === 'closed') return;
      conn.phase = 'closed';
      ctx.cancel(conn.handshakeTimer);
      conn.handshakeTimer = undefined;
      const peer = conn.peer;
      try {
        peer.close(code, reason);
      } catch (error) {
        log.warn({ err: error, connectionId: conn.id }, 'session close failed');
      }
      // The closing stage's deadline, as on the presence endpoint: a peer that does not
      // complete the close (or stalls mid-frame) loses its socket after closeTimeoutMs.
      if (peer.terminate) {
        ctx.timer(ctx.settings.closeTimeoutMs, () => peer.terminate?.(), 'session close timeout');
      }
      onClosed(conn);
    },
    buffered: (conn) => conn.peer.bufferedAmount ?? 0,
  };
}
