import { CloseCode } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';

/** Connections checked (and pinged) in one turn of the event loop. */
const PER_TURN = 256;

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
  // The rest of a round that did not fit one turn of the event loop.
  let rest: ReturnType<typeof setImmediate> | undefined;

  const check = (conn: Conn, t: number, stalled: boolean) => {
    if (conn.phase === 'closed') return;
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
      return;
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
  };

  // A ping is a write to its socket: 20,000 of them in one go held the event loop for
  // ~100 ms, which every signal and presence frame then waited behind (the p99 of
  // docs/benchmarks.md). A round checks PER_TURN connections, then lets I/O run; the
  // Map's iterator carries on where it stopped (it skips connections closed meanwhile).
  const sweep = (round: Iterator<Conn>, t: number, stalled: boolean) => {
    rest = undefined;
    let n = 0;
    for (let next = round.next(); !next.done; next = round.next()) {
      check(next.value, t, stalled);
      if (++n === PER_TURN) {
        rest = setImmediate(() => {
          try {
            sweep(round, t, stalled);
          } catch (error) {
            ctx.internal(error, 'heartbeat');
          }
        });
        return;
      }
    }
  };

  const tick = () => {
    const t = now();
    // A tick that ran late means this process stalled (GC, a busy loop): answers may be
    // waiting unread in socket buffers, so this round only pings and drops nobody.
    const stalled = t - tickDue > heartbeatMs / 2;
    tickDue = t + heartbeatMs;
    if (rest !== undefined) clearImmediate(rest);
    heartbeat = timer(heartbeatMs, tick, 'heartbeat');
    sweep(conns.values(), t, stalled);
  };

  return {
    start() {
      tickDue = now() + heartbeatMs;
      heartbeat = timer(heartbeatMs, tick, 'heartbeat');
    },
    stop() {
      cancel(heartbeat);
      if (rest !== undefined) clearImmediate(rest);
      rest = undefined;
    },
  };
}
