/**
 * The Beckon presence service under test, as a process: `createPresenceServer` from source
 * with one group, the way `beckon-server` runs it (SIGTERM drains), plus the bench's stats.
 * With `redis`, it is one process of a cluster sharing that Redis (`@beckon/redis`).
 */
import { createRedisPresence } from '@beckon/redis';
import { createPresenceServer, METRIC_NAMES, mintAgentToken } from '@beckon/server';
import { BENCH_GROUP } from '../lib/benchGroup.js';
import { benchConfig, hostServer } from './hostServer.js';

export interface BeckonServerConfig {
  port?: number;
  logLevel?: string;
  drainSpreadMs?: number;
  redis?: { url: string; prefix: string };
}

const secret = 'bench-agent-secret-bench-agent-secret-0123456789';

const config = benchConfig<BeckonServerConfig>();
const redis = config.redis && createRedisPresence(config.redis);
await redis?.ready();
const server = await createPresenceServer({
  ...(redis && { registry: redis.registry, bus: redis.bus, cluster: redis.cluster }),
  host: '127.0.0.1',
  port: config.port ?? 0,
  groups: { [BENCH_GROUP]: { presence: true, termsUrl: '/terms', agentSecrets: [secret] } },
  logLevel: config.logLevel ?? 'warn',
  // The defaults (20 frames/s per visitor, 100 per agent) are right for people, but one
  // agent sends 2,000 signals/s here and visitors send presence as fast as they can: lift
  // them so the benchmark measures the engine, not the limiter.
  rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
  agentRateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
  // Every client of the benchmark connects from 127.0.0.1.
  maxConnectionsPerAddress: 0,
  ...(config.drainSpreadMs !== undefined && { drainSpreadMs: config.drainSpreadMs }),
});
const agentToken = await mintAgentToken({
  groupId: BENCH_GROUP,
  agentId: 'bench-agent',
  secret,
  expiresIn: '2h',
});

// A cluster member takes connections once its first heartbeat got through.
while (redis && !redis.cluster.status().available) await new Promise((r) => setTimeout(r, 20));

hostServer({
  port: server.port,
  ready: { agentToken },
  connections: () => {
    const c = server.hub.connectionCounts();
    return c.visitor + c.agent + c.handshake;
  },
  counters: () => {
    const out: Record<string, number> = {
      internalErrors: server.metrics.get(METRIC_NAMES.internalErrors),
    };
    out.sessionBytesIn = server.metrics.get(METRIC_NAMES.sessionBytesIn);
    out.sessionBytesOut = server.metrics.get(METRIC_NAMES.sessionBytesOut);
    out.sessionResyncs =
      server.metrics.get(METRIC_NAMES.sessionResyncs, { reason: 'behind' }) +
      server.metrics.get(METRIC_NAMES.sessionResyncs, { reason: 'asked' });
    out.sessionDropped = server.metrics.get(METRIC_NAMES.sessionDropped, { kind: 'transient' });
    for (const reason of [
      'handshakeTimeout',
      'heartbeatTimeout',
      'rateLimited',
      'tooManyPending',
      'slowConsumer',
      'protocolError',
    ]) {
      out[reason] = server.metrics.get(METRIC_NAMES.rejections, { reason });
    }
    return out;
  },
  drain: async () => {
    await server.drain();
    await redis?.close();
  },
});
