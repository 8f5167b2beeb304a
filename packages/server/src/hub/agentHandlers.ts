import { ErrorCode, type VisitorSummary } from '@beckon/core/protocol';
import type { VisitorRequest } from '../bus/BusMessage.js';
import type { VisitorRecord } from '../PresenceRegistry.js';
import type { SessionRequests } from '../session/sessionRequests.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { AgentMessage } from './frameGate.js';
import type { HubContext } from './hubContext.js';
import type { SignalRelay } from './signalRelay.js';

/** Visitors one agent may watch one by one. */
const MAX_WATCHED = 10_000;

/**
 * Summarises a stored visitor for agents.
 *
 * @example
 * send(conn, { type: 'visitor', id: 3, visitor: toSummary(record) });
 */
export function toSummary(v: VisitorRecord): VisitorSummary {
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
 * What a welcomed agent sends: `list` and `lookup` read the registry, `watch` and
 * `unwatch` choose which events it hears, `showTerms` (with the group's terms URL unless the
 * agent gave one) and `signal` go to the relay.
 *
 * @example
 * const handleAgent = createAgentHandlers(ctx, io, relay, sessions);
 * await handleAgent(conn, { type: 'watch', id: 1 });
 */
export function createAgentHandlers(
  ctx: HubContext,
  io: ConnectionIO,
  relay: SignalRelay,
  sessions: SessionRequests,
): (conn: Conn, m: AgentMessage) => Promise<void> {
  const { registry } = ctx;
  const { send } = io;

  return async (conn, m) => {
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
