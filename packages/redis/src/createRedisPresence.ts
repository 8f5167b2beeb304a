import type { ClusterStatus, PresenceBackend } from '@beckon/server';
import { createClient, type RedisClientOptions } from '@redis/client';
import { createRedisBus, type RedisBus } from './createRedisBus.js';
import { createRedisCluster, type RedisCluster } from './createRedisCluster.js';
import { createRedisRegistry, type RedisRegistry } from './createRedisRegistry.js';
import { createNodeId } from './nodeIds.js';

/** Where log lines go: a pino logger fits. */
export interface RedisPresenceLogger {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
}

/** Options of {@link createRedisPresence}. */
export interface RedisPresenceOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** More node-redis client options (TLS, credentials, …); `url` wins over `client.url`. */
  client?: RedisClientOptions;
  /** Prefix of every key and channel, so deployments can share a Redis. Default `beckon:`. */
  prefix?: string;
  /** How often this process says it is alive. Default 1 000 ms. */
  heartbeatMs?: number;
  /** How long after its last heartbeat a process counts as dead and is cleaned up after. Default 5 000 ms. */
  nodeTimeoutMs?: number;
  logger?: RedisPresenceLogger;
}

/** A registry, bus and cluster membership on one Redis, for `createPresenceServer`. */
export interface RedisPresence extends PresenceBackend {
  /** This process in the cluster; its connection IDs start with it. */
  readonly nodeId: string;
  readonly registry: RedisRegistry;
  readonly bus: RedisBus;
  readonly cluster: RedisCluster;
  /** Resolves once Redis has been reached and this node's channel listens. */
  ready(): Promise<void>;
}

/** Reconnect delays: fast at first, then every 2 s, with jitter so processes spread out. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 2_000) + Math.floor(Math.random() * 100);
}

const QUIET: RedisPresenceLogger = { info() {}, warn() {} };

/**
 * Everything a presence service process needs to share its visitors with other processes
 * through one Redis 7: a registry, a bus and the cluster membership that notices dead
 * processes and a Redis that lost its data. Two connections to Redis: one for commands
 * and publishing, one for subscriptions. Both reconnect by themselves; while either is
 * down the cluster reports itself unavailable (`/healthz` answers 503 and new connections
 * are refused with 4503), and once both are back the hub registers its live connections
 * again. Commands fail at once while Redis is unreachable instead of queueing up.
 *
 * @example
 * const redis = createRedisPresence({ url: 'redis://127.0.0.1:6379', prefix: 'beckon:' });
 * await redis.ready();
 * const server = await createPresenceServer({ groups, ...redis });
 * process.on('SIGTERM', async () => {
 *   await server.drain();
 *   await redis.close();
 * });
 */
export function createRedisPresence(options: RedisPresenceOptions = {}): RedisPresence {
  const log = options.logger ?? QUIET;
  const url = options.url ?? options.client?.url ?? 'redis://127.0.0.1:6379';
  const nodeId = createNodeId();
  const errors = new Map<string, string>();
  const connection = (role: 'commands' | 'subscriptions') => {
    const client = createClient({
      ...options.client,
      url,
      name: `beckon-${nodeId}-${role === 'commands' ? 'c' : 's'}`,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        ...options.client?.socket,
        reconnectStrategy: reconnectDelay,
      },
    });
    let reported = false;
    client.on('error', (error: Error) => {
      errors.set(role, error.message || error.name);
      if (!reported) log.warn({ err: error, role }, 'redis connection failed; reconnecting');
      reported = true;
    });
    client.on('ready', () => {
      errors.delete(role);
      if (reported) log.info({ role }, 'redis connection is back');
      reported = false;
      // node-redis subscribes again by itself; this covers subscriptions that failed while
      // the connection was down (or before it first came up).
      if (role === 'subscriptions') bus.resubscribe();
      if (role === 'commands' ? subscriber.isReady : commands.isReady) cluster.reconnected();
    });
    return client;
  };
  const commands = connection('commands');
  const subscriber = connection('subscriptions');

  const registry = createRedisRegistry({
    client: commands,
    ...(options.prefix !== undefined && { prefix: options.prefix }),
  });
  const bus = createRedisBus({
    client: commands,
    subscriber,
    nodeId,
    ...(options.prefix !== undefined && { prefix: options.prefix }),
    // While Redis is unreachable every publish fails; that is reported once, as the outage.
    onError: (error) => {
      if (connected().available) log.warn({ err: error }, 'bus delivery failed');
    },
  });
  const connected = (): ClusterStatus => {
    if (commands.isReady && subscriber.isReady) return { available: true };
    const why = [...errors.values()][0] ?? 'connecting';
    return { available: false, reason: `redis unreachable: ${why}` };
  };
  const cluster = createRedisCluster({
    client: commands,
    registry,
    bus,
    connected,
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
    ...(options.nodeTimeoutMs !== undefined && { nodeTimeoutMs: options.nodeTimeoutMs }),
  });

  // Connecting in the background: a service may start before its Redis, and it retries.
  const connecting = Promise.all([commands.connect(), subscriber.connect()]);
  connecting.catch(() => {});
  let closing: Promise<void> | undefined;

  return {
    nodeId,
    registry,
    bus,
    cluster,
    async ready() {
      await connecting;
      await bus.ready();
    },
    close() {
      closing ??= (async () => {
        try {
          if (commands.isReady) await cluster.leave();
        } catch (error) {
          log.warn({ err: error }, 'could not leave the cluster cleanly');
        }
        await bus.close();
        for (const client of [commands, subscriber]) {
          try {
            // Closing waits for replies; a client that is reconnecting would wait forever.
            if (client.isReady) await client.close();
            else if (client.isOpen) client.destroy();
          } catch {
            // Gone already.
          }
        }
      })();
      return closing;
    },
  };
}
