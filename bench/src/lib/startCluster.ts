import { createClient } from '@redis/client';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { type RunningServer, startServer } from './startServer.js';

/** How the service runs in a scale-out scenario. */
export type ScaleSetup = 'memory ×1' | 'redis ×1' | 'redis ×2' | 'redis ×3';

export const SCALE_SETUPS: readonly ScaleSetup[] = [
  'memory ×1',
  'redis ×1',
  'redis ×2',
  'redis ×3',
];

/** What Redis itself did, from `INFO`. */
export interface RedisStats {
  /** CPU time of redis-server since it started, µs (user + system). */
  cpuUs: number;
  /** Commands it processed since it started. */
  commands: number;
}

export interface RunningCluster {
  setup: ScaleSetup;
  servers: RunningServer[];
  /** Undefined for the in-memory setup. */
  redisStats(): Promise<RedisStats | undefined>;
  /** A raw command to the cluster's Redis (for checks like the connection count). */
  redisCommand(args: string[]): Promise<unknown>;
  stop(): Promise<void>;
}

const PREFIX = 'bench:';

function infoField(info: string, name: string): number {
  const match = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

/**
 * Starts the service as `setup` says: one process with the in-memory registry, or one to
 * three Beckon server processes sharing a fresh local `redis-server`.
 *
 * @example
 * const cluster = await startCluster('redis ×2');
 * const before = await cluster.redisStats();
 */
export async function startCluster(setup: ScaleSetup): Promise<RunningCluster> {
  const processes = Number(setup.slice(-1));
  if (setup.startsWith('memory')) {
    const server = await startServer('beckon');
    return {
      setup,
      servers: [server],
      redisStats: async () => undefined,
      redisCommand: async () => {
        throw new Error('no Redis in the in-memory setup');
      },
      stop: async () => {
        await server.stop();
      },
    };
  }
  const redis: RedisServer = await startRedisServer();
  const client = await createClient({ url: redis.url }).connect();
  const servers: RunningServer[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      servers.push(await startServer('beckon', { redis: { url: redis.url, prefix: PREFIX } }));
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    await client.close();
    await redis.dispose();
    throw error;
  }
  return {
    setup,
    servers,
    async redisStats() {
      const cpu = String(await client.sendCommand(['INFO', 'cpu']));
      const stats = String(await client.sendCommand(['INFO', 'stats']));
      return {
        cpuUs: Math.round((infoField(cpu, 'used_cpu_user') + infoField(cpu, 'used_cpu_sys')) * 1e6),
        commands: infoField(stats, 'total_commands_processed'),
      };
    },
    redisCommand: (args) => client.sendCommand(args.map((a) => a.replace('{prefix}', PREFIX))),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await client.close();
      await redis.dispose();
    },
  };
}
