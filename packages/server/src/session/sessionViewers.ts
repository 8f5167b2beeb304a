import { type FromSessionViewer, PROTOCOL_VERSION, SessionCloseCode } from '@beckon/core/protocol';
import type { BusMessage } from '../bus/BusMessage.js';
import { sessionTopics } from '../bus/SessionBusMessage.js';
import { METRIC_NAMES } from '../createMetrics.js';
import type { HubContext } from '../hub/hubContext.js';
import { createRateLimiter } from '../hub/rateLimiter.js';
import type { SessionConn } from './SessionConn.js';
import type { SessionIO } from './sessionIO.js';
import type { SessionSettings } from './sessionSettings.js';
import { ViewerFlow } from './viewerFlow.js';

/** What one viewer may send: pointer moves at a few dozen a second, with room for bursts. */
const VIEWER_RATE = { perSecond: 50, burst: 100 };

type ViewerFrame = Exclude<FromSessionViewer, { type: 'hello' }>;

/** The viewer role: agents watching a session. */
export interface SessionViewers {
  /** A redeemed viewer ticket: the connection starts watching. False when the session is full here. */
  join(conn: SessionConn): boolean;
  /** A frame from a viewer. */
  frame(conn: SessionConn, m: ViewerFrame): void;
  leave(conn: SessionConn): void;
  /** Viewers on this process. */
  count(): number;
  /** Asks the host for snapshots that viewers behind are waiting for (their queues drained). */
  tick(): void;
}

/** The viewers of one visitor's session on this process, and what they last heard. */
interface View {
  viewers: Set<SessionConn>;
  /** The last counts the host's process published. */
  viewerCount: number;
  hostConnected: boolean;
  unsubscribe: () => void;
}

/**
 * The viewers on this process. Viewers of one session share one subscription to its view
 * topic; each chunk arrives encoded once and goes to every viewer that can take it under
 * the flow rule ({@link ViewerFlow}): pointer moves are dropped for a viewer that is
 * behind, and one too far behind is resynced instead of queued for without end.
 *
 * @example
 * const viewers = createSessionViewers(ctx, io, settings);
 * if (!viewers.join(conn)) io.close(conn, 4003, 'too many viewers');
 */
