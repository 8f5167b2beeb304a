import type { BenchResults } from './BenchResults.js';
import { fmt, kB, ms, ratio, table, verdict, x } from './lib/reportFormat.js';
import type { ServerKind } from './lib/ServerKind.js';
import { median } from './lib/summarize.js';
import { SIZE_BUDGETS } from './sizeBudgets.js';

/** Median of one figure over the runs of one server. */
function med<T extends { server: ServerKind }>(
  runs: readonly T[],
  kind: ServerKind,
  pick: (r: T) => number,
): number | undefined {
  return median(runs.filter((r) => r.server === kind).map(pick));
}

/**
 * What every rendering of a results file starts with: when, which commit, the machine, the
 * commands, and any errors.
 *
 * @example
 * const lines = renderRunHeader(results, 'bench/results/2026-11-24.json');
 */
export function renderRunHeader(r: BenchResults, file: string): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Run of ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 60_000).toFixed(1)} min), commit \`${r.git.commit}\`${r.git.dirty ? ' plus uncommitted changes' : ''}; raw figures in [\`${file}\`](../${file}).`,
    '',
    `**Machine:** ${m.cpus} CPU cores (${m.cpuModel}), ${fmt(m.totalMemMB / 1024, 1)} GB RAM, Node ${m.node}, ${m.os}, open-file limit ${fmt(m.openFileLimit)}. Load average (1/5/15 min) ${m.loadavgStart.join(' / ')} at the start and ${m.loadavgEnd.join(' / ')} at the end — the cores are shared with other work, so read the ratios, not the absolute figures.`,
    '',
    `**Commands:** \`${r.commands.run}\` (writes the results file), then \`${r.commands.report}\` (renders this section); \`${r.commands.size}\` for the bundle sizes alone.`,
    '',
  );
  if (r.smoke)
    out.push('> **Smoke run** — a few hundred connections; the figures mean nothing.', '');
  if (r.errors.length) {
    out.push('**Errors in this run:**', '', ...r.errors.map((e) => `- ${e.split('\n')[0]}`), '');
  }
  return out.join('\n');
}

/**
 * Renders a results file as the Markdown that goes between the markers of
 * docs/benchmarks.md: machine, commands, one table per scenario with Beckon, the baseline,
 * the ratio and the target.
 *
 * @example
 * const markdown = renderReport(JSON.parse(readFileSync('bench/results/2026-11-24.json', 'utf8')), 'bench/results/2026-11-24.json');
 */
