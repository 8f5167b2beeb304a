import type {
  ConnectResult,
  DisconnectResult,
  FocusChange,
  PresenceRegistry,
  PushSubscriptionRecord,
  Visibility,
  VisibilityResult,
  VisitorRecord,
} from '@beckon/server';
import { decodeVisitor, type StoredVisitor } from './decodeVisitor.js';
import { createKeys, type Keys } from './keys.js';
import { nodeOf } from './nodeIds.js';
import { type CommandSender, createScriptRunner, type RunScript } from './scripts.js';

/** Options of {@link createRedisRegistry}. */
export interface RedisRegistryOptions {
  /** A connected node-redis client (`createClient` of `redis` or `@redis/client`). */
  client: CommandSender;
  /** Prefix of every key. Default `beckon:`. */
  prefix?: string;
  /** Most visitors `list` reads at once, whatever the page asked for; a page is one ZRANGEBYLEX. Default 1,000. */
  pageSize?: number;
}

/** The Redis registry, plus what cleaning up after dead processes needs. */
export interface RedisRegistry extends PresenceRegistry {
  readonly keys: Keys;
  /**
   * Removes a connection of node `nodeId` if that node is still dead: `'alive'` when it
   * beat again meanwhile (the cleanup stops), undefined when the connection is gone already.
   */
  sweep(
    nodeId: string,
    key: { groupId: string; visitorId: string; connectionId: string; at: number },
  ): Promise<DisconnectResult | 'alive' | undefined>;
  /** Forgets a visitor whose last connection closed before `cutoff` (ms) if nobody did. */
  expireGone(groupId: string, visitorId: string, cutoff: number): Promise<boolean>;
}

const ID = /^[A-Za-z0-9_~-]+$/;

function checkId(what: string, value: string): void {
  if (!ID.test(value)) {
    throw new TypeError(`${what} must match [A-Za-z0-9_~-]+, got ${JSON.stringify(value)}`);
  }
}

const bit = (b: boolean) => (b ? '1' : '0');

function focusChange(epoch: number, connectionId: string, previous: string): FocusChange {
  return previous
    ? { epoch, connectionId, previousConnectionId: previous }
    : { epoch, connectionId };
}

/**
 * A {@link PresenceRegistry} in Redis 7, shared by every process of a cluster. Each
 * operation is one Lua script (`src/lua/<operation>.lua`), so it is one atomic step on the
 * server: two processes registering connections of one visitor at the same instant end with
 * one focused connection and the newest epoch. Epochs come from a per-group counter that is
 * never below Redis's clock in microseconds, so they keep growing across restarts of Redis
 * or of every process. `list` reads a page of the group's index (one ZRANGEBYLEX after the
 * cursor) and never scans the keyspace.
 *
 * Usually made by `createRedisPresence`, with the bus and cluster membership that go with it.
 *
 * @example
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const registry = createRedisRegistry({ client, prefix: 'beckon:' });
 * await registry.connect({ groupId: 'shop', visitorId: 'alice', connectionId: 'c1', visible: true, at: Date.now() });
 */
