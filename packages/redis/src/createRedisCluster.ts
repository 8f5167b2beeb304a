import type { ClusterMember, ClusterStatus, PresenceCluster } from '@beckon/server';
import type { RedisBus } from './createRedisBus.js';
import type { RedisRegistry } from './createRedisRegistry.js';
import { nodeOf } from './nodeIds.js';
import { type CommandSender, createScriptRunner } from './scripts.js';

/** Options of {@link createRedisCluster}. */
export interface RedisClusterOptions {
  client: CommandSender;
  registry: RedisRegistry;
  bus: RedisBus;
  /** How often this process says it is alive, and looks for processes that are not. Default 1 000. */
  heartbeatMs?: number;
  /** How long after its last heartbeat a process counts as dead. Default 5 000. */
  nodeTimeoutMs?: number;
  /** Whether the connections to Redis are up (the cluster is unavailable while they are not). */
  connected(): ClusterStatus;
}

/** The cluster membership, plus what `createRedisPresence` needs to run it. */
export interface RedisCluster extends PresenceCluster {
  /** The connections to Redis came back: beat now, and make the shared state agree again. */
  reconnected(): void;
  /** Says goodbye: this node's heartbeat and index go at once, so nobody waits for it to time out. */
  leave(): Promise<void>;
}

/** Connections cleaned up or visitors expired per round trip. */
const BATCH = 100;

/**
 * Membership of this process in the cluster, on Redis: a heartbeat key with a TTL
 * (`<prefix>alive:<nodeId>`) and the index of nodes (`<prefix>nodes`). Every heartbeat it
 * also looks at the other nodes: a node whose key expired is dead — requests sent to its
 * connections are sent again (`nodeDown`), and one survivor, holding a lock, removes its
 * connections from the registry and reports each to its hub (`connectionLost`), checking
 * for every one that the node is still dead. It also forgets visitors whose reconnect grace
 * ran out while nobody timed it (`visitorGone`). A heartbeat that finds its own key gone
 * (Redis restarted empty, or this process stalled for longer than `nodeTimeoutMs`) and
 * every reconnection to Redis make the hub register its live connections again (`resync`).
 *
 * @example
 * const cluster = createRedisCluster({ client, registry, bus, connected: () => ({ available: true }) });
 * const server = await createPresenceServer({ groups, registry, bus, cluster });
 */
