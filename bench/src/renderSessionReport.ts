import type { SessionRun } from './scenarios/sessionLoad.js';

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number | undefined) =>
  n === undefined ? '—' : `${fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;

/**
 * Renders scenario 6 (sessions next to presence) as Markdown: one row per run, with the
 * presence and signal latencies beside the same figures without sessions, the bytes each
 * session moves, and the service's CPU per session over the baseline run.
 *
 * @example
 * out.push(...renderSessionReport(results.sessions ?? [], results.params.sessions));
 */
export function renderSessionReport(runs: readonly SessionRun[], params: unknown): string[] {
  if (runs.length === 0) return [];
  const p = (params ?? {}) as { visitors?: number; rate?: number; durationMs?: number };
  const base = runs.find((r) => r.sessions === 0);
  const vs = (value: number, baseValue: number | undefined) =>
    baseValue ? `${ms(value)} (${fmt(value / baseValue, 2)}×)` : ms(value);
  const perSession = (r: SessionRun) =>
    base && r.sessions > 0 ? (r.serverCpuShare - base.serverCpuShare) / r.sessions : undefined;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const head = [
    'Sessions',
    'Pace',
    'Signal p99',
    'Round trip p99',
    'Presence p99',
    'Lost',
    'Bytes/s per session (host → service → viewer)',
    'Service CPU',
    'Service CPU per session',
    'Resyncs / dropped',
  ];
  return [
    `### 6. Sessions next to presence — ${fmt(p.visitors)} visitors, ${fmt(p.rate)} signals/s then ${fmt(p.rate)} presence/s for ${fmt((p.durationMs ?? 0) / 1000)} s each, while N sessions stream`,
    '',
    'Each session is a host replaying the demo shop recorded under scrolling, pointing and typing (`bench/fixtures/session-stream.json`) and one viewer. Latencies in parentheses are against the run without sessions; CPU is the service process over the measured window (1.00 = one core).',
    '',
    line(head),
    line(head.map(() => '---')),
    ...runs.map((r) =>
      line([
        fmt(r.sessions),
        r.sessions === 0 ? '—' : `${fmt(r.speed)}×`,
        vs(r.signal.p99, r === base ? undefined : base?.signal.p99),
        vs(r.signalRtt.p99, r === base ? undefined : base?.signalRtt.p99),
        vs(r.presence.p99, r === base ? undefined : base?.presence.p99),
        fmt(r.lost),
        r.sessions === 0
          ? '—'
          : `${fmt(r.hostBytesPerSecPerSession / 1000, 1)} kB → ${fmt(r.viewerBytesPerSecPerSession / 1000, 1)} kB`,
        fmt(r.serverCpuShare, 2),
        perSession(r) === undefined ? '—' : `${fmt((perSession(r) ?? 0) * 100, 2)} % of a core`,
        `${fmt(r.resyncs)} / ${fmt(r.dropped)}`,
      ]),
    ),
    '',
  ];
}
