import { table, verdict, x } from './reportFormat.js';
import { SERVER_KINDS, SERVER_LABELS, type ServerKind } from './ServerKind.js';
import { median } from './summarize.js';

/** One row of a scenario's table: a figure of each server, Beckon's ratios, the target. */
export interface Figure<T> {
  label: string;
  /** The figure of one run; the table shows each server's median, and Beckon's ratios. */
  pick?: (run: T) => number;
  /** How a median is shown. */
  show?: (value: number | undefined) => string;
  /** A cell written by hand instead (no ratios unless `pick` is given too). */
  cell?: (kind: ServerKind) => string;
  /** The target, as a ratio of Beckon's figure to the bare relay's. */
  target?: string;
  /** Whether Beckon's ratio to the bare relay meets the target. */
  meets?: (ratioToBare: number) => boolean;
  /** A verdict written by hand, for rows without a ratio. */
  met?: () => boolean | undefined;
}

/** The servers that have runs here, in the report's order. */
function kindsIn(runs: readonly { server: ServerKind }[]): ServerKind[] {
  return SERVER_KINDS.filter((k) => runs.some((r) => r.server === k));
}

/**
 * The median of one figure over one server's runs.
 *
 * @example
 * medianOf(results.latency, 'beckon', (l) => l.delivery.p99);
 */
export function medianOf<T extends { server: ServerKind }>(
  runs: readonly T[],
  kind: ServerKind,
  pick: (run: T) => number,
): number | undefined {
  return median(runs.filter((r) => r.server === kind).map(pick));
}

/**
 * A scenario's table: a column per server that ran (Beckon, Socket.IO, the bare relay), then
 * Beckon's figure over the bare relay's and over Socket.IO's, then the target (against the
 * bare relay, the limit) and whether it is met. Results from before the Socket.IO peer have
 * no Socket.IO column and no second ratio.
 *
 * @example
 * serverTable(results.latency, [{ label: 'Delivery p99', pick: (l) => l.delivery.p99, show: ms, target: '≤ 1.5×', meets: (r) => r <= 1.5 }]);
 */
export function serverTable<T extends { server: ServerKind }>(
  runs: readonly T[],
  figures: readonly Figure<T>[],
): string {
  const kinds = kindsIn(runs);
  const peer = kinds.includes('socketio');
  const ratio = (pick: (run: T) => number, other: ServerKind) => {
    const b = medianOf(runs, 'beckon', pick);
    const o = medianOf(runs, other, pick);
    return b === undefined || o === undefined || o === 0 ? undefined : b / o;
  };
  return table(
    [
      '',
      ...kinds.map((k) => SERVER_LABELS[k]),
      'Beckon / bare',
      ...(peer ? ['Beckon / Socket.IO'] : []),
      'Target (Beckon / bare)',
      'Met',
    ],
    figures.map((f) => {
      const toBare = f.pick && ratio(f.pick, 'baseline');
      const met = f.met
        ? verdict(f.met())
        : f.meets
          ? verdict(toBare === undefined ? undefined : f.meets(toBare))
          : '';
      return [
        f.label,
        ...kinds.map((k) =>
          f.cell ? f.cell(k) : f.pick && f.show ? f.show(medianOf(runs, k, f.pick)) : '',
        ),
        f.pick ? x(toBare) : '',
        ...(peer ? [f.pick ? x(ratio(f.pick, 'socketio')) : ''] : []),
        f.target ?? '',
        met,
      ];
    }),
  );
}

/**
 * A table of each run's figures, a column per server that ran.
 *
 * @example
 * perRunTable(results.throughput, (t) => `${t.perSec}; ${t.serverCpuUsPerMsg} µs`);
 */
export function perRunTable<T extends { server: ServerKind; run?: number }>(
  runs: readonly T[],
  cell: (run: T) => string,
): string {
  const kinds = kindsIn(runs);
  const count = Math.max(...runs.map((r) => r.run ?? 1));
  return table(
    ['Run', ...kinds.map((k) => SERVER_LABELS[k])],
    Array.from({ length: count }, (_, i) => {
      const cells = kinds.map((k) => {
        const r = runs.find((v) => (v.run ?? 1) === i + 1 && v.server === k);
        return r ? cell(r) : '—';
      });
      return [String(i + 1), ...cells];
    }),
  );
}
