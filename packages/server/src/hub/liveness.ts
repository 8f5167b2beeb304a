import { CloseCode } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';

/**
 * The heartbeat: every `heartbeatMs` each connection is pinged (at transport level when its
 * peer can, with the protocol's `ping` otherwise), and one that left a ping unanswered for
 * a whole interval and has been silent for two is closed with 4101.
 *
 * @example
 * const liveness = createLiveness(ctx, io, conns);
 * liveness.start();
 * // … on shutdown:
 * liveness.stop();
 */
export function createLiveness(
  ctx: HubContext,
  io: ConnectionIO,
  conns: ReadonlyMap<string, Conn>,
): { start(): void; stop(): void } {
  const { metrics, log, now, timer, cancel } = ctx;
  const { heartbeatMs } = ctx.settings;
  let heartbeat: unknown;
  let tickDue = 0;

  const tick = () => {
    const t = now();
    // A tick that ran late means this process stalled (GC, a busy loop): answers may be
    // waiting unread in socket buffers, so this round only pings and drops nobody.
    const stalled = t - tickDue > heartbeatMs / 2;
    tickDue = t + heartbeatMs;
    for (const conn of conns.values()) {
      if (conn.phase === 'closed') continue;
      const silent = t - conn.lastSeen;
      // Dead only when a ping went out at least an interval ago and nothing came back since:
      // a peer is never dropped without having been asked.
      const unanswered =
        conn.pingedAt !== undefined &&
        conn.lastSeen < conn.pingedAt &&
        t - conn.pingedAt >= heartbeatMs;
      if (!stalled && silent > 2 * heartbeatMs && unanswered) {
        metrics.inc(METRIC_NAMES.rejections, { reason: 'heartbeatTimeout' });
        // A dead peer never completes the close: the closing deadline terminates it.
        io.closeConn(conn, CloseCode.heartbeatTimeout, 'no answer to pings');
        continue;
      }
      if (conn.peer.ping) {
        try {
          conn.peer.ping();
          if (conn.pingedAt === undefined || conn.lastSeen >= conn.pingedAt) conn.pingedAt = t;
        } catch (error) {
          log.debug({ err: error, connectionId: conn.id }, 'ping failed');
        }
      } else if (silent >= heartbeatMs && conn.phase === 'open') {
        // Peers without transport pings get the protocol's own: silence for one interval.
        // The first unanswered ping's time is kept, so repeated pings do not postpone a drop.
        if (conn.pingedAt === undefined || conn.lastSeen >= conn.pingedAt) conn.pingedAt = t;
        io.send(conn, { type: 'ping' });
      }
    }
    heartbeat = timer(heartbeatMs, tick, 'heartbeat');
  };

  return {
    start() {
      tickDue = now() + heartbeatMs;
      heartbeat = timer(heartbeatMs, tick, 'heartbeat');
    },
    stop() {
      cancel(heartbeat);
    },
  };
}
