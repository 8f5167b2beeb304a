import type { BenchResults } from './BenchResults.js';
import { fmt, ms, ratio, table, x } from './lib/reportFormat.js';
import type { ScaleSetup } from './lib/startCluster.js';
import { SCALE_SETUPS } from './lib/startCluster.js';
import { median } from './lib/summarize.js';

type Scale = NonNullable<BenchResults['scale']>;

/** Median of one figure over the runs of one setup. */
function med<T extends { setup: ScaleSetup }>(
  runs: readonly T[],
  setup: ScaleSetup,
  pick: (r: T) => number,
): number | undefined {
  return median(runs.filter((r) => r.setup === setup).map(pick));
}

/** Lost and failed signals over the runs, with the failure codes. */
function lostAndFailed(runs: readonly Scale['latency'][number][]): string {
  const total = runs.reduce((sum, l) => sum + l.lost + l.failed, 0);
  const codes = new Map<string, number>();
  for (const l of runs) {
    for (const [code, n] of Object.entries(l.failures ?? {}))
      codes.set(code, (codes.get(code) ?? 0) + n);
  }
  const detail = [...codes].map(([code, n]) => `${fmt(n)} ${code}`).join(', ');
  return detail ? `${fmt(total)} (${detail})` : fmt(total);
}

/**
 * The scale-out section of the report: throughput and latency with one process in memory,
 * and one, two and three processes on one Redis (the Redis cost per message, the scaling
 * ratio against one process on Redis), and the reconnect storm when one of three is killed.
 *
 * @example
 * const markdown = renderScaleReport(results.scale, results.params.scale);
 */
export function renderScaleReport(scale: Scale, params: unknown): string {
  const out: string[] = [];
  const p = params as {
    throughput: { visitors: number; window: number; measureMs: number };
    latency: { visitors: number; rate: number; durationMs: number };
  };
  const T = scale.throughput;
  if (T.length) {
    const runs = Math.max(...T.map((t) => t.run));
    const base = med(T, 'redis ×1', (t) => t.perSec);
    const memory = med(T, 'memory ×1', (t) => t.perSec);
    out.push(
      `### 6a. Scale-out: presence throughput — ${fmt(p.throughput.visitors)} visitors spread over the processes, one agent on the first, ${fmt(p.throughput.measureMs / 1000)} s measured, median of ${runs} runs`,
      '',
      table(
        [
          'Setup',
          'Relayed/s',
          'vs redis ×1',
          'vs memory',
          'Service CPU/msg',
          'Redis CPU/msg',
          'Redis commands/msg',
          'Service CPU busy',
          'Redis CPU busy',
          'Unrelayed',
        ],
        SCALE_SETUPS.filter((s) => T.some((t) => t.setup === s)).map((s) => [
          s,
          fmt(med(T, s, (t) => t.perSec)),
          x(
            ratio(
              med(T, s, (t) => t.perSec),
              base,
            ),
          ),
          x(
            ratio(
              med(T, s, (t) => t.perSec),
              memory,
            ),
          ),
          `${fmt(
            med(T, s, (t) => t.serverCpuUsPerMsg),
            1,
          )} µs`,
          `${fmt(
            med(T, s, (t) => t.redisCpuUsPerMsg),
            1,
          )} µs`,
          fmt(
            med(T, s, (t) => t.redisCommandsPerMsg),
            1,
          ),
          fmt(
            med(T, s, (t) => t.serverCpuShare),
            2,
          ),
          fmt(
            med(T, s, (t) => t.redisCpuShare),
            2,
          ),
          fmt(T.filter((t) => t.setup === s).reduce((sum, t) => sum + t.unrelayed, 0)),
        ]),
      ),
      '',
    );
  }
  const L = scale.latency;
  if (L.length) {
    const runs = Math.max(...L.map((l) => l.run));
    out.push(
      `### 6b. Scale-out: signal latency — ${fmt(p.latency.visitors)} visitors spread over the processes, the agent on the first, ${fmt(p.latency.rate)} signals/s for ${fmt(p.latency.durationMs / 1000)} s, median of ${runs} runs`,
      '',
      table(
        [
          'Setup',
          'Delivery p50',
          'p99',
          'Round trip p50',
          'p99',
          'Service CPU/signal',
          'Redis CPU/signal',
          'Redis commands/signal',
          'Lost + failed (all runs)',
        ],
        SCALE_SETUPS.filter((s) => L.some((l) => l.setup === s)).map((s) => [
          s,
          ms(med(L, s, (l) => l.delivery.p50)),
          ms(med(L, s, (l) => l.delivery.p99)),
          ms(med(L, s, (l) => l.rtt.p50)),
          ms(med(L, s, (l) => l.rtt.p99)),
          `${fmt(
            med(L, s, (l) => l.serverCpuUsPerSignal),
            0,
          )} µs`,
          `${fmt(
            med(L, s, (l) => l.redisCpuUsPerSignal),
            0,
          )} µs`,
          fmt(
            med(L, s, (l) => l.redisCommandsPerSignal),
            1,
          ),
          lostAndFailed(L.filter((l) => l.setup === s)),
        ]),
      ),
      '',
    );
  }
  const f = scale.failover[0];
  if (f) {
    out.push(
      `### 6c. Scale-out: one of three processes killed (SIGKILL) — ${fmt(f.visitors)} real visitors, each attempt to the next process in turn`,
      '',
      table(
        ['', 'Figure'],
        [
          ['Visitors on the killed process', fmt(f.onKilled)],
          ['Of those, back on the others', fmt(f.back)],
          ['Kill → the survivors hold every visitor', ms(f.allBackMs)],
          ['Kill → the dead process swept from Redis', ms(f.sweptMs)],
          ['Peak reconnects per second', fmt(f.peakPerSec)],
          ['Connection attempts after the kill', fmt(f.attempts)],
          ['Worst event-loop delay of a survivor', ms(f.serverLoopDelayMax)],
        ],
      ),
      '',
    );
  }
  return out.join('\n');
}
