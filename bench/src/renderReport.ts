import type { BenchResults } from './BenchResults.js';
import { fmt, kB, ms, table, verdict } from './lib/reportFormat.js';
import type { ServerKind } from './lib/ServerKind.js';
import { medianOf, perRunTable, serverTable } from './lib/serverTable.js';
import { SIZE_BUDGETS } from './sizeBudgets.js';

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
 * docs/benchmarks.md: machine, commands, one table per scenario with Beckon, Socket.IO and
 * the bare relay, Beckon's ratio to each, and the target. Files from before the Socket.IO
 * peer (version 1) render with Beckon and the bare relay only.
 *
 * @example
 * const markdown = renderReport(JSON.parse(readFileSync('bench/results/2026-11-24.json', 'utf8')), 'bench/results/2026-11-24.json');
 */
export function renderReport(r: BenchResults, file: string): string {
  const out: string[] = [renderRunHeader(r, file)];

  const servers = new Set([...r.idle, ...r.latency, ...r.throughput].map((run) => run.server));
  if (servers.size > 0) {
    out.push(
      servers.has('socketio')
        ? "Scenarios 1–3 run three servers, interleaved: Beckon, the same relay written with Socket.IO 4, and the bare `ws` relay (the limit). *Beckon / bare* and *Beckon / Socket.IO* are Beckon's median over the other's: below 1× Beckon is ahead, except for messages/s, where it is ahead above 1×. The targets are ratios to the bare relay."
        : "Scenarios 1–3 run Beckon and the bare `ws` relay (the limit), interleaved; *Beckon / bare* is Beckon's median over the relay's. This run is from before the Socket.IO peer.",
      '',
    );
  }

  // 1. Idle capacity
  if (r.idle.length) {
    const I = r.idle;
    type Idle = (typeof I)[number];
    const runs = Math.max(...I.map((i) => i.run ?? 1));
    const m = (k: ServerKind, pick: (i: Idle) => number) => medianOf(I, k, pick);
    const held = (k: ServerKind) => {
      const mine = I.filter((i) => i.server === k);
      return mine.length === 0
        ? '—'
        : `${fmt(Math.min(...mine.map((i) => i.heldServer)))} / ${fmt(mine[0]?.target)}`;
    };
    const beckon = I.filter((i) => i.server === 'beckon');
    const mb = (n: number | undefined) => (n === undefined ? '—' : fmt(n / 2 ** 20));
    const sec = (n: number | undefined) => (n === undefined ? '—' : `${fmt(n / 1000, 1)} s`);
    out.push(
      `### 1. Idle capacity — ${fmt(I[0]?.target)} visitors, median of ${runs} interleaved runs`,
      '',
      serverTable(I, [
        {
          label: 'Connected and held (worst run)',
          cell: held,
          target: 'all, on one process',
          met: () =>
            beckon.length === 0
              ? undefined
              : beckon.every((i) => i.heldServer === i.target && i.heldClient === i.target),
        },
        {
          label: 'Server RSS per connection',
          pick: (i) => i.rssPerConnection,
          show: kB,
          target: '≤ 1.3×',
          meets: (q) => q <= 1.3,
        },
        { label: 'Server heap per connection', pick: (i) => i.heapPerConnection, show: kB },
        {
          label: 'Server RSS, empty → loaded',
          cell: (k) => `${mb(m(k, (i) => i.rssBefore))} → ${mb(m(k, (i) => i.rssAfter))} MB`,
        },
        {
          label: 'Time to connect all',
          pick: (i) => i.connectWallMs,
          show: sec,
          target: '≤ 1.3×',
          meets: (q) => q <= 1.3,
        },
        {
          label: 'Connect time p50 / p99',
          pick: (i) => i.connectLatency.p99,
          cell: (k) =>
            `${ms(m(k, (i) => i.connectLatency.p50))} / ${ms(m(k, (i) => i.connectLatency.p99))}`,
        },
      ]),
      '',
      'Per run (RSS per connection; time to connect all):',
      '',
      perRunTable(I, (i) => `${kB(i.rssPerConnection)}; ${sec(i.connectWallMs)}`),
      '',
    );
  }

  // 2. Signal latency
  if (r.latency.length) {
    const L = r.latency;
    const runs = Math.max(...L.map((l) => l.run));
    const lost = (k: ServerKind) =>
      L.filter((l) => l.server === k).reduce((s, l) => s + l.lost + l.failed, 0);
    const us = (n: number | undefined) => (n === undefined ? '—' : `${fmt(n)} µs`);
    const p = r.params.latency as { visitors: number; rate: number; durationMs: number };
    out.push(
      `### 2. Signal latency — ${fmt(p.visitors)} visitors, ${fmt(p.rate)} signals/s for ${fmt(p.durationMs / 1000)} s, median of ${runs} interleaved runs`,
      '',
      serverTable(L, [
        { label: 'Delivery p50', pick: (l) => l.delivery.p50, show: ms },
        {
          label: 'Delivery p99',
          pick: (l) => l.delivery.p99,
          show: ms,
          target: '≤ 1.5×',
          meets: (q) => q <= 1.5,
        },
        { label: 'Delivery p99.9', pick: (l) => l.delivery.p999, show: ms },
        { label: 'Round trip p50', pick: (l) => l.rtt.p50, show: ms },
        { label: 'Round trip p99', pick: (l) => l.rtt.p99, show: ms },
        { label: 'Round trip p99.9', pick: (l) => l.rtt.p999, show: ms },
        {
          label: 'Lost or failed (all runs)',
          cell: (k) => fmt(lost(k)),
          target: '0',
          met: () => lost('beckon') === 0,
        },
        {
          label: 'Server CPU per signal round trip',
          pick: (l) => l.serverCpuUsPerSignal,
          show: us,
          target: '≤ 1.3×',
          meets: (q) => q <= 1.3,
        },
      ]),
      '',
      'Per run (delivery p50 / p99 / p99.9, ms):',
      '',
      perRunTable(
        L,
        (l) => `${fmt(l.delivery.p50, 2)} / ${fmt(l.delivery.p99, 2)} / ${fmt(l.delivery.p999, 2)}`,
      ),
      '',
    );
  }

  // 3. Presence throughput
  if (r.throughput.length) {
    const T = r.throughput;
    const runs = Math.max(...T.map((t) => t.run));
    const unrelayed = (k: ServerKind) =>
      T.filter((t) => t.server === k).reduce((s, t) => s + t.unrelayed, 0);
    const share = (n: number | undefined) => fmt(n, 2);
    const p = r.params.throughput as { visitors: number; window: number; measureMs: number };
    out.push(
      `### 3. Presence throughput — ${fmt(p.visitors)} visitors, ${fmt(p.window)} in flight, ${fmt(p.measureMs / 1000)} s measured, median of ${runs} interleaved runs`,
      '',
      serverTable(T, [
        {
          label: 'Relayed messages/s',
          pick: (t) => t.perSec,
          show: (n) => fmt(n),
          target: '≥ 0.8×',
          meets: (q) => q >= 0.8,
        },
        {
          label: 'Server CPU per relayed presence',
          pick: (t) => t.serverCpuUsPerMsg,
          show: (n) => (n === undefined ? '—' : `${fmt(n, 1)} µs`),
          target: '≤ 1.15×',
          meets: (q) => q <= 1.15,
        },
        {
          label: 'Server CPU busy (1 = a core)',
          cell: (k) => share(medianOf(T, k, (t) => t.serverCpuShare)),
        },
        {
          label: 'Load process CPU busy',
          cell: (k) => share(medianOf(T, k, (t) => t.clientCpuShare)),
        },
        {
          label: 'Unrelayed at the end (all runs)',
          cell: (k) => fmt(unrelayed(k)),
          target: '0',
          met: () => unrelayed('beckon') === 0,
        },
      ]),
      '',
      'Per run (messages/s; server µs per message):',
      '',
      perRunTable(T, (t) => `${fmt(t.perSec)}; ${fmt(t.serverCpuUsPerMsg, 1)} µs`),
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
        // A split bundle's on-demand part (the consent dialog) is a row of its own.
        r.size
          .flatMap((s) =>
            s.onDemand ? [s, { ...s.onDemand, label: `↳ ${s.onDemand.label}` }] : [s],
          )
          .map((s) => {
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
