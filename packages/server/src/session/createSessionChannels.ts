import type { PeerMeta } from '@beckon/core';
import {
  CloseCode,
  ErrorCode,
  FromSessionHost,
  FromSessionViewer,
  PROTOCOL_VERSION,
  type ProtocolError,
  parseMessage,
  SESSION_LIMITS,
  SessionCloseCode,
} from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { HubContext } from '../hub/hubContext.js';
import { createSessionConn, type SessionConn, type SessionPeer } from './SessionConn.js';
import { createSessionHosts } from './sessionHosts.js';
import { createSessionIO } from './sessionIO.js';
import type { SessionSettings } from './sessionSettings.js';
import { createSessionViewers } from './sessionViewers.js';

/** The session endpoint of a hub. */
export interface SessionChannels {
  /** Attaches a connection to the session endpoint; returns its ID. */
  accept(peer: SessionPeer, meta?: PeerMeta): string;
  /** Open connections by role (`handshake`: no ticket redeemed yet). */
  counts(): { host: number; viewer: number; handshake: number };
  /** Closes every connection with `code` and `reason`. */
  close(code: number, reason: () => string): Promise<void>;
}

// A function, not an inline comparison: TypeScript does not know that `await` lets `phase` change.
const gone = (conn: SessionConn) => conn.phase === 'closed';

/** Bad frames tolerated per minute before a session connection is closed with 4000. */
const MAX_BAD_FRAMES = 10;
const BAD_FRAME_WINDOW_MS = 60_000;

/**
 * The session channel's end on the service: every connection says `hello` with a one-time
 * ticket, which decides its role (host or viewer) and session; frames are then checked
 * (size, rate, shape, order) and handed to the hosts or viewers part. Liveness is the
 * presence service's: a ping every heartbeat, a close after two silent ones.
 *
 * @example
 * const sessions = createSessionChannels(ctx, settings);
 * wss.on('connection', (ws) => sessions.accept(new WsPeer(ws, socket, batch, onSlow, meta)));
 */