export function createRedisCluster(options: RedisClusterOptions): RedisCluster {
  const { client, registry, bus } = options;
  const keys = registry.keys;
  const self = bus.nodeId;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 5_000;
  if (nodeTimeoutMs < 2 * heartbeatMs) {
    throw new RangeError(
      `nodeTimeoutMs (${nodeTimeoutMs}) must be at least twice heartbeatMs (${heartbeatMs})`,
    );
  }
  const run = createScriptRunner(client);
  let member: ClusterMember | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // When the last heartbeat got through; the cluster is unavailable once that is too long ago.
  let beatAt = 0;
  let beaten = false;
  let ticking: Promise<void> | undefined;
  let resyncing: Promise<void> | undefined;
  const dead = new Set<string>();

  const resync = () => {
    const m = member;
    if (!m || resyncing) return;
    resyncing = m
      .resync()
      .catch((error: unknown) => m.log.warn({ err: error }, 'resync failed; trying again soon'))
      .finally(() => {
        resyncing = undefined;
      });
  };

  const beat = async () => {
    const wasAlive = await run<number>(
      'beat',
      [keys.alive(self), keys.nodes],
      [self, String(nodeTimeoutMs)],
    );
    beatAt = Date.now();
    if (wasAlive === 0 && beaten) {
      member?.log.warn({ nodeId: self }, 'the shared state had lost this process');
      resync();
    }
    beaten = true;
  };

  // Runs beside the heartbeat, never in its way: a long cleanup must not let this
  // process's own key expire.
  const sweeping = new Set<string>();
  const sweepInBackground = (m: ClusterMember, node: string) => {
    if (sweeping.has(node)) return;
    sweeping.add(node);
    sweep(m, node)
      .catch((error: unknown) => m.log.warn({ err: error, nodeId: node }, 'cleanup failed'))
      .finally(() => sweeping.delete(node));
  };

  const sweep = async (m: ClusterMember, node: string) => {
    const claimed = await client.sendCommand<string | null>([
      'SET',
      keys.sweeper(node),
      self,
      'NX',
      'PX',
      String(nodeTimeoutMs * 6),
    ]);
    // Another survivor cleans up, unless the lock is ours from an earlier, interrupted try.
    if (claimed === null && (await client.sendCommand(['GET', keys.sweeper(node)])) !== self) {
      return;
    }
    m.log.info({ nodeId: node }, 'cleaning up after a dead process');
    let cursor = '0';
    do {
      const [next, flat] = await client.sendCommand<[string, string[]]>([
        'HSCAN',
        keys.node(node),
        cursor,
        'COUNT',
        String(BATCH),
      ]);
      cursor = next;
      const batch: Promise<'alive' | undefined>[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const connectionId = flat[i]!;
        const [groupId = '', visitorId = ''] = flat[i + 1]!.split(':');
        const key = { groupId, visitorId, connectionId };
        batch.push(
          registry.sweep(node, { ...key, at: Date.now() }).then((result) => {
            if (result === 'alive') return 'alive';
            if (result) m.connectionLost(key, result);
            return undefined;
          }),
        );
      }
      // A batch at a time: pipelined, and the node coming back is noticed between batches.
      if ((await Promise.all(batch)).includes('alive')) return;
    } while (cursor !== '0');
    await run(
      'forgetNode',
      [keys.alive(node), keys.node(node), keys.nodes, keys.sweeper(node)],
      [node],
    );
  };

  const watchOthers = async (m: ClusterMember) => {
    const nodes = await client.sendCommand<string[]>(['ZRANGE', keys.nodes, '0', '-1']);
    const others = nodes.filter((n) => n !== self);
    const alive = await Promise.all(
      others.map((n) => client.sendCommand<number>(['EXISTS', keys.alive(n)])),
    );
    for (let i = 0; i < others.length; i++) {
      const node = others[i]!;
      if (alive[i] === 1) {
        dead.delete(node);
        continue;
      }
      if (!dead.has(node)) {
        dead.add(node);
        m.log.warn({ nodeId: node }, 'a process stopped beating');
        bus.nodeDown(node);
        m.nodeDown((connectionId) => nodeOf(connectionId) === node);
      }
      sweepInBackground(m, node);
    }
  };

  // Visitors whose grace window ended a while ago (longer than any live process would take
  // to expire them itself) and who are still around: their process is gone.
  const expireOrphans = async (m: ClusterMember) => {
    const cutoff = Date.now() - m.graceMs - nodeTimeoutMs;
    const due = await client.sendCommand<string[]>([
      'ZRANGEBYSCORE',
      keys.gone,
      '-inf',
      String(cutoff),
      'LIMIT',
      '0',
      String(BATCH),
    ]);
    for (const entry of due) {
      const [groupId = '', visitorId = ''] = entry.split(':');
      if (await registry.expireGone(groupId, visitorId, cutoff)) {
        m.visitorGone({ groupId, visitorId });
      }
    }
  };

  const tick = async () => {
    const m = member;
    if (!m) return;
    try {
      await beat();
      await watchOthers(m);
      await expireOrphans(m);
    } catch (error) {
      m.log.debug({ err: error }, 'heartbeat failed');
    }
  };

  const loop = () => {
    ticking = tick().finally(() => {
      ticking = undefined;
      if (member) timer = setTimeout(loop, heartbeatMs);
    });
  };

  return {
    status() {
      const connected = options.connected();
      if (!connected.available) return connected;
      if (!beaten) return { available: false, reason: 'redis: not joined the cluster yet' };
      if (Date.now() - beatAt > nodeTimeoutMs) {
        return { available: false, reason: 'redis: heartbeats are not getting through' };
      }
      return { available: true };
    },

    join(m) {
      if (member) throw new Error('a hub has joined this cluster already');
      member = m;
      loop();
      return () => {
        if (member !== m) return;
        member = undefined;
        clearTimeout(timer);
      };
    },

    reconnected() {
      if (!member) return;
      // A heartbeat first: until one gets through, the process still counts as unavailable.
      beat().then(resync, (error: unknown) =>
        member?.log.debug({ err: error }, 'heartbeat after reconnecting failed'),
      );
    },

    async leave() {
      member = undefined;
      clearTimeout(timer);
      await ticking;
      await resyncing;
      await client.sendCommand(['DEL', keys.alive(self)]);
      await run(
        'forgetNode',
        [keys.alive(self), keys.node(self), keys.nodes, keys.sweeper(self)],
        [self],
      );
    },
  };
}
