import type { ServerKind } from '../lib/ServerKind.js';
import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningServer, startServer } from '../lib/startServer.js';
import type { Summary } from '../lib/summarize.js';

export interface IdleParams {
  visitors: number;
  processes: number;
  /** Connects in flight per load process. */
  concurrency: number;
  /** Pause after the last connect before memory is read. */
  settleMs: number;
  /** How long all connections are held before they are counted again. */
  holdMs: number;
}

export interface IdleRun {
  server: ServerKind;
  run: number;
  target: number;
  connected: number;
  failed: number;
  /** Still open on the client side, and counted by the server, after the hold. */
  heldClient: number;
  heldServer: number;
  /** From the first connect to the last, all processes together. */
  connectWallMs: number;
  connectsPerSec: number;
  /** Per-connection connect time, slowest process's summary (ms). */
  connectLatency: Summary;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  rssPerConnection: number;
  heapPerConnection: number;
  errors: Record<string, number>;
}

interface ConnectResult {
  connected: number;
  failed: number;
  wallMs: number;
  latency: Summary;
  errors: Record<string, number>;
}

/**
 * Scenario 1: `visitors` idle connections spread over `processes`; server memory after a full
 * GC before and after, per connection; connect time; all still held after `holdMs`.
 *
 * @example
 * const result = await idleCapacity('beckon', { visitors: 19_500, processes: 2, concurrency: 100, settleMs: 2_000, holdMs: 5_000 }, 1);
 */
export async function idleCapacity(kind: ServerKind, p: IdleParams, run: number): Promise<IdleRun> {
  let server: RunningServer | undefined;
  const clients = spawnLoad('loadClient', p.processes);
  try {
    server = await startServer(kind);
    await sleep(p.settleMs);
    const before = await server.stats(true);
    const per = Math.ceil(p.visitors / p.processes);
    const started = performance.now();
    const results = await Promise.all(
      clients.map((c, i) =>
        c.request<ConnectResult>(
          'connect',
          {
            url: (server as RunningServer).url,
            dialect: kind,
            prefix: 'v',
            from: i * per,
            count: Math.max(0, Math.min(per, p.visitors - i * per)),
            concurrency: p.concurrency,
            timeoutMs: 30_000,
          },
          600_000,
        ),
      ),
    );
    const connectWallMs = Math.round(performance.now() - started);
    await sleep(p.settleMs);
    const after = await server.stats(true);
    await sleep(p.holdMs);
    const statuses = await Promise.all(
      clients.map((c) => c.request<{ open: number }>('status', {}, 60_000)),
    );
    const held = await server.stats(false);
    const connected = results.reduce((s, r) => s + r.connected, 0);
    const errors: Record<string, number> = {};
    for (const r of results) {
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    }
    const slowest = results.reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a));
    return {
      server: kind,
      run,
      target: p.visitors,
      connected,
      failed: results.reduce((s, r) => s + r.failed, 0),
      heldClient: statuses.reduce((s, r) => s + r.open, 0),
      heldServer: held.connections,
      connectWallMs,
      connectsPerSec: Math.round((connected / connectWallMs) * 1000),
      connectLatency: slowest.latency,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssPerConnection: connected ? Math.round((after.rss - before.rss) / connected) : 0,
      heapPerConnection: connected ? Math.round((after.heapUsed - before.heapUsed) / connected) : 0,
      errors,
    };
  } finally {
    await stopAll(clients);
    await server?.stop();
  }
}
