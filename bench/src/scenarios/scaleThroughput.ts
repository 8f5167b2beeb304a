import { sleep } from '../lib/serveRpc.js';
import type { Child } from '../lib/spawnChild.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import {
  type RedisStats,
  type RunningCluster,
  type ScaleSetup,
  startCluster,
} from '../lib/startCluster.js';
import type { ThroughputParams } from './presenceThroughput.js';

export interface ScaleThroughputRun {
  setup: ScaleSetup;
  run: number;
  visitors: number;
  relayed: number;
  perSec: number;
  /** CPU of every service process together, per relayed message, µs. */
  serverCpuUsPerMsg: number;
  /** redis-server's CPU per relayed message, µs (0 in memory). */
  redisCpuUsPerMsg: number;
  /** Redis commands per relayed message (scripts, PUBLISH, …). */
  redisCommandsPerMsg: number;
  /** Service CPU time / wall time, all processes together (1 = one core). */
  serverCpuShare: number;
  redisCpuShare: number;
  clientCpuShare: number;
  unrelayed: number;
}

interface Mark {
  relayed: number;
  at: number;
  cpuUs: number;
}

/**
 * Connects `visitors` spread evenly over the cluster's processes, and one agent on the first.
 *
 * @example
 * await connectSpread(client, cluster, 1_000, { watch: true });
 */
export async function connectSpread(
  client: Child,
  cluster: RunningCluster,
  visitors: number,
  agent: { watch: boolean },
): Promise<number> {
  const per = Math.ceil(visitors / cluster.servers.length);
  let connected = 0;
  for (const [i, server] of cluster.servers.entries()) {
    const r = await client.request<{ connected: number }>(
      'connect',
      {
        url: server.url,
        dialect: 'beckon',
        prefix: 'v',
        from: i * per,
        count: Math.max(0, Math.min(per, visitors - i * per)),
        concurrency: 100,
        timeoutMs: 30_000,
      },
      300_000,
    );
    connected += r.connected;
  }
  const first = cluster.servers[0]!;
  await client.request(
    'agent',
    {
      url: first.url,
      dialect: 'beckon',
      ...(first.agentToken !== undefined && { agentToken: first.agentToken }),
      watch: agent.watch,
      timeoutMs: 30_000,
    },
    60_000,
  );
  return connected;
}

const cpuOf = async (cluster: RunningCluster) =>
  (await Promise.all(cluster.servers.map((s) => s.stats()))).reduce((sum, s) => sum + s.cpuUs, 0);

const per = (n: number, d: number, digits = 2) =>
  d ? Math.round((n / d) * 10 ** digits) / 10 ** digits : 0;

/**
 * Scale-out 1: presence throughput as in scenario 3 (visitors send presence as fast as it
 * is taken, relayed to one agent watching the group), with the visitors spread over one,
 * two or three processes and the agent on the first, so most events cross Redis. Reports
 * the aggregate rate and what each message costs the service processes and Redis.
 *
 * @example
 * const run = await scaleThroughput('redis ×2', params.throughput, 1);
 */
export async function scaleThroughput(
  setup: ScaleSetup,
  p: ThroughputParams,
  run: number,
): Promise<ScaleThroughputRun> {
  let cluster: RunningCluster | undefined;
  const [client] = spawnLoad('loadClient', 1);
  if (!client) throw new Error('no load process');
  try {
    cluster = await startCluster(setup);
    const visitors = await connectSpread(client, cluster, p.visitors, { watch: true });
    await sleep(p.pauseMs);
    await client.request('throughputStart', { window: p.window });
    await sleep(p.warmupMs);
    const [m0, c0, r0] = await Promise.all([
      client.request<Mark>('throughputMark'),
      cpuOf(cluster),
      cluster.redisStats(),
    ]);
    await sleep(p.measureMs);
    const [m1, c1, r1] = await Promise.all([
      client.request<Mark>('throughputMark'),
      cpuOf(cluster),
      cluster.redisStats(),
    ]);
    const stopped = await client.request<{ unrelayed: number }>(
      'throughputStop',
      { settleMs: 10_000 },
      30_000,
    );
    const relayed = m1.relayed - m0.relayed;
    const wallUs = (m1.at - m0.at) * 1000;
    const redis = (f: (s: RedisStats) => number) => (r0 && r1 ? f(r1) - f(r0) : 0);
    return {
      setup,
      run,
      visitors,
      relayed,
      perSec: Math.round(relayed / (wallUs / 1e6)),
      serverCpuUsPerMsg: per(c1 - c0, relayed),
      redisCpuUsPerMsg: per(
        redis((s) => s.cpuUs),
        relayed,
      ),
      redisCommandsPerMsg: per(
        redis((s) => s.commands),
        relayed,
      ),
      serverCpuShare: per(c1 - c0, wallUs),
      redisCpuShare: per(
        redis((s) => s.cpuUs),
        wallUs,
      ),
      clientCpuShare: per(m1.cpuUs - m0.cpuUs, wallUs),
      unrelayed: stopped.unrelayed,
    };
  } finally {
    await stopAll([client]);
    await cluster?.stop();
  }
}
