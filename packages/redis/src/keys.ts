/**
 * Names of everything Beckon keeps in Redis, under one prefix. Group and visitor IDs follow
 * the protocol's ID rule (`[A-Za-z0-9_~-]`), so `:` never occurs inside one and a name can
 * never reach another group's keys.
 */
export interface Keys {
  readonly prefix: string;
  /** Hash: one visitor's state (focus, epoch, presence, visibility, session, …). */
  visitor(groupId: string, visitorId: string): string;
  /** Hash: one visitor's open connections, connection ID → `visible|connectedAt|lastActiveAt|seq|order`. */
  connections(groupId: string, visitorId: string): string;
  /** Hash: one visitor's push subscriptions, endpoint → `expiresAt|savedAt|p256dh|auth`; outlives the visitor. */
  push(groupId: string, visitorId: string): string;
  /** Sorted set (all scores 0): the group's visitor IDs, paged in ID order with ZRANGEBYLEX. */
  group(groupId: string): string;
  /** String: the group's epoch counter. Outlives its visitors, never expires. */
  epoch(groupId: string): string;
  /** Sorted set: `group:visitor` → when its last connection closed, for visitors within the grace window. */
  readonly gone: string;
  /** String: open visitor connections of every group. */
  readonly count: string;
  /** Sorted set: node ID → when it last beat, every node that may own connections. */
  readonly nodes: string;
  /** String with a TTL: present while the node is alive. */
  alive(nodeId: string): string;
  /** Hash: the node's connections, connection ID → `group:visitor`, for cleaning up after it. */
  node(nodeId: string): string;
  /** String with a TTL: the node that is cleaning up after `nodeId`. */
  sweeper(nodeId: string): string;
  /** Channel: messages for the connections of one node. */
  nodeChannel(nodeId: string): string;
  /** Channel of a bus topic (`group:<id>` for agent events). */
  topic(topic: string): string;
}

/** Keys and channels a prefix may carry: printable, no spaces, at most 64 characters. */
const PREFIX = /^[\x21-\x7e]{0,64}$/;

/**
 * The names under `prefix` (default `beckon:`). Use one prefix per Beckon deployment that
 * shares a Redis database with others.
 *
 * @example
 * const keys = createKeys('beckon:');
 * keys.visitor('shop', 'alice'); // 'beckon:v:shop:alice'
 */
export function createKeys(prefix = 'beckon:'): Keys {
  if (!PREFIX.test(prefix)) {
    throw new TypeError(
      `the Redis key prefix must be at most 64 printable ASCII characters without spaces, got ${JSON.stringify(prefix)}`,
    );
  }
  return {
    prefix,
    visitor: (g, v) => `${prefix}v:${g}:${v}`,
    connections: (g, v) => `${prefix}c:${g}:${v}`,
    push: (g, v) => `${prefix}p:${g}:${v}`,
    group: (g) => `${prefix}g:${g}`,
    epoch: (g) => `${prefix}e:${g}`,
    gone: `${prefix}gone`,
    count: `${prefix}count`,
    nodes: `${prefix}nodes`,
    alive: (n) => `${prefix}alive:${n}`,
    node: (n) => `${prefix}n:${n}`,
    sweeper: (n) => `${prefix}sweep:${n}`,
    nodeChannel: (n) => `${prefix}node:${n}`,
    topic: (t) => `${prefix}topic:${t}`,
  };
}
