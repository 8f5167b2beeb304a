import { webSocketTransport } from '@beckon/transport-ws';
import WebSocket from 'ws';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { CONFIG, type Target } from '../../server/test/e2e/targets.js';
import {
  type ServiceProcess,
  startService,
  TEST_REDIS_TIMINGS,
  writeConfig,
} from './serviceProcess.js';

/**
 * Three `beckon-server` processes sharing one Redis, for the end-to-end suite. Clients
 * land on the processes in turn, so an agent and the two instances of a visitor that a
 * test opens one after the other are each on a different process.
 */
export function clusterTarget(size = 3): Target & { processes: ServiceProcess[] } {
  let redis: RedisServer | undefined;
  const processes: ServiceProcess[] = [];
  let next = 0;

  return {
    name: `ws + ${size} beckon-server processes on one Redis`,
    processes,
    async start() {
      redis = await startRedisServer();
      const config = writeConfig({
        ...CONFIG,
        redis: { url: redis.url, prefix: 'e2e:', ...TEST_REDIS_TIMINGS },
      });
      processes.push(
        ...(await Promise.all(Array.from({ length: size }, () => startService(config)))),
      );
    },
    async stop() {
      await Promise.all(processes.map((p) => p.kill()));
      await redis?.dispose();
    },
    async restart() {
      // Every process killed at once; Redis keeps what they left behind.
      await Promise.all(processes.map((p) => p.kill()));
      await Promise.all(processes.map((p) => p.restart()));
    },
    transport({ origin } = {}) {
      const process = processes[next++ % processes.length];
      if (!process) throw new Error('the cluster is not running');
      class WithOrigin extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols, origin ? { origin } : {});
        }
      }
      return webSocketTransport({
        url: process.url,
        WebSocket: WithOrigin as unknown as typeof globalThis.WebSocket,
      });
    },
  };
}
