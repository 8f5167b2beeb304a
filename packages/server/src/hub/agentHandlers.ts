import { ErrorCode } from '@beckon/core/protocol';
import type { VisitorRequest } from '../bus/BusMessage.js';
import type { SessionRequests } from '../session/sessionRequests.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { AgentMessage } from './frameGate.js';
import type { HubContext } from './hubContext.js';
import type { SignalRelay } from './signalRelay.js';
import type { VisitorPages } from './visitorPages.js';

/** Visitors one agent may watch one by one. */
const MAX_WATCHED = 10_000;

/**
 * What a welcomed agent sends: `list` and `lookup` read the registry (in bounded pages),
 * `watch` and `unwatch` choose which events it hears, `showTerms` (with the group's terms
 * URL unless the agent gave one) and `signal` go to the relay, `joinSession` to the
 * session part.
 *
 * @example
 * const handleAgent = createAgentHandlers(ctx, io, { relay, sessions, pages });
 * await handleAgent(conn, { type: 'watch', id: 1 });
 */
export function createAgentHandlers(
  ctx: HubContext,
  io: ConnectionIO,
  parts: { relay: SignalRelay; sessions: SessionRequests; pages: VisitorPages },
): (conn: Conn, m: AgentMessage) => Promise<void> {
  const { relay, sessions, pages } = parts;
  const { send } = io;

  return async (conn, m) => {
    const groupId = conn.groupId;
    switch (m.type) {
      case 'list':
        // Known visitors, away ones included: `present` and `visibility` tell them apart.
        await pages.list(conn, m.id, m.after, m.limit);
        return;
      case 'lookup':
        await pages.lookup(conn, m.id, m.visitorId);
        return;
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
      case 'showTerms': {
        const termsUrl = m.termsUrl ?? ctx.groups.get(groupId)?.termsUrl;
        const request: Extract<VisitorRequest, { type: 'showTerms' }> = { type: 'showTerms' };
        // Set only when present: the bus carries JSON, where an `undefined` field does not exist.
        if (m.sessionKey !== undefined) request.sessionKey = m.sessionKey;
        if (termsUrl !== undefined) request.termsUrl = termsUrl;
        await relay.request(conn, m.id, m.visitorId, request);
        return;
      }
      case 'signal':
        await relay.request(conn, m.id, m.visitorId, {
          type: 'signal',
          name: m.name,
          properties: m.properties,
        });
        return;
      case 'joinSession':
        await sessions.agentTicket(conn, m);
        return;
      case 'ping':
        send(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
    }
  };
}
