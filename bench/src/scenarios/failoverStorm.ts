import { peakGain } from '../lib/peakGain.js';
import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningCluster, startCluster } from '../lib/startCluster.js';

export interface FailoverParams {
  visitors: number;
  /** Load processes of real visitors. */
  processes: number;
  /** Initial ramp, visitors per second per load process (not measured). */
  rampPerSec: number;
  deadlineMs: number;
  pauseMs: number;
}

export interface FailoverRun {
  visitors: number;
  connectedBefore: number;
  /** Visitors the killed process held. */
  onKilled: number;
  /** Of those, how many came back (a `connected` event after the kill). */
  back: number;
  /** Kill → the two survivors hold every visitor again, ms (their clocks, every 200 ms). */
  allBackMs: number | undefined;
  /** Kill → the dead process is gone from Redis (noticed, its connections removed), ms. */
  sweptMs: number | undefined;
  /** Most connections the survivors gained in any one second. */
  peakPerSec: number;
  /** Connection attempts after the kill (a dead process refuses fast). */
  attempts: number;
  connectFail: Record<string, number>;
  /** Worst event-loop delay of a survivor meanwhile, ms. */
  serverLoopDelayMax: number;
}

interface Progress {
  back: number;
  attempts: number;
  failures: Record<string, number>;
}

/**
 * Scale-out 3: the reconnect storm when one of three processes on one Redis is killed
 * (SIGKILL). Real visitors (core + transport-ws), each connection attempt going to the next
 * process in turn as a load balancer would; the killed process's visitors come back on the
 * other two, and its connections leave Redis once its heartbeat runs out.
 *
 * @example
 * const run = await failoverStorm({ visitors: 6_000, processes: 2, rampPerSec: 1_500, deadlineMs: 60_000, pauseMs: 1_000 });
 */
export async function failoverStorm(p: FailoverParams): Promise<FailoverRun> {
  let cluster: RunningCluster | undefined;
  const clients = spawnLoad('stormClient', p.processes);
  try {
    cluster = await startCluster('redis ×3');
    const servers = cluster.servers;
    const urls = servers.map((s) => s.url);
    const per = Math.ceil(p.visitors / p.processes);
    const started = await Promise.all(
      clients.map((c, i) =>
        c.request<{ connected: number }>(
          'start',
          {
            url: urls[0],
            urls,
            prefix: `f${i}-`,
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
    const [first, second, doomed] = servers as [
      (typeof servers)[0],
      (typeof servers)[0],
      (typeof servers)[0],
    ];
    const onKilled = (await doomed.stats()).connections;
    await Promise.all(clients.map((c) => c.request('mark')));
    const t0 = Date.now();
    await doomed.child.stop('SIGKILL', 5_000);
    const deadline = t0 + p.deadlineMs;
    const samples: { at: number; connections: number }[] = [];
    let serverLoopDelayMax = 0;
    let allBackMs: number | undefined;
    let sweptMs: number | undefined;
    while (Date.now() < deadline && (allBackMs === undefined || sweptMs === undefined)) {
      const [a, b] = await Promise.all([first.stats(), second.stats()]);
      const at = Math.max(a.at, b.at);
      samples.push({ at, connections: a.connections + b.connections });
      serverLoopDelayMax = Math.max(serverLoopDelayMax, a.loopDelayMax, b.loopDelayMax);
      if (allBackMs === undefined && a.connections + b.connections >= connectedBefore) {
        allBackMs = at - t0;
      }
      const nodes = Number(await cluster.redisCommand(['ZCARD', '{prefix}nodes']));
      if (sweptMs === undefined && nodes === 2) sweptMs = Date.now() - t0;
      await sleep(200);
    }
    const progress = await Promise.all(
      clients.map((c) => c.request<Progress>('progress', {}, 30_000)),
    );
    const connectFail: Record<string, number> = {};
    for (const r of progress) {
      for (const [k, v] of Object.entries(r.failures)) connectFail[k] = (connectFail[k] ?? 0) + v;
    }
    return {
      visitors: p.visitors,
      connectedBefore,
      onKilled,
      back: progress.reduce((s, r) => s + r.back, 0),
      allBackMs,
      sweptMs,
      peakPerSec: peakGain(samples),
      attempts: progress.reduce((s, r) => s + r.attempts, 0),
      connectFail,
      serverLoopDelayMax,
    };
  } finally {
    await stopAll(clients);
    await cluster?.stop();
  }
}
