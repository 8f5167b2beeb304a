import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningCluster, type ScaleSetup, startCluster } from '../lib/startCluster.js';
import type { Summary } from '../lib/summarize.js';
import { connectSpread } from './scaleThroughput.js';
import type { LatencyParams } from './signalLatency.js';

export interface ScaleLatencyRun {
  setup: ScaleSetup;
  run: number;
  visitors: number;
  sent: number;
  delivered: number;
  failed: number;
  duplicates: number;
  lost: number;
  /** Failed answers by code. */
  failures: Record<string, number>;
  /** Agent send → visitor receipt, ms. */
  delivery: Summary;
  /** Agent send → agent gets `delivered`, ms. */
  rtt: Summary;
  /** Service CPU, all processes, per signal (request, ack and answer), µs. */
  serverCpuUsPerSignal: number;
  redisCpuUsPerSignal: number;
  redisCommandsPerSignal: number;
}

/**
 * Scale-out 2: signal latency as in scenario 2, with the visitors spread over the cluster's
 * processes and the agent on the first: with two or three processes, half or two thirds of
 * the signals (and their acknowledgements) cross Redis.
 *
 * @example
 * const run = await scaleLatency('redis ×3', params.latency, 1);
 */
export async function scaleLatency(
  setup: ScaleSetup,
  p: LatencyParams,
  run: number,
): Promise<ScaleLatencyRun> {
  let cluster: RunningCluster | undefined;
  const [client] = spawnLoad('loadClient', 1);
  if (!client) throw new Error('no load process');
  try {
    cluster = await startCluster(setup);
    const visitors = await connectSpread(client, cluster, p.visitors, { watch: false });
    await sleep(p.pauseMs);
    const cpu = async (c: RunningCluster) =>
      (await Promise.all(c.servers.map((s) => s.stats()))).reduce((sum, s) => sum + s.cpuUs, 0);
    const [c0, r0] = await Promise.all([cpu(cluster), cluster.redisStats()]);
    const result = await client.request<Omit<ScaleLatencyRun, 'setup' | 'run' | 'visitors'>>(
      'latency',
      { rate: p.rate, durationMs: p.durationMs, settleMs: 15_000 },
      p.durationMs * 2 + 60_000,
    );
    const [c1, r1] = await Promise.all([cpu(cluster), cluster.redisStats()]);
    const per = (n: number) => (result.sent ? Math.round((n / result.sent) * 100) / 100 : 0);
    return {
      setup,
      run,
      visitors,
      sent: result.sent,
      delivered: result.delivered,
      failed: result.failed,
      duplicates: result.duplicates,
      lost: result.lost,
      failures: result.failures,
      delivery: result.delivery,
      rtt: result.rtt,
      serverCpuUsPerSignal: per(c1 - c0),
      redisCpuUsPerSignal: r0 && r1 ? per(r1.cpuUs - r0.cpuUs) : 0,
      redisCommandsPerSignal: r0 && r1 ? per(r1.commands - r0.commands) : 0,
    };
  } finally {
    await stopAll([client]);
    await cluster?.stop();
  }
}
