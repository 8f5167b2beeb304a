import { METRIC_NAMES } from '../createMetrics.js';
import type { HubContext } from './hubContext.js';

type Counts = Record<string, number>;

/** What the summary reads from the metrics, summed per label value (or in all). */
const TRACKED = {
  welcomed: [METRIC_NAMES.connectionsTotal, 'role'],
  messagesIn: [METRIC_NAMES.messagesIn, undefined],
  messagesOut: [METRIC_NAMES.messagesOut, undefined],
  delivered: [METRIC_NAMES.signalsDelivered, undefined],
  failed: [METRIC_NAMES.signalsFailed, 'code'],
  rejections: [METRIC_NAMES.rejections, 'reason'],
  internalErrors: [METRIC_NAMES.internalErrors, undefined],
} as const;
type Tracked = keyof typeof TRACKED;

/**
 * The service's log at `info`: one line every `logSummaryMs` with the open connections and
 * what happened since the last line (connections welcomed by role, frames in and out,
 * requests delivered and failed by code, rejections by reason, internal errors), read from
 * the metrics. Each connection's own events are logged at `debug`, so a busy service writes
 * a line a minute at `info` rather than one per visitor. Nothing is logged while nothing
 * happens and nobody is connected.
 *
 * @example
 * const activity = createActivityLog(ctx, () => hub.connectionCounts());
 * activity.start();
 * // … on shutdown:
 * activity.stop();
 */
export function createActivityLog(
  ctx: HubContext,
  connections: () => Counts,
): { start(): void; stop(): void } {
  const { metrics, log, timer, cancel } = ctx;
  const every = ctx.settings.logSummaryMs;
  let handle: unknown;
  let last = new Map<Tracked, Counts>();

  const read = (): Map<Tracked, Counts> => {
    const now = new Map<Tracked, Counts>();
    for (const [name, [metric, label]] of Object.entries(TRACKED) as [
      Tracked,
      (typeof TRACKED)[Tracked],
    ][]) {
      const counts: Counts = {};
      for (const { labels, value } of metrics.series(metric)) {
        const key = label === undefined ? 'all' : (labels[label] ?? 'unknown');
        counts[key] = (counts[key] ?? 0) + value;
      }
      now.set(name, counts);
    }
    return now;
  };

  const summarise = () => {
    const now = read();
    const since: Record<string, number | Counts> = {};
    let changed = false;
    for (const [name, counts] of now) {
      const before = last.get(name) ?? {};
      const delta: Counts = {};
      for (const [key, value] of Object.entries(counts)) {
        const d = value - (before[key] ?? 0);
        if (d !== 0) delta[key] = d;
      }
      if (Object.keys(delta).length === 0) continue;
      changed = true;
      since[name] =
        'all' in delta && Object.keys(delta).length === 1 ? (delta.all as number) : delta;
    }
    last = now;
    const open = connections();
    const anyone = Object.values(open).some((n) => n > 0);
    if (changed || anyone) log.info({ connections: open, since, periodMs: every }, 'activity');
    handle = timer(every, summarise, 'activity log');
  };

  return {
    start() {
      if (every <= 0) return;
      last = read();
      handle = timer(every, summarise, 'activity log');
    },
    stop() {
      cancel(handle);
    },
  };
}
