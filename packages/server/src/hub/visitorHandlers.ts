import type { SessionRequests } from '../session/sessionRequests.js';
import type { AgentFanOut } from './agentFanOut.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { FocusNotices } from './focusNotices.js';
import type { VisitorMessage } from './frameGate.js';
import type { HubContext } from './hubContext.js';
import type { PushWake } from './pushWake.js';
import type { RequestDelivery } from './requestDelivery.js';
import type { VisitorTimers } from './visitorTimers.js';

/** What a visitor's frames change or reach. */
export interface VisitorHandlerParts {
  fanOut: AgentFanOut;
  focus: FocusNotices;
  visitors: VisitorTimers;
  delivery: RequestDelivery;
  sessions: SessionRequests;
  push: PushWake;
}

/**
 * What a welcomed visitor sends: presence, visibility, signals and session events are
 * stored and relayed to agents; `presence`, `signal` and `visibility` also take focus; `ack`
 * answers an agent's request; push subscriptions are stored for waking the visitor later.
 *
 * @example
 * const handleVisitor = createVisitorHandlers(ctx, io, { fanOut, focus, visitors, delivery, sessions, push });
 * await handleVisitor(conn, { type: 'presence', data: { url: '/cart' } });
 */
export function createVisitorHandlers(
  ctx: HubContext,
  io: ConnectionIO,
  parts: VisitorHandlerParts,
): (conn: Conn, m: VisitorMessage) => Promise<void> {
  const { registry, now } = ctx;
  const { fanOut, focus, visitors, delivery, sessions, push } = parts;
  const emit = fanOut.emit;

  const activity = async (conn: Conn) => {
    const change = await registry.touch({
      groupId: conn.groupId,
      visitorId: conn.visitorId,
      connectionId: conn.id,
      at: now(),
    });
    if (change) focus.apply(conn.groupId, conn.visitorId, change, conn);
  };

  return async (conn, m) => {
    const { groupId, visitorId } = conn;
    switch (m.type) {
      case 'presence': {
        conn.presence = m.data;
        const { focus: change } = await registry.recordPresence({
          groupId,
          visitorId,
          connectionId: conn.id,
          data: m.data,
          at: now(),
        });
        if (change) focus.apply(groupId, visitorId, change, conn);
        emit(groupId, visitorId, { type: 'presence', data: m.data });
        return;
      }
      case 'visibility': {
        conn.visible = m.visible;
        await activity(conn);
        const r = await registry.setVisibility({
          groupId,
          visitorId,
          connectionId: conn.id,
          visible: m.visible,
          at: now(),
        });
        if (r?.changed) visitors.visibility(groupId, visitorId, r.visibility, r.hiddenSince);
        return;
      }
      case 'signal':
        await activity(conn);
        if (m.name === 'terms') {
          // parseMessage guarantees { status } with a known status for `terms`.
          const status = m.properties.status as 'displayed' | 'accepted' | 'declined';
          emit(groupId, visitorId, { type: 'terms', status });
        } else {
          emit(groupId, visitorId, { type: 'signal', name: m.name, properties: m.properties });
        }
        return;
      case 'sessionStart':
        // A key another visitor's session holds is refused before anyone hears of it.
        // `sessions.started` records the key on the connection (resync re-registers it).
        if (!(await sessions.started(conn, m))) return;
        await registry.setSessionKey({ groupId, visitorId, sessionKey: m.sessionKey });
        emit(groupId, visitorId, { type: 'sessionStart', sessionKey: m.sessionKey });
        return;
      case 'sessionEnd':
        await registry.setSessionKey({ groupId, visitorId, sessionKey: undefined });
        emit(groupId, visitorId, {
          type: 'sessionEnd',
          ...(m.reason !== undefined && { reason: m.reason }),
        });
        await sessions.ended(conn, m);
        return;
      case 'sessionTicket':
        await sessions.visitorTicket(conn, m);
        return;
      case 'pushSubscribe':
        await push.subscribe(conn, m);
        return;
      case 'pushUnsubscribe':
        await push.unsubscribe(conn, m);
        return;
      case 'error':
        emit(groupId, visitorId, {
          type: 'visitorError',
          code: m.code,
          msg: m.msg,
          ...(m.params !== undefined && { params: m.params }),
        });
        return;
      case 'ack':
        delivery.onAck(conn, m.id, m.status);
        return;
      case 'ping':
        io.send(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
    }
  };
}
