import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/BenchResults.js';
import { runBench } from './runBench.js';

// `pnpm bench:smoke`, end to end: the real harness (bundling, server and load processes,
// every scenario against every server) with a few hundred connections. It proves the
// harness works; the figures themselves are not judged here. Scenarios 1–3 run three servers:
// Beckon, its Socket.IO peer and the bare relay.
const dir = mkdtempSync(join(tmpdir(), 'beckon-bench-'));
const out = join(dir, 'smoke.json');
let exitCode: number | null;
let output: string;
let results: BenchResults;
const SERVERS = ['baseline', 'beckon', 'socketio'];

beforeAll(async () => {
  ({ code: exitCode, output } = await runBench(['run', '--smoke', '--out', out]));
  results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm bench:smoke', () => {
  it('runs every scenario without an error', () => {
    expect(results.errors, output).toEqual([]);
    expect(exitCode, output).toBe(0);
    expect(results.smoke).toBe(true);
    expect(results.version).toBe(2);
    expect(results.machine.cpus).toBeGreaterThan(0);
  });

  it('holds every idle connection on all three servers and reads their memory', () => {
    expect(results.idle.map((r) => r.server).sort()).toEqual(SERVERS);
    for (const r of results.idle) {
      expect(r.connected, r.server).toBe(r.target);
      expect(r.heldClient, r.server).toBe(r.target);
      expect(r.heldServer, r.server).toBe(r.target);
      expect(r.rssAfter, r.server).toBeGreaterThan(0);
    }
  });

  it('delivers and answers every signal on all three servers', () => {
    expect(results.latency.map((r) => r.server).sort()).toEqual(SERVERS);
    for (const r of results.latency) {
      expect(r.sent, r.server).toBeGreaterThan(0);
      expect(r.received, r.server).toBe(r.sent);
      expect(r.delivered, r.server).toBe(r.sent);
      expect(r.lost, r.server).toBe(0);
      expect(r.duplicates, r.server).toBe(0);
      expect(r.delivery.count, r.server).toBe(r.sent);
      expect(r.rtt.p50, r.server).toBeGreaterThanOrEqual(r.delivery.p50 * 0.5);
    }
  });

  it('relays presence to the agent on all three servers, losing nothing', () => {
    expect(results.throughput.map((r) => r.server).sort()).toEqual(SERVERS);
    for (const r of results.throughput) {
      expect(r.relayed, r.server).toBeGreaterThan(0);
      expect(r.perSec, r.server).toBeGreaterThan(0);
      expect(r.serverCpuUsPerMsg, r.server).toBeGreaterThan(0);
      expect(r.unrelayed, r.server).toBe(0);
    }
  });

  it('brings every real visitor back after a drain and after kill -9', () => {
    expect(results.storm.map((r) => r.mode)).toEqual(['drain', 'kill']);
    for (const r of results.storm) {
      expect(r.connectedBefore, r.mode).toBe(r.visitors);
      expect(r.back, r.mode).toBe(r.visitors);
      expect(r.serverConnections, r.mode).toBe(r.visitors);
      expect(r.allBackMs, r.mode).toBeGreaterThan(r.newListeningMs);
      expect(r.attempts, r.mode).toBeGreaterThanOrEqual(r.visitors);
    }
    const [drain, kill] = results.storm;
    // A drain closes every visitor with 4100 (its delay hint); a kill drops them unannounced.
    expect(drain?.connectFail['4100 N']).toBe(drain?.visitors);
    expect(kill?.connectFail['1006 connection lost without a close frame']).toBe(kill?.visitors);
  });

  it('streams sessions next to presence, losing no signal and no presence', () => {
    expect(results.sessions?.map((r) => r.sessions)).toEqual([0, 2]);
    for (const r of results.sessions ?? []) {
      expect(r.lost, `${r.sessions} sessions`).toBe(0);
      expect(r.signal.count, `${r.sessions} sessions`).toBeGreaterThan(0);
      expect(r.presence.count, `${r.sessions} sessions`).toBeGreaterThan(0);
    }
    const streaming = results.sessions?.[1];
    expect(streaming?.hostBytesPerSecPerSession).toBeGreaterThan(0);
    expect(streaming?.viewerBytesPerSecPerSession).toBeGreaterThan(0);
  });

  it('runs every scale-out setup, losing nothing, and brings the killed process’s visitors back', () => {
    const scale = results.scale;
    expect(scale).toBeDefined();
    const setups = ['memory ×1', 'redis ×1', 'redis ×2', 'redis ×3'];
    expect(scale?.throughput.map((r) => r.setup).sort()).toEqual([...setups].sort());
    expect(scale?.latency.map((r) => r.setup).sort()).toEqual([...setups].sort());
    for (const r of scale?.throughput ?? []) {
      expect(r.relayed, r.setup).toBeGreaterThan(0);
      expect(r.unrelayed, r.setup).toBe(0);
      if (r.setup !== 'memory ×1') expect(r.redisCommandsPerMsg, r.setup).toBeGreaterThan(0);
    }
    for (const r of scale?.latency ?? []) {
      expect(r.lost + r.failed + r.duplicates, r.setup).toBe(0);
      expect(r.delivered, r.setup).toBe(r.sent);
    }
    const failover = scale?.failover[0];
    expect(failover?.onKilled).toBeGreaterThan(0);
    expect(failover?.back).toBe(failover?.onKilled);
    expect(failover?.allBackMs).toBeDefined();
    expect(failover?.sweptMs).toBeDefined();
  });

  it('measures the three client bundles', () => {
    expect(results.size.map((s) => s.name)).toEqual([
      'visitor',
      'visitor+ui-dom',
      'visitor+ui-react',
    ]);
  });
});
