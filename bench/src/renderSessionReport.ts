import { median } from './lib/summarize.js';
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
export function renderSessionReport(all: readonly SessionRun[], params: unknown): string[] {
  if (all.length === 0) return [];
  const runs = medians(all);
  const rounds = Math.max(...all.map((r) => r.round ?? 1));
  const p = (params ?? {}) as { visitors?: number; rate?: number; durationMs?: number };
  const base = runs.find((r) => r.sessions === 0);
  const vs = (value: number, baseValue: number | undefined) =>
    baseValue ? `${ms(value)} (${fmt(value / baseValue, 2)}×)` : ms(value);
  // Over the warm-up, when only the sessions stream: the cost of a session, against the
  // same window without sessions. Below the noise it reads as "< 0.1 %".
  const perSession = (r: SessionRun) =>
    base && r.sessions > 0
      ? ((r.streamingCpuShare ?? 0) - (base.streamingCpuShare ?? 0)) / r.sessions
      : undefined;
  const cpu = (share: number | undefined) =>
    share === undefined
      ? '—'
      : share < 0.001
        ? '< 0.1 % of a core'
        : `${fmt(share * 100, 2)} % of a core`;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const head = [
    'Sessions',
    'Pace',
    'Signal p99',
    'Round trip p99',
    'Presence p99',
    'Lost',
    'Bytes/s per session (host → service → viewer)',
    'Service CPU (measuring / sessions only)',
    'Service CPU per session',
    'Resyncs / dropped',
  ];
  return [
    `### 6. Sessions next to presence — ${fmt(p.visitors)} visitors, ${fmt(p.rate)} signals/s then ${fmt(p.rate)} presence/s for ${fmt((p.durationMs ?? 0) / 1000)} s each, while N sessions stream; median of ${rounds} round${rounds === 1 ? '' : 's'}`,
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
        `${fmt(r.serverCpuShare, 2)} / ${fmt(r.streamingCpuShare, 3)}`,
        cpu(perSession(r)),
        `${fmt(r.resyncs)} / ${fmt(r.dropped)}`,
      ]),
    ),
    '',
  ];
}

/** One run per configuration (sessions, pace), each figure the median over its rounds. */
function medians(all: readonly SessionRun[]): SessionRun[] {
  const groups = new Map<string, SessionRun[]>();
  for (const r of all) {
    const key = `${r.sessions}/${r.speed}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((runs) => {
    const m = (pick: (r: SessionRun) => number) => median(runs.map(pick)) ?? 0;
    const first = runs[0] as SessionRun;
    const summary = (pick: (r: SessionRun) => SessionRun['signal']) => ({
      ...pick(first),
      p50: m((r) => pick(r).p50),
      p99: m((r) => pick(r).p99),
    });
    return {
      ...first,
      signal: summary((r) => r.signal),
      signalRtt: summary((r) => r.signalRtt),
      presence: summary((r) => r.presence),
      lost: runs.reduce((sum, r) => sum + r.lost, 0),
      hostBytesPerSecPerSession: m((r) => r.hostBytesPerSecPerSession),
      viewerBytesPerSecPerSession: m((r) => r.viewerBytesPerSecPerSession),
      serverCpuShare: m((r) => r.serverCpuShare),
      streamingCpuShare: m((r) => r.streamingCpuShare ?? 0),
      resyncs: runs.reduce((sum, r) => sum + r.resyncs, 0),
      dropped: runs.reduce((sum, r) => sum + r.dropped, 0),
    };
  });
}