export function createRedisRegistry(options: RedisRegistryOptions): RedisRegistry {
  const keys = createKeys(options.prefix);
  const pageSize = options.pageSize ?? 1_000;
  const run: RunScript = createScriptRunner(options.client);
  const client = options.client;

  const visitorKeys = (groupId: string, visitorId: string) => {
    checkId('groupId', groupId);
    checkId('visitorId', visitorId);
    return [keys.visitor(groupId, visitorId), keys.connections(groupId, visitorId)] as const;
  };

  // What disconnect and sweep share: the script and the reading of its answer.
  const disconnect = async (
    groupId: string,
    visitorId: string,
    connectionId: string,
    at: number,
    onlyIfDead: boolean,
  ): Promise<DisconnectResult | 'alive' | undefined> => {
    const [vkey, ckey] = visitorKeys(groupId, visitorId);
    const node = nodeOf(connectionId);
    const reply = await run<[number, string, number, StoredVisitor] | 'alive' | null>(
      'disconnect',
      [
        vkey,
        ckey,
        keys.epoch(groupId),
        keys.gone,
        keys.count,
        keys.node(node ?? ''),
        keys.alive(node ?? ''),
      ],
      [
        connectionId,
        String(at),
        `${groupId}:${visitorId}`,
        bit(node !== undefined),
        bit(onlyIfDead),
      ],
    );
    if (reply === 'alive') return 'alive';
    if (!reply) return undefined;
    const [epoch, focused, changed, stored] = reply;
    const visitor = decodeVisitor(groupId, visitorId, stored);
    const result: DisconnectResult = { visitor, visibilityChanged: changed === 1 };
    if (focused) result.focus = { epoch, connectionId: focused };
    return result;
  };

  const get = async (groupId: string, visitorId: string): Promise<VisitorRecord | undefined> => {
    const reply = await run<StoredVisitor | null>('get', visitorKeys(groupId, visitorId), []);
    return reply ? decodeVisitor(groupId, visitorId, reply) : undefined;
  };

  return {
    keys,

    async connect({ groupId, visitorId, connectionId, visible, at }): Promise<ConnectResult> {
      const [vkey, ckey] = visitorKeys(groupId, visitorId);
      const node = nodeOf(connectionId);
      const member = `${groupId}:${visitorId}`;
      const [isNew, epoch, previous, changed, stored] = await run<
        [number, number, string, number, StoredVisitor]
      >(
        'connect',
        [
          vkey,
          ckey,
          keys.group(groupId),
          keys.epoch(groupId),
          keys.gone,
          keys.count,
          keys.node(node ?? ''),
        ],
        [visitorId, connectionId, bit(visible), String(at), member, bit(node !== undefined)],
      );
      return {
        visitor: decodeVisitor(groupId, visitorId, stored),
        isNew: isNew === 1,
        focus: focusChange(epoch, connectionId, previous),
        visibilityChanged: changed === 1,
      };
    },

    async touch({ groupId, visitorId, connectionId, at }) {
      const [vkey, ckey] = visitorKeys(groupId, visitorId);
      const reply = await run<[number, string] | null>(
        'touch',
        [vkey, ckey, keys.epoch(groupId)],
        [connectionId, String(at)],
      );
      return reply ? focusChange(reply[0], connectionId, reply[1]) : undefined;
    },

    async disconnect({ groupId, visitorId, connectionId, at }) {
      const result = await disconnect(groupId, visitorId, connectionId, at, false);
      return result === undefined || result === 'alive' ? { visibilityChanged: false } : result;
    },

    async setPresence({ groupId, visitorId, data, at }) {
      const [vkey] = visitorKeys(groupId, visitorId);
      return (await run<number>('setPresence', [vkey], [JSON.stringify(data), String(at)])) === 1;
    },

    async recordPresence({ groupId, visitorId, connectionId, data, at }) {
      const [vkey, ckey] = visitorKeys(groupId, visitorId);
      const [stored, epoch, previous] = await run<[number, number, string]>(
        'recordPresence',
        [vkey, ckey, keys.epoch(groupId)],
        [connectionId, String(at), JSON.stringify(data)],
      );
      if (stored !== 1) return { stored: false };
      return epoch === 0
        ? { stored: true }
        : { stored: true, focus: focusChange(epoch, connectionId, previous) };
    },

    async setVisibility({ groupId, visitorId, connectionId, visible, at }) {
      const keysOf = visitorKeys(groupId, visitorId);
      const reply = await run<[string, number, string] | null>('setVisibility', keysOf, [
        connectionId,
        bit(visible),
        String(at),
      ]);
      if (!reply) return undefined;
      const [visibility, changed, hiddenSince] = reply;
      const result: VisibilityResult = {
        visibility: visibility as Visibility,
        changed: changed === 1,
      };
      if (hiddenSince !== '') result.hiddenSince = Number(hiddenSince);
      return result;
    },

    async markAway({ groupId, visitorId, hiddenSince }) {
      const [vkey] = visitorKeys(groupId, visitorId);
      return (await run<number>('markAway', [vkey], [String(hiddenSince)])) === 1;
    },

    async setSessionKey({ groupId, visitorId, sessionKey }) {
      const [vkey] = visitorKeys(groupId, visitorId);
      const args = sessionKey === undefined ? ['0', ''] : ['1', sessionKey];
      return (await run<number>('setSessionKey', [vkey], args)) === 1;
    },

    get: ({ groupId, visitorId }) => get(groupId, visitorId),

    async list(groupId, { after, limit }) {
      checkId('groupId', groupId);
      if (after !== undefined) checkId('after', after);
      // One page is one ZRANGEBYLEX after the cursor (asking one more ID says whether more
      // follow), then each visitor's record; never a scan of the keyspace.
      const size = Math.min(pageSize, limit >= 1 ? Math.floor(limit) : 1);
      const ids = await client.sendCommand<string[]>([
        'ZRANGEBYLEX',
        keys.group(groupId),
        after === undefined ? '-' : `(${after}`,
        '+',
        'LIMIT',
        '0',
        String(size + 1),
      ]);
      const pageIds = ids.slice(0, size);
      const records = await Promise.all(pageIds.map((id) => get(groupId, id)));
      // A visitor forgotten between the two reads is simply not in the page.
      const visitors = records.filter((r): r is VisitorRecord => r !== undefined);
      const last = pageIds[pageIds.length - 1];
      return ids.length > size && last !== undefined ? { visitors, next: last } : { visitors };
    },

    async forget({ groupId, visitorId, disconnectedAt }) {
      const [vkey, ckey] = visitorKeys(groupId, visitorId);
      const reply = await run<number>(
        'forget',
        [vkey, ckey, keys.group(groupId), keys.gone],
        [
          visitorId,
          `${groupId}:${visitorId}`,
          disconnectedAt === undefined ? '' : String(disconnectedAt),
        ],
      );
      return reply === 1;
    },

    async countConnections() {
      const n = await client.sendCommand<string | null>(['GET', keys.count]);
      return Math.max(0, Number(n ?? 0));
    },

    async savePushSubscription({ groupId, visitorId, subscription, at, maxPerVisitor }) {
      visitorKeys(groupId, visitorId);
      const { endpoint, keys: k, expiresAt } = subscription;
      const evicted = await run<string[]>(
        'savePush',
        [keys.push(groupId, visitorId)],
        [endpoint, k.p256dh, k.auth, String(expiresAt), String(at), String(maxPerVisitor)],
      );
      return { evicted };
    },

    async removePushSubscription({ groupId, visitorId, endpoint }) {
      visitorKeys(groupId, visitorId);
      return (await run<number>('removePush', [keys.push(groupId, visitorId)], [endpoint])) === 1;
    },

    async pushSubscriptions({ groupId, visitorId, at }) {
      visitorKeys(groupId, visitorId);
      const flat = await run<string[]>('listPush', [keys.push(groupId, visitorId)], [String(at)]);
      const list: PushSubscriptionRecord[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const [expiresAt, savedAt, p256dh, auth] = (flat[i + 1] ?? '').split('|');
        list.push({
          endpoint: flat[i] ?? '',
          keys: { p256dh: p256dh ?? '', auth: auth ?? '' },
          savedAt: Number(savedAt),
          expiresAt: Number(expiresAt),
        });
      }
      // Saved longest ago first, as the memory registry keeps them.
      return list.sort((a, b) => a.savedAt - b.savedAt || (a.endpoint < b.endpoint ? -1 : 1));
    },

    sweep: (nodeId, { groupId, visitorId, connectionId, at }) => {
      if (nodeOf(connectionId) !== nodeId) {
        throw new TypeError(`connection ${connectionId} does not belong to node ${nodeId}`);
      }
      return disconnect(groupId, visitorId, connectionId, at, true);
    },

    async expireGone(groupId, visitorId, cutoff) {
      const [vkey, ckey] = visitorKeys(groupId, visitorId);
      const reply = await run<number>(
        'expireGone',
        [vkey, ckey, keys.group(groupId), keys.gone],
        [visitorId, `${groupId}:${visitorId}`, String(cutoff)],
      );
      return reply === 1;
    },
  };
}
