import { peakGain } from '../lib/peakGain.js';
import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningServer, startServer } from '../lib/startServer.js';

export interface StormParams {
  visitors: number;
  processes: number;
  /** Initial ramp, visitors per second per process (not measured). */
  rampPerSec: number;
  /** The server's drain spread (its default is 5,000 ms). */
  drainSpreadMs: number;
  /** Give up waiting for the visitors after this long. */
  deadlineMs: number;
  /** Pause between all being connected and the restart. */
  pauseMs: number;
}

/** How the old server goes away. */
export type StormMode = 'drain' | 'kill';

export interface StormRun {
  mode: StormMode;
  visitors: number;
  /** Connected before the restart. */
  connectedBefore: number;
  /** Came back (a `connected` event after the restart began). */
  back: number;
  /**
   * Signal sent → the new server holds every visitor again, ms, read on the server's clock
   * (sampled every 200 ms). `undefined` when not all came back before the deadline.
   */
  allBackMs: number | undefined;
  /** New server listening → it holds every visitor again, ms. */
  allBackAfterListenMs: number | undefined;
  /** Signal sent → the last visitor saw `connected`, ms, on the load processes' clocks. */
  allBackClientMs: number | undefined;
  /** Signal sent → old server gone, and → new server listening, ms. */
  oldGoneMs: number;
  newListeningMs: number;
  /** Processes started until one could listen on the old port. */
  restartAttempts: number;
  /** Most connections the new server gained in any one second. */
  peakPerSec: number;
  /** Connection attempts (sockets opened) after the restart began. */
  attempts: number;
  /** `connectFail` events by code and reason, after the restart began. */
  connectFail: Record<string, number>;
  /** The new server's own refusal counters (handshake timeouts, rate limits, …). */
  serverCounters: Record<string, number>;
  /** Connections the new server counts at the end. */
  serverConnections: number;
  /** Worst event-loop delay of the new server while visitors came back, ms. */
  serverLoopDelayMax: number;
  /** The new server's CPU busy from listening until all were back (1 = a core). */
  serverCpuShare: number;
  /** The load processes: CPU busy (1 = a core, summed) and worst event-loop delay, ms. */
  clientCpuShare: number;
  clientLoopDelayMax: number;
}

interface Progress {
  count: number;
  back: number;
  attempts: number;
  reconnectTimes: number[];
  failures: Record<string, number>;
  cpuUs: number;
  sinceMarkMs: number;
  loopDelayMax: number;
}

/**
 * Scenario 4: `visitors` real Beckon visitors (core + transport-ws) connected; the server
 * is stopped (`drain`: SIGTERM, which drains with 4100 and a spread delay hint; `kill`:
 * SIGKILL) and a new one started on the same port; how long until every visitor is back.
 *
 * @example
 * const run = await reconnectStorm('drain', { visitors: 10_000, processes: 2, rampPerSec: 2_000, drainSpreadMs: 5_000, deadlineMs: 60_000, pauseMs: 1_000 });
 */
export async function reconnectStorm(mode: StormMode, p: StormParams): Promise<StormRun> {
  let first: RunningServer | undefined;
  let second: RunningServer | undefined;
  const clients = spawnLoad('stormClient', p.processes);
  try {
    first = await startServer('beckon', { drainSpreadMs: p.drainSpreadMs });
    const port = first.port;
    const per = Math.ceil(p.visitors / p.processes);
    const started = await Promise.all(
      clients.map((c, i) =>
        c.request<{ connected: number }>(
          'start',
          {
            url: (first as RunningServer).url,
            prefix: `s${i}-`,
            count: Math.max(0, Math.min(per, p.visitors - i * per)),
            rampPerSec: p.rampPerSec,
            timeoutMs: 120_000,
          },
          300_000,
        ),
      ),
    );
    const connectedBefore = started.reduce((s, r) => s + r.connected, 0);
    await sleep(p.pauseMs);
    await Promise.all(clients.map((c) => c.request('mark')));
    const t0 = Date.now();
    await first.child.stop(mode === 'drain' ? 'SIGTERM' : 'SIGKILL', 20_000);
    const oldGone = Date.now();
    // Restart in place; the port may take a moment to be free again.
    let restartAttempts = 0;
    for (let attempt = 0; attempt < 20 && !second; attempt++) {
      restartAttempts++;
      try {
        second = await startServer('beckon', { port, drainSpreadMs: p.drainSpreadMs });
      } catch (error) {
        if (attempt === 19) throw error;
        await sleep(100);
      }
    }
    if (!second) throw new Error('the new server did not start');
    const listening = second.listeningAt;
    const deadline = t0 + p.deadlineMs;
    const samples: { at: number; connections: number }[] = [];
    let serverLoopDelayMax = 0;
    let stats = await second.stats();
    const first0 = stats;
    // Bounded by the deadline. The server's count, read on its clock, says when all are
    // back; the load processes may lag behind under a storm of their own making.
    while (Date.now() < deadline) {
      stats = await second.stats();
      samples.push({ at: stats.at, connections: stats.connections });
      serverLoopDelayMax = Math.max(serverLoopDelayMax, stats.loopDelayMax);
      if (stats.connections >= connectedBefore) break;
      await sleep(200);
    }
    const allAt = samples.find((x) => x.connections >= connectedBefore)?.at;
    // Let the load processes catch up on their events before reading them.
    let progress: Progress[] = [];
    const catchUp = Date.now() + 15_000;
    while (Date.now() < catchUp) {
      progress = await Promise.all(clients.map((c) => c.request<Progress>('progress', {}, 30_000)));
      if (progress.reduce((s, r) => s + r.back, 0) >= connectedBefore) break;
      await sleep(250);
    }
    const times = progress.flatMap((r) => r.reconnectTimes);
    const back = progress.reduce((s, r) => s + r.back, 0);
    const lastClient = times.length ? Math.max(...times) : undefined;
    const connectFail: Record<string, number> = {};
    for (const r of progress) {
      for (const [k, v] of Object.entries(r.failures)) connectFail[k] = (connectFail[k] ?? 0) + v;
    }
    return {
      mode,
      visitors: p.visitors,
      connectedBefore,
      back,
      allBackMs: allAt === undefined ? undefined : allAt - t0,
      allBackAfterListenMs: allAt === undefined ? undefined : allAt - listening,
      allBackClientMs:
        back >= connectedBefore && lastClient !== undefined ? lastClient - t0 : undefined,
      oldGoneMs: oldGone - t0,
      newListeningMs: listening - t0,
      restartAttempts,
      peakPerSec: peakGain(samples),
      attempts: progress.reduce((s, r) => s + r.attempts, 0),
      connectFail,
      serverCounters: stats.counters,
      serverConnections: stats.connections,
      serverLoopDelayMax,
      serverCpuShare:
        Math.round(
          ((stats.cpuUs - first0.cpuUs) / Math.max(1, (stats.at - first0.at) * 1000)) * 100,
        ) / 100,
      clientCpuShare:
        Math.round(
          progress.reduce((s, r) => s + r.cpuUs / Math.max(1, r.sinceMarkMs * 1000), 0) * 100,
        ) / 100,
      clientLoopDelayMax: Math.max(0, ...progress.map((r) => r.loopDelayMax)),
    };
  } finally {
    await stopAll([...clients, first?.child]);
    await second?.stop();
  }
}
