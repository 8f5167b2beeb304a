import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/BenchResults.js';
import { renderReport } from '../src/renderReport.js';

// A results file checked in before the Socket.IO peer existed (version 1: Beckon and the
// bare relay only), and the same file with Socket.IO runs added (version 2).
const FILE = 'bench/results/2026-11-24.json';
const old = JSON.parse(
  readFileSync(fileURLToPath(new URL(`../../${FILE}`, import.meta.url)), 'utf8'),
) as BenchResults;

/** `old` with a Socket.IO run beside each bare-relay run: 3× its memory, 2× its CPU. */
function withSocketIo(): BenchResults {
  const r = structuredClone(old);
  r.version = 2;
  r.idle.push(
    ...r.idle
      .filter((i) => i.server === 'baseline')
      .map((i) => ({
        ...i,
        server: 'socketio' as const,
        rssPerConnection: i.rssPerConnection * 3,
      })),
  );
  r.latency.push(
    ...r.latency
      .filter((l) => l.server === 'baseline')
      .map((l) => ({
        ...l,
        server: 'socketio' as const,
        serverCpuUsPerSignal: l.serverCpuUsPerSignal * 2,
      })),
  );
  r.throughput.push(
    ...r.throughput
      .filter((t) => t.server === 'baseline')
      .map((t) => ({
        ...t,
        server: 'socketio' as const,
        serverCpuUsPerMsg: t.serverCpuUsPerMsg * 2,
      })),
  );
  return r;
}

const row = (markdown: string, label: string) =>
  markdown.split('\n').find((line) => line.startsWith(`| ${label} |`));

describe('renderReport', () => {
  it('still renders a results file from before the Socket.IO peer, with two servers', () => {
    const md = renderReport(old, FILE);
    expect(md).not.toMatch(/undefined|NaN/);
    expect(md).not.toContain('| Socket.IO |');
    expect(md).toContain('This run is from before the Socket.IO peer.');
    expect(row(md, '')).toBe(
      '|  | Beckon | Bare relay | Beckon / bare | Target (Beckon / bare) | Met |',
    );
    expect(row(md, 'Server RSS per connection')).toBe(
      '| Server RSS per connection | 8.3 kB | 5.9 kB | 1.41× | ≤ 1.3× | **no** |',
    );
    expect(row(md, 'Server CPU per signal round trip')).toBe(
      '| Server CPU per signal round trip | 133 µs | 85 µs | 1.57× | ≤ 1.3× | **no** |',
    );
    expect(row(md, 'Run')).toBe('| Run | Beckon | Bare relay |');
    // The sections that have no second server are untouched.
    expect(md).toContain('### 4. Reconnect storm');
    expect(md).toContain('### 5. Client size');
  });

  it('shows Beckon, Socket.IO and the bare relay with both of Beckon’s ratios', () => {
    const md = renderReport(withSocketIo(), FILE);
    expect(md).not.toMatch(/undefined|NaN/);
    expect(md).toContain('Scenarios 1–3 run three servers, interleaved');
    expect(row(md, '')).toBe(
      '|  | Beckon | Socket.IO | Bare relay | Beckon / bare | Beckon / Socket.IO | Target (Beckon / bare) | Met |',
    );
    // Socket.IO's median is 3 × 5,863 B; 8,254 / 17,589 = 0.47.
    expect(row(md, 'Server RSS per connection')).toBe(
      '| Server RSS per connection | 8.3 kB | 17.6 kB | 5.9 kB | 1.41× | 0.47× | ≤ 1.3× | **no** |',
    );
    expect(row(md, 'Server CPU per signal round trip')).toBe(
      '| Server CPU per signal round trip | 133 µs | 170 µs | 85 µs | 1.57× | 0.78× | ≤ 1.3× | **no** |',
    );
    expect(row(md, 'Server CPU per relayed presence')).toBe(
      '| Server CPU per relayed presence | 21.2 µs | 31.8 µs | 15.9 µs | 1.33× | 0.66× | ≤ 1.15× | **no** |',
    );
    expect(row(md, 'Lost or failed (all runs)')).toBe(
      '| Lost or failed (all runs) | 0 | 0 | 0 |  |  | 0 | yes |',
    );
    expect(row(md, 'Run')).toBe('| Run | Beckon | Socket.IO | Bare relay |');
    expect(row(md, '1')).toBe('| 1 | 8.3 kB; 11.1 s | 17.5 kB; 5.8 s | 5.8 kB; 5.8 s |');
  });

  it('leaves out a server with no runs in a scenario', () => {
    const r = withSocketIo();
    r.latency = r.latency.filter((l) => l.server !== 'socketio');
    const latency = renderReport(r, FILE).split('### 2.')[1]?.split('### 3.')[0] ?? '';
    expect(row(latency, '')).toBe(
      '|  | Beckon | Bare relay | Beckon / bare | Target (Beckon / bare) | Met |',
    );
  });
});
