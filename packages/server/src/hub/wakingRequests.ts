import { ErrorCode } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { ConnectionIO } from './connectionIO.js';
import { createHeldRequests } from './heldRequests.js';
import type { HubContext } from './hubContext.js';
import type { Pending, SignalRelayParts } from './signalRelay.js';

/** Requests that found their visitor asleep, and wait for the push that wakes it to work. */
export interface WakingRequests {
  /**
   * No live connection to deliver to: wakes the visitor with a push if its group can, once
   * per request; else the request fails as the visitor not being present.
   */
  asleep(p: Pending, why: string): void;
  /** The visitor a push was sent to is back: agents hear `answered` once per request. */
  answered(p: Pending): void;
  /** Takes every request waiting for the visitor; none wait for it afterwards. */
  take(groupId: string, visitorId: string): Iterable<Pending>;
  /** Whether it was waiting (and is not anymore). */
  remove(p: Pending): boolean;
  isEmpty(): boolean;
}

/**
 * The push wake-up of the relay's requests: a request that finds its visitor asleep —
 * unknown, gone past the grace window, or away — sends a push when its group has push, and
 * waits `pushWaitMs` for the visitor to come back (the relay hears it from the group's
 * events). Agents see `push` events; the requesting agent hears `waking` with how long.
 *
 * @example
 * const waking = createWakingRequests(ctx, io, parts, fail);
 * waking.asleep(p, `visitor "${p.visitorId}" is away`);
 */
export function createWakingRequests(
  ctx: HubContext,
  io: ConnectionIO,
  parts: SignalRelayParts,
  fail: (p: Pending, code: ErrorCode, message: string) => void,
): WakingRequests {
  const { metrics, timer, cancel } = ctx;
  const { pushWaitMs } = ctx.settings;
  const { send } = io;
  const waking = createHeldRequests<Pending>();

  const pushEvent = (p: Pending, status: 'sent' | 'answered' | 'unanswered') => {
    parts.emit(p.groupId, p.visitorId, {
      type: 'push',
      status,
      devices: p.wake?.devices ?? 0,
    });
  };

  return {
    // The wait starts before the push goes out, so a visitor that returns meanwhile is not
    // missed.
    asleep(p, why) {
      if (p.done) return;
      if (p.wake !== undefined || parts.push.publicKey(p.groupId) === undefined) {
        fail(p, ErrorCode.visitorNotPresent, why);
        return;
      }
      const wake = { devices: 0, answered: false };
      p.wake = wake;
      cancel(p.timer);
      waking.add(p);
      p.timer = timer(
        pushWaitMs,
        () => {
          if (p.done) return;
          metrics.inc(METRIC_NAMES.pushWakes, { outcome: 'unanswered' });
          pushEvent(p, 'unanswered');
          fail(
            p,
            ErrorCode.visitorAsleep,
            `a push notification was sent, but visitor "${p.visitorId}" did not come back within ${pushWaitMs} ms`,
          );
        },
        'push wait',
      );
      parts.push.wake(p.groupId, p.visitorId).then(
        (devices) => {
          if (devices === 0) {
            if (waking.remove(p))
              fail(p, ErrorCode.visitorNotPresent, `${why}; no push subscription could wake it`);
            return;
          }
          wake.devices = devices;
          // A visitor back before the push services answered has been told about already.
          if (wake.answered) return;
          pushEvent(p, 'sent');
          // Not an answer yet: the requesting agent learns why it takes longer, and how long.
          if (!p.done) {
            send(p.agent, { type: 'waking', id: p.agentRequestId, devices, waitMs: pushWaitMs });
          }
        },
        (error: unknown) => {
          ctx.internal(error, 'push wake', p.agent);
          if (waking.remove(p)) fail(p, ErrorCode.visitorNotPresent, why);
        },
      );
    },

    answered(p) {
      if (!p.wake || p.wake.answered) return;
      p.wake.answered = true;
      metrics.inc(METRIC_NAMES.pushWakes, { outcome: 'answered' });
      pushEvent(p, 'answered');
    },

    take: (groupId, visitorId) => waking.take(groupId, visitorId),
    remove: (p) => waking.remove(p),
    isEmpty: () => waking.isEmpty(),
  };
}