export function createSessionChannels(ctx: HubContext, settings: SessionSettings): SessionChannels {
  const { metrics, log, now } = ctx;
  const { heartbeatMs, handshakeTimeoutMs } = ctx.settings;
  const conns = new Map<string, SessionConn>();
  const forget = (conn: SessionConn) => {
    if (!conns.delete(conn.id)) return;
    if (conn.claims?.role === 'host') hosts.leave(conn);
    else if (conn.claims?.role === 'viewer') viewers.leave(conn);
  };
  const io = createSessionIO(ctx, forget);
  const hosts = createSessionHosts(ctx, io, settings);
  const viewers = createSessionViewers(ctx, io, settings);

  const badFrame = (conn: SessionConn, error: ProtocolError) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: error.code });
    io.send(conn, {
      type: 'error',
      code: error.code,
      message: error.message,
      ...(error.param !== undefined && { param: error.param }),
    });
    const t = now();
    conn.badFrames = conn.badFrames.filter((at) => t - at < BAD_FRAME_WINDOW_MS);
    conn.badFrames.push(t);
    if (conn.badFrames.length >= MAX_BAD_FRAMES) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'badRequest' });
      io.close(conn, CloseCode.badRequest, 'too many invalid frames');
    }
  };

  const refuse = (conn: SessionConn, code: ErrorCode, closeCode: number, message: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: `session:${code}` });
    log.info({ connectionId: conn.id, code, origin: conn.meta.origin }, message);
    io.send(conn, { type: 'error', code, message });
    io.close(conn, closeCode, message);
  };

  // The ticket decides everything: role, group, visitor, session. Taken once, so a ticket
  // seen in a log or a proxy cannot be replayed.
  const redeem = async (conn: SessionConn, ticket: string) => {
    const claims = await settings.store.takeTicket(ticket, now());
    if (gone(conn)) return;
    if (!claims) {
      refuse(
        conn,
        ErrorCode.unauthorized,
        CloseCode.unauthorized,
        'the session ticket is unknown, used or expired',
      );
      return;
    }
    const session = await settings.store.ofVisitor({
      groupId: claims.groupId,
      visitorId: claims.visitorId,
    });
    if (gone(conn)) return;
    if (session?.sessionKey !== claims.sessionKey) {
      refuse(conn, ErrorCode.sessionNotFound, SessionCloseCode.sessionEnded, 'the session is over');
      return;
    }
    ctx.cancel(conn.handshakeTimer);
    conn.handshakeTimer = undefined;
    conn.claims = claims;
    conn.phase = 'open';
    conn.openedAt = now();
    if (claims.role === 'host') hosts.join(conn);
    else if (!viewers.join(conn)) {
      conn.claims = undefined;
      refuse(
        conn,
        ErrorCode.rateLimited,
        CloseCode.forbidden,
        `a session may have at most ${settings.maxViewers} viewers`,
      );
    }
  };

  const onHello = (conn: SessionConn, raw: string) => {
    // Either role's channel reads a hello; what the ticket says decides the rest.
    const parsed = parseMessage(raw, FromSessionHost);
    if (!parsed.ok) {
      badFrame(conn, parsed.error);
      return;
    }
    if (parsed.message.type !== 'hello') {
      badFrame(conn, {
        code: 'invalidMessage',
        message: 'the first frame must be hello',
        param: 'type',
      });
      return;
    }
    if (parsed.message.v !== PROTOCOL_VERSION) {
      refuse(
        conn,
        ErrorCode.unsupportedVersion,
        CloseCode.unsupportedVersion,
        `protocol version ${parsed.message.v} is not supported; this service speaks ${PROTOCOL_VERSION}`.slice(
          0,
          120,
        ),
      );
      return;
    }
    conn.phase = 'joining';
    redeem(conn, parsed.message.ticket).catch((error) => {
      ctx.internal(error, 'session hello');
      refuse(conn, ErrorCode.internal, CloseCode.goingAway, 'internal error');
    });
  };

  const onFrame = (conn: SessionConn, data: string | Uint8Array) => {
    if (conn.phase === 'closed') return;
    const t = now();
    conn.lastSeen = t;
    metrics.inc(METRIC_NAMES.messagesIn, { role: conn.claims?.role ?? 'session' });
    const size = typeof data === 'string' ? data.length : data.byteLength;
    if (size > SESSION_LIMITS.maxFrameBytes) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'tooLarge' });
      io.close(conn, CloseCode.tooLarge, 'frame too large');
      return;
    }
    if (typeof data !== 'string') {
      badFrame(conn, {
        code: 'invalidMessage',
        message: 'binary frames are not accepted; send JSON text',
      });
      return;
    }
    if (conn.phase === 'handshake') {
      onHello(conn, data);
      return;
    }
    if (conn.phase !== 'open' || !conn.claims) {
      badFrame(conn, { code: 'invalidMessage', message: 'wait for the welcome', param: 'type' });
      return;
    }
    if (conn.claims.role === 'host') {
      const parsed = parseMessage(data, FromSessionHost);
      if (!parsed.ok) return badFrame(conn, parsed.error);
      const m = parsed.message;
      if (m.type === 'chunk') {
        const broken = hosts.chunk(conn, m, size);
        if (broken) badFrame(conn, { code: 'invalidMessage', message: broken, param: 'part' });
      } else if (m.type === 'ping') io.send(conn, { type: 'pong' });
      else if (m.type === 'hello') {
        badFrame(conn, {
          code: 'invalidMessage',
          message: 'hello was already received',
          param: 'type',
        });
      }
      return;
    }
    const wait = conn.limiter?.take(t) ?? 0;
    if (wait > 0) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'rateLimited' });
      io.send(conn, {
        type: 'error',
        code: ErrorCode.rateLimited,
        message: `too many messages; retry in ${wait} ms`,
        retryAfter: wait,
      });
      return;
    }
    const parsed = parseMessage(data, FromSessionViewer);
    if (!parsed.ok) return badFrame(conn, parsed.error);
    const m = parsed.message;
    if (m.type === 'hello') {
      badFrame(conn, {
        code: 'invalidMessage',
        message: 'hello was already received',
        param: 'type',
      });
      return;
    }
    viewers.frame(conn, m);
  };

  // One timer for every session connection: pings, the dead, and viewers that drained.
  let heartbeat: unknown;
  const tick = () => {
    const t = now();
    for (const conn of conns.values()) {
      if (conn.phase === 'closed') continue;
      const unanswered =
        conn.pingedAt !== undefined &&
        conn.lastSeen < conn.pingedAt &&
        t - conn.pingedAt >= heartbeatMs;
      if (t - conn.lastSeen > 2 * heartbeatMs && unanswered) {
        metrics.inc(METRIC_NAMES.rejections, { reason: 'heartbeatTimeout' });
        io.close(conn, CloseCode.heartbeatTimeout, 'no answer to pings');
        continue;
      }
      try {
        if (conn.peer.ping) conn.peer.ping();
        else io.send(conn, { type: 'ping' });
        conn.pingedAt = t;
      } catch {
        // A peer that cannot be pinged is judged by its silence.
      }
    }
    // Nothing to watch: the next connection starts the timer again.
    heartbeat = conns.size > 0 ? ctx.timer(heartbeatMs, tick, 'session heartbeat') : undefined;
  };
  let drainCheck: unknown;
  const drained = () => {
    viewers.tick();
    drainCheck = viewers.count() > 0 ? ctx.timer(250, drained, 'session drain check') : undefined;
  };

  return {
    accept(peer, meta = {}) {
      const conn = createSessionConn(ctx.bus.createConnectionId(), peer, meta, now());
      if (ctx.stopping) {
        try {
          peer.close(ctx.stopping.code, ctx.stopping.reason());
        } catch {
          // Going anyway.
        }
        return conn.id;
      }
      conns.set(conn.id, conn);
      heartbeat ??= ctx.timer(heartbeatMs, tick, 'session heartbeat');
      drainCheck ??= ctx.timer(250, drained, 'session drain check');
      peer.onMessage((data) => {
        try {
          onFrame(conn, data);
        } catch (error) {
          ctx.internal(error, 'session frame');
        }
      });
      peer.onClose(() => {
        if (conn.phase === 'closed') return;
        conn.phase = 'closed';
        ctx.cancel(conn.handshakeTimer);
        forget(conn);
      });
      peer.onPong?.(() => {
        conn.lastSeen = now();
      });
      conn.handshakeTimer = ctx.timer(
        handshakeTimeoutMs,
        () => {
          if (conn.phase !== 'handshake' && conn.phase !== 'joining') return;
          metrics.inc(METRIC_NAMES.rejections, { reason: 'handshakeTimeout' });
          io.close(conn, CloseCode.handshakeTimeout, `no hello within ${handshakeTimeoutMs} ms`);
        },
        'session handshake timeout',
      );
      return conn.id;
    },

    counts() {
      const counts = { host: 0, viewer: 0, handshake: 0 };
      for (const conn of conns.values()) {
        if (conn.phase === 'closed') continue;
        if (conn.phase === 'open' && conn.claims) counts[conn.claims.role] += 1;
        else counts.handshake += 1;
      }
      return counts;
    },

    async close(code, reason) {
      ctx.cancel(heartbeat);
      ctx.cancel(drainCheck);
      for (const conn of [...conns.values()]) io.close(conn, code, reason());
    },
  };
}