export function createSessionViewers(
  ctx: HubContext,
  io: SessionIO,
  settings: SessionSettings,
): SessionViewers {
  const { bus, log, metrics, now } = ctx;
  const views = new Map<string, View>();
  let total = 0;
  const keyOf = (conn: SessionConn) => `${conn.claims?.groupId}/${conn.claims?.visitorId}`;
  const topicsOf = (conn: SessionConn) =>
    sessionTopics(conn.claims!.groupId, conn.claims!.visitorId);

  const gauge = () => metrics.set(METRIC_NAMES.sessionViewers, {}, total);

  const announce = (conn: SessionConn) => {
    const claims = conn.claims!;
    bus.publish(topicsOf(conn).host, {
      type: 'viewerJoined',
      sessionKey: claims.sessionKey,
      viewerId: conn.id,
      agentId: claims.agentId ?? '',
    });
  };

  const askHost = (conn: SessionConn) => {
    conn.flow!.asked = true;
    bus.publish(topicsOf(conn).host, {
      type: 'viewerResync',
      sessionKey: conn.claims!.sessionKey,
      viewerId: conn.id,
      reason: 'behind',
    });
  };

  const onViewTopic = (view: View, message: BusMessage) => {
    switch (message.type) {
      case 'sessionChunk':
        for (const conn of view.viewers) {
          if (conn.phase !== 'open' || conn.claims!.sessionKey !== message.sessionKey) continue;
          const flow = conn.flow!;
          const buffered = io.buffered(conn);
          const decision = flow.decide(message.kind, message.part, buffered);
          if (decision.send) io.sendText(conn, message.frame);
          else if (decision.dropped)
            metrics.inc(METRIC_NAMES.sessionDropped, { kind: message.kind });
          else if (decision.resync) {
            metrics.inc(METRIC_NAMES.sessionDropped, { kind: message.kind });
            io.send(conn, { type: 'resync', reason: 'the connection fell behind' });
          }
          if (flow.shouldAsk(io.buffered(conn))) askHost(conn);
        }
        return;
      case 'sessionHost':
        view.hostConnected = message.connected;
        for (const conn of view.viewers) {
          if (conn.claims!.sessionKey !== message.sessionKey) continue;
          io.send(conn, { type: 'host', connected: message.connected });
          if (message.reannounce) announce(conn);
        }
        return;
      case 'sessionViewers':
        view.viewerCount = message.viewers;
        for (const conn of view.viewers) {
          if (conn.claims!.sessionKey === message.sessionKey) {
            io.send(conn, { type: 'viewers', viewers: message.viewers });
          }
        }
        return;
      case 'sessionEnded':
        for (const conn of [...view.viewers]) {
          if (conn.claims!.sessionKey !== message.sessionKey) continue;
          io.send(conn, {
            type: 'ended',
            ...(message.reason !== undefined && { reason: message.reason }),
          });
          io.close(conn, SessionCloseCode.sessionEnded, 'session ended');
        }
        return;
      default:
        return;
    }
  };

  return {
    join(conn) {
      const claims = conn.claims!;
      const key = keyOf(conn);
      let view = views.get(key);
      if (view && view.viewers.size >= settings.maxViewers) return false;
      if (!view) {
        const fresh: View = {
          viewers: new Set(),
          viewerCount: 0,
          hostConnected: false,
          unsubscribe: () => {},
        };
        fresh.unsubscribe = bus.subscribe(topicsOf(conn).view, (message) => {
          try {
            onViewTopic(fresh, message);
          } catch (error) {
            ctx.internal(error, `session view ${message.type}`);
          }
        });
        views.set(key, fresh);
        view = fresh;
      }
      conn.flow = new ViewerFlow(settings.buffer);
      conn.limiter = createRateLimiter(VIEWER_RATE, now());
      view.viewers.add(conn);
      total += 1;
      gauge();
      io.send(conn, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        role: 'viewer',
        sessionKey: claims.sessionKey,
        visitorId: claims.visitorId,
        viewers: view.viewerCount,
        hostConnected: view.hostConnected,
      });
      log.info(
        {
          audit: 'session',
          group: claims.groupId,
          visitorId: claims.visitorId,
          sessionKey: claims.sessionKey,
          agentId: claims.agentId,
          connectionId: conn.id,
        },
        'session joined',
      );
      announce(conn);
      return true;
    },

    frame(conn, m) {
      const claims = conn.claims!;
      const topic = topicsOf(conn).host;
      switch (m.type) {
        case 'message':
          bus.publish(topic, {
            type: 'viewerMessage',
            sessionKey: claims.sessionKey,
            viewerId: conn.id,
            agentId: claims.agentId ?? '',
            data: m.data,
          });
          return;
        case 'resync':
          bus.publish(topic, {
            type: 'viewerResync',
            sessionKey: claims.sessionKey,
            viewerId: conn.id,
            reason: 'asked',
          });
          return;
        case 'end':
          bus.publish(topic, {
            type: 'viewerEnd',
            sessionKey: claims.sessionKey,
            agentId: claims.agentId ?? '',
            ...(m.reason !== undefined && { reason: m.reason }),
          });
          return;
        case 'ping':
          io.send(conn, { type: 'pong' });
          return;
        case 'pong':
          return;
      }
    },

    leave(conn) {
      const claims = conn.claims!;
      const key = keyOf(conn);
      const view = views.get(key);
      if (!view?.viewers.delete(conn)) return;
      total -= 1;
      gauge();
      if (view.viewers.size === 0) {
        view.unsubscribe();
        views.delete(key);
      }
      log.info(
        {
          audit: 'session',
          group: claims.groupId,
          visitorId: claims.visitorId,
          sessionKey: claims.sessionKey,
          agentId: claims.agentId,
          connectionId: conn.id,
          bytesOut: conn.bytesOut,
          durationMs: now() - conn.openedAt,
        },
        'session left',
      );
      if (ctx.stopping) return;
      bus.publish(topicsOf(conn).host, {
        type: 'viewerLeft',
        sessionKey: claims.sessionKey,
        viewerId: conn.id,
      });
    },

    count: () => total,

    tick() {
      for (const view of views.values()) {
        for (const conn of view.viewers) {
          if (conn.phase === 'open' && conn.flow?.shouldAsk(io.buffered(conn))) askHost(conn);
        }
      }
    },
  };
}