export function renderReport(r: BenchResults, file: string): string {
  const out: string[] = [renderRunHeader(r, file)];

  // 1. Idle capacity
  if (r.idle.length) {
    const I = r.idle;
    const runs = Math.max(...I.map((i) => i.run ?? 1));
    const m = (k: ServerKind, pick: (i: (typeof I)[number]) => number) => med(I, k, pick);
    const held = (k: ServerKind) => {
      const mine = I.filter((i) => i.server === k);
      return mine.length === 0
        ? '—'
        : `${fmt(Math.min(...mine.map((i) => i.heldServer)))} / ${fmt(mine[0]?.target)}`;
    };
    const allHeld = I.filter((i) => i.server === 'beckon').every(
      (i) => i.heldServer === i.target && i.heldClient === i.target,
    );
    const rssB = m('beckon', (i) => i.rssPerConnection);
    const rssR = m('baseline', (i) => i.rssPerConnection);
    const rssRatio = ratio(rssB, rssR);
    const mb = (n: number | undefined) => (n === undefined ? '—' : fmt(n / 2 ** 20));
    out.push(
      `### 1. Idle capacity — ${fmt(I[0]?.target)} visitors, median of ${runs} interleaved runs`,
      '',
      table(
        ['', 'Beckon', 'Baseline', 'Ratio', 'Target', 'Met'],
        [
          [
            'Connected and held (worst run)',
            held('beckon'),
            held('baseline'),
            '',
            'all, on one process',
            verdict(I.some((i) => i.server === 'beckon') ? allHeld : undefined),
          ],
          [
            'Server RSS per connection',
            kB(rssB),
            kB(rssR),
            x(rssRatio),
            '≤ 1.5×',
            verdict(rssRatio === undefined ? undefined : rssRatio <= 1.5),
          ],
          [
            'Server heap per connection',
            kB(m('beckon', (i) => i.heapPerConnection)),
            kB(m('baseline', (i) => i.heapPerConnection)),
            x(
              ratio(
                m('beckon', (i) => i.heapPerConnection),
                m('baseline', (i) => i.heapPerConnection),
              ),
            ),
            '',
            '',
          ],
          [
            'Server RSS, empty → loaded',
            `${mb(m('beckon', (i) => i.rssBefore))} → ${mb(m('beckon', (i) => i.rssAfter))} MB`,
            `${mb(m('baseline', (i) => i.rssBefore))} → ${mb(m('baseline', (i) => i.rssAfter))} MB`,
            '',
            '',
            '',
          ],
          [
            'Time to connect all',
            `${fmt((m('beckon', (i) => i.connectWallMs) ?? 0) / 1000, 1)} s`,
            `${fmt((m('baseline', (i) => i.connectWallMs) ?? 0) / 1000, 1)} s`,
            x(
              ratio(
                m('beckon', (i) => i.connectWallMs),
                m('baseline', (i) => i.connectWallMs),
              ),
            ),
            '',
            '',
          ],
          [
            'Connect time p50 / p99',
            `${ms(m('beckon', (i) => i.connectLatency.p50))} / ${ms(m('beckon', (i) => i.connectLatency.p99))}`,
            `${ms(m('baseline', (i) => i.connectLatency.p50))} / ${ms(m('baseline', (i) => i.connectLatency.p99))}`,
            x(
              ratio(
                m('beckon', (i) => i.connectLatency.p99),
                m('baseline', (i) => i.connectLatency.p99),
              ),
            ),
            '',
            '',
          ],
        ],
      ),
      '',
      'Per run (RSS per connection; time to connect all):',
      '',
      table(
        ['Run', 'Beckon', 'Baseline'],
        Array.from({ length: runs }, (_, n) => {
          const cell = (k: ServerKind) => {
            const i = I.find((v) => (v.run ?? 1) === n + 1 && v.server === k);
            return i ? `${kB(i.rssPerConnection)}; ${fmt(i.connectWallMs / 1000, 1)} s` : '—';
          };
          return [String(n + 1), cell('beckon'), cell('baseline')];
        }),
      ),
      '',
    );
  }

  // 2. Signal latency
  if (r.latency.length) {
    const L = r.latency;
    const runs = Math.max(...L.map((l) => l.run));
    const row = (label: string, pick: (l: (typeof L)[number]) => number, target = '', met = '') => {
      const b = med(L, 'beckon', pick);
      const s = med(L, 'baseline', pick);
      return [label, ms(b), ms(s), x(ratio(b, s)), target, met];
    };
    const p99Ratio = ratio(
      med(L, 'beckon', (l) => l.delivery.p99),
      med(L, 'baseline', (l) => l.delivery.p99),
    );
    const lost = (k: ServerKind) =>
      L.filter((l) => l.server === k).reduce((s, l) => s + l.lost + l.failed, 0);
    const p = r.params.latency as { visitors: number; rate: number; durationMs: number };
    out.push(
      `### 2. Signal latency — ${fmt(p.visitors)} visitors, ${fmt(p.rate)} signals/s for ${fmt(p.durationMs / 1000)} s, median of ${runs} interleaved runs`,
      '',
      table(
        ['', 'Beckon', 'Baseline', 'Ratio', 'Target', 'Met'],
        [
          row('Delivery p50', (l) => l.delivery.p50),
          row(
            'Delivery p99',
            (l) => l.delivery.p99,
            '≤ 1.25×',
            verdict(p99Ratio === undefined ? undefined : p99Ratio <= 1.25),
          ),
          row('Delivery p99.9', (l) => l.delivery.p999),
          row('Round trip p50', (l) => l.rtt.p50),
          row('Round trip p99', (l) => l.rtt.p99),
          row('Round trip p99.9', (l) => l.rtt.p999),
          [
            'Lost or failed (all runs)',
            fmt(lost('beckon')),
            fmt(lost('baseline')),
            '',
            '0',
            verdict(lost('beckon') === 0),
          ],
          [
            'Server CPU per signal',
            `${fmt(med(L, 'beckon', (l) => l.serverCpuUsPerSignal))} µs`,
            `${fmt(med(L, 'baseline', (l) => l.serverCpuUsPerSignal))} µs`,
            x(
              ratio(
                med(L, 'beckon', (l) => l.serverCpuUsPerSignal),
                med(L, 'baseline', (l) => l.serverCpuUsPerSignal),
              ),
            ),
            '',
            '',
          ],
        ],
      ),
      '',
      'Per run (delivery p50 / p99 / p99.9, ms):',
      '',
      table(
        ['Run', 'Beckon', 'Baseline'],
        Array.from({ length: runs }, (_, i) => {
          const cell = (k: ServerKind) => {
            const l = L.find((v) => v.run === i + 1 && v.server === k);
            return l
              ? `${fmt(l.delivery.p50, 2)} / ${fmt(l.delivery.p99, 2)} / ${fmt(l.delivery.p999, 2)}`
              : '—';
          };
          return [String(i + 1), cell('beckon'), cell('baseline')];
        }),
      ),
      '',
    );
  }

  // 3. Presence throughput
  if (r.throughput.length) {
    const T = r.throughput;
    const runs = Math.max(...T.map((t) => t.run));
    const perSec = (k: ServerKind) => med(T, k, (t) => t.perSec);
    const tRatio = ratio(perSec('beckon'), perSec('baseline'));
    const cpu = (k: ServerKind) => med(T, k, (t) => t.serverCpuUsPerMsg);
    const p = r.params.throughput as { visitors: number; window: number; measureMs: number };
    out.push(
      `### 3. Presence throughput — ${fmt(p.visitors)} visitors, ${fmt(p.window)} in flight, ${fmt(p.measureMs / 1000)} s measured, median of ${runs} interleaved runs`,
      '',
      table(
        ['', 'Beckon', 'Baseline', 'Ratio', 'Target', 'Met'],
        [
          [
            'Relayed messages/s',
            fmt(perSec('beckon')),
            fmt(perSec('baseline')),
            x(tRatio),
            '≥ 0.8×',
            verdict(tRatio === undefined ? undefined : tRatio >= 0.8),
          ],
          [
            'Server CPU per message',
            `${fmt(cpu('beckon'), 1)} µs`,
            `${fmt(cpu('baseline'), 1)} µs`,
            x(ratio(cpu('beckon'), cpu('baseline'))),
            '',
            '',
          ],
          [
            'Server CPU busy (1 = a core)',
            fmt(
              med(T, 'beckon', (t) => t.serverCpuShare),
              2,
            ),
            fmt(
              med(T, 'baseline', (t) => t.serverCpuShare),
              2,
            ),
            '',
            '',
            '',
          ],
          [
            'Load process CPU busy',
            fmt(
              med(T, 'beckon', (t) => t.clientCpuShare),
              2,
            ),
            fmt(
              med(T, 'baseline', (t) => t.clientCpuShare),
              2,
            ),
            '',
            '',
            '',
          ],
          [
            'Unrelayed at the end (all runs)',
            fmt(T.filter((t) => t.server === 'beckon').reduce((s, t) => s + t.unrelayed, 0)),
            fmt(T.filter((t) => t.server === 'baseline').reduce((s, t) => s + t.unrelayed, 0)),
            '',
            '0',
            '',
          ],
        ],
      ),
      '',
      'Per run (messages/s; server µs per message):',
      '',
      table(
        ['Run', 'Beckon', 'Baseline'],
        Array.from({ length: runs }, (_, i) => {
          const cell = (k: ServerKind) => {
            const t = T.find((v) => v.run === i + 1 && v.server === k);
            return t ? `${fmt(t.perSec)}; ${fmt(t.serverCpuUsPerMsg, 1)} µs` : '—';
          };
          return [String(i + 1), cell('beckon'), cell('baseline')];
        }),
      ),
      '',
    );
  }

  // 4. Reconnect storm
  if (r.storm.length) {
    const d = r.storm.find((s) => s.mode === 'drain');
    const k = r.storm.find((s) => s.mode === 'kill');
    type Storm = typeof d;
    const fails = (s: Storm) =>
      s
        ? Object.entries(s.connectFail)
            .sort((a, b) => b[1] - a[1])
            .map(([why, n]) => `${fmt(n)} × ${why.replace(/\|/g, '/')}`)
            .join('<br>') || 'none'
        : '—';
    const sum = (o: Record<string, number> | undefined) =>
      o ? Object.values(o).reduce((a, b) => a + b, 0) : undefined;
    // Client-side handshake timeouts: the visitor gave up waiting for `welcome`.
    const timeouts = (s: Storm) =>
      s
        ? Object.entries(s.connectFail)
            .filter(([why]) => why.startsWith('4108'))
            .reduce((a, [, n]) => a + n, 0)
        : undefined;
    const sec = (n: number | undefined) => (n === undefined ? '—' : `${fmt(n / 1000, 1)} s`);
    out.push(
      `### 4. Reconnect storm — ${fmt(d?.visitors ?? k?.visitors)} real visitors (core + transport-ws), server restarted on the same port`,
      '',
      table(
        ['', 'Drain (SIGTERM), then start', 'kill -9, then start', 'Target (drain)', 'Met'],
        [
          ['Connected before', fmt(d?.connectedBefore), fmt(k?.connectedBefore), '', ''],
          [
            'Back on the new server',
            fmt(d?.serverConnections),
            fmt(k?.serverConnections),
            'all',
            verdict(d ? d.serverConnections >= d.connectedBefore : undefined),
          ],
          [
            'Signal → all back (server clock)',
            sec(d?.allBackMs),
            sec(k?.allBackMs),
            '≤ 15 s',
            verdict(d ? d.allBackMs !== undefined && d.allBackMs <= 15_000 : undefined),
          ],
          ['Signal → old server gone', sec(d?.oldGoneMs), sec(k?.oldGoneMs), '', ''],
          ['Signal → new server listening', sec(d?.newListeningMs), sec(k?.newListeningMs), '', ''],
          [
            'New server listening → all back',
            sec(d?.allBackAfterListenMs),
            sec(k?.allBackAfterListenMs),
            '',
            '',
          ],
          [
            'Signal → last visitor saw `connected`',
            sec(d?.allBackClientMs),
            sec(k?.allBackClientMs),
            '',
            '',
          ],
          ['Peak connections gained per second', fmt(d?.peakPerSec), fmt(k?.peakPerSec), '', ''],
          ['Connection attempts', fmt(d?.attempts), fmt(k?.attempts), '', ''],
          ['`connectFail` events (code, reason)', fails(d), fails(k), '', ''],
          [
            'Refused by the new server (handshake, rate, slow reader, internal)',
            fmt(sum(d?.serverCounters)),
            fmt(sum(k?.serverCounters)),
            '0',
            verdict(d ? sum(d.serverCounters) === 0 : undefined),
          ],
          [
            'Visitors that gave up waiting for `welcome` (client 4108)',
            fmt(timeouts(d)),
            fmt(timeouts(k)),
            '0',
            verdict(d ? timeouts(d) === 0 : undefined),
          ],
          [
            'Worst event-loop delay: new server / load processes',
            `${ms(d?.serverLoopDelayMax)} / ${ms(d?.clientLoopDelayMax)}`,
            `${ms(k?.serverLoopDelayMax)} / ${ms(k?.clientLoopDelayMax)}`,
            '',
            '',
          ],
          [
            'CPU busy (1 = a core): new server / load processes',
            `${fmt(d?.serverCpuShare, 2)} / ${fmt(d?.clientCpuShare, 2)}`,
            `${fmt(k?.serverCpuShare, 2)} / ${fmt(k?.clientCpuShare, 2)}`,
            '',
            '',
          ],
        ],
      ),
      '',
    );
  }

  // 5. Client size
  if (r.size.length) {
    out.push(
      '### 5. Client size — esbuild, ESM, minified, tree-shaken, gzip -9 (1 kB = 1,000 bytes)',
      '',
      table(
        ['Bundle', 'min', 'min+gzip', 'Budget (test)', 'Target', 'Met'],
        r.size.map((s) => {
          const limits = SIZE_BUDGETS[s.name];
          return [
            s.label,
            kB(s.minBytes),
            kB(s.gzipBytes),
            kB(limits?.budget),
            kB(limits?.target),
            limits?.target === undefined ? '' : verdict(s.gzipBytes <= limits.target),
          ];
        }),
      ),
      '',
    );
  }
  return out.join('\n');
}
