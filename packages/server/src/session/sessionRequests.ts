import { randomBytes } from 'node:crypto';
import { ErrorCode, type FromAgent, type FromVisitor } from '@beckon/core/protocol';
import { sessionTopics } from '../bus/SessionBusMessage.js';
import { METRIC_NAMES } from '../createMetrics.js';
import type { Conn } from '../hub/Conn.js';
import type { ConnectionIO } from '../hub/connectionIO.js';
import type { HubContext } from '../hub/hubContext.js';
import type { TicketClaims } from './SessionStore.js';
import type { SessionSettings } from './sessionSettings.js';

type SessionStart = Extract<FromVisitor, { type: 'sessionStart' }>;
type SessionEnd = Extract<FromVisitor, { type: 'sessionEnd' }>;
type VisitorTicket = Extract<FromVisitor, { type: 'sessionTicket' }>;
type JoinSession = Extract<FromAgent, { type: 'joinSession' }>;

/** The presence side of sessions: what visitors announce and the tickets both roles ask for. */
export interface SessionRequests {
  /**
   * A visitor's `sessionStart`: the key becomes the visitor's, and true; false (and
   * `sessionRefused`) when another visitor's session holds it.
   */
  started(conn: Conn, m: SessionStart): Promise<boolean>;
  /** A visitor's `sessionEnd`: the session is over for its viewers too. */
  ended(conn: Conn, m: SessionEnd): Promise<void>;
  /** A visitor's `sessionTicket`: a ticket to stream its session as the host. */
  visitorTicket(conn: Conn, m: VisitorTicket): Promise<void>;
  /** An agent's `joinSession`: a ticket to watch a session of its group. */
  agentTicket(conn: Conn, m: JoinSession): Promise<void>;
  /** The visitor was forgotten (gone past the grace window): its session ends. */
  visitorGone(groupId: string, visitorId: string): Promise<void>;
}

/**
 * Sessions on the presence connection. The session store records which visitor's session
 * holds a key, so an agent's `joinSession` finds it wherever the visitor is connected; a
 * ticket is handed out only to the visitor's focused connection that announced the session
 * (later ones to the same connection need no focus: the visitor may have moved to another
 * tab while sharing), and to agents of the same group. Every start, ticket, join and end is
 * logged: the audit trail of who watched whom.
 *
 * @example
 * const sessions = createSessionRequests(ctx, io, settings);
 * await sessions.visitorTicket(conn, { type: 'sessionTicket', sessionKey: 'alice' });
 */
export function createSessionRequests(
  ctx: HubContext,
  io: ConnectionIO,
  settings: SessionSettings,
): SessionRequests {
  const { registry, bus, log, metrics, now } = ctx;
  const { store } = settings;

  const mint = async (claims: TicketClaims) => {
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now() + settings.ticketTtlMs;
    await store.putTicket(ticket, claims, expiresAt);
    return { ticket, expiresAt };
  };

  const endSession = async (
    groupId: string,
    visitorId: string,
    reason: string | undefined,
    by: string,
  ) => {
    const record = await store.end({ groupId, visitorId });
    if (!record) return;
    metrics.inc(METRIC_NAMES.sessionsEnded);
    log.info(
      {
        audit: 'session',
        group: groupId,
        visitorId,
        sessionKey: record.sessionKey,
        reason,
        by,
        durationMs: now() - record.startedAt,
      },
      'session ended',
    );
    const message = {
      type: 'sessionEnded' as const,
      sessionKey: record.sessionKey,
      ...(reason !== undefined && { reason }),
    };
    const topics = sessionTopics(groupId, visitorId);
    bus.publish(topics.view, message);
    bus.publish(topics.host, message);
  };

  const refuse = (conn: Conn, sessionKey: string, code: ErrorCode, message: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: `session:${code}` });
    io.send(conn, { type: 'sessionRefused', sessionKey, code, message });
  };

  return {
    async started(conn, m) {
      const { groupId, visitorId } = conn;
      const at = now();
      const record = await store.start({
        groupId,
        visitorId,
        sessionKey: m.sessionKey,
        presenceStart: m.presenceStart,
        startedAt: at,
      });
      if (record.visitorId !== visitorId) {
        refuse(conn, m.sessionKey, ErrorCode.forbidden, 'another visitor’s session uses this key');
        return false;
      }
      if (conn.sessionKey !== m.sessionKey) conn.sessionTicketed = false;
      conn.sessionKey = m.sessionKey;
      // The same session announced again (the next page, a reconnect) is no new session.
      const fresh = record.startedAt === at;
      if (fresh) metrics.inc(METRIC_NAMES.sessionsStarted);
      log.info(
        {
          audit: 'session',
          group: groupId,
          visitorId,
          sessionKey: m.sessionKey,
          presenceStart: m.presenceStart,
          connectionId: conn.id,
        },
        fresh ? 'session started' : 'session announced again',
      );
      return true;
    },

    async ended(conn, m) {
      conn.sessionKey = undefined;
      conn.sessionTicketed = false;
      await endSession(conn.groupId, conn.visitorId, m.reason, 'visitor');
    },

    async visitorTicket(conn, m) {
      const { groupId, visitorId } = conn;
      const { sessionKey } = m;
      if (conn.sessionKey !== sessionKey) {
        refuse(
          conn,
          sessionKey,
          ErrorCode.sessionNotFound,
          'announce the session (sessionStart) on this connection first',
        );
        return;
      }
      const record = await store.find({ groupId, sessionKey });
      if (!record || record.visitorId !== visitorId) {
        refuse(conn, sessionKey, ErrorCode.forbidden, 'another visitor’s session uses this key');
        return;
      }
      if (!conn.sessionTicketed) {
        const visitor = await registry.get({ groupId, visitorId });
        if (visitor?.focusedConnectionId !== conn.id) {
          refuse(
            conn,
            sessionKey,
            ErrorCode.forbidden,
            'only the focused instance may open a session',
          );
          return;
        }
      }
      const { ticket, expiresAt } = await mint({
        role: 'host',
        groupId,
        visitorId,
        sessionKey,
        connectionId: conn.id,
      });
      conn.sessionTicketed = true;
      io.send(conn, { type: 'sessionTicket', sessionKey, ticket, expiresAt });
    },

    async agentTicket(conn, m) {
      const record = await store.find({ groupId: conn.groupId, sessionKey: m.sessionKey });
      if (!record) {
        metrics.inc(METRIC_NAMES.rejections, { reason: 'session:sessionNotFound' });
        io.send(conn, {
          type: 'failed',
          id: m.id,
          code: ErrorCode.sessionNotFound,
          message: `no session with key "${m.sessionKey}" runs in this group`,
          param: 'sessionKey',
        });
        return;
      }
      const { ticket, expiresAt } = await mint({
        role: 'viewer',
        groupId: record.groupId,
        visitorId: record.visitorId,
        sessionKey: record.sessionKey,
        connectionId: conn.id,
        agentId: conn.agentId,
      });
      log.info(
        {
          audit: 'session',
          group: conn.groupId,
          visitorId: record.visitorId,
          sessionKey: record.sessionKey,
          agentId: conn.agentId,
        },
        'session ticket issued to agent',
      );
      io.send(conn, {
        type: 'sessionTicket',
        id: m.id,
        sessionKey: record.sessionKey,
        visitorId: record.visitorId,
        ticket,
        expiresAt,
      });
    },

    visitorGone: (groupId, visitorId) =>
      endSession(groupId, visitorId, 'the visitor left', 'service'),
  };
}
