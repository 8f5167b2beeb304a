import type { Logger } from 'pino';
import type { PresenceBus } from '../bus/PresenceBus.js';
import type {
  ConnectionKey,
  DisconnectResult,
  PresenceRegistry,
  VisitorKey,
} from '../PresenceRegistry.js';

/** Whether the shared state (registry and bus) can be used right now, and if not, why. */
export type ClusterStatus = { available: true } | { available: false; reason: string };

/**
 * What a hub offers the cluster it joins: the ways the cluster tells it about other
 * processes, and about the shared state forgetting this one.
 */
export interface ClusterMember {
  /** The hub's reconnect grace, which the cluster needs to clean up after dead processes. */
  readonly graceMs: number;
  readonly log: Logger;
  /**
   * A connection of a process that died has been removed from the registry (`result` is
   * what `disconnect` returned): the hub tells agents and the visitor's other connections,
   * as if it had closed here.
   */
  connectionLost(key: ConnectionKey, result: DisconnectResult): void;
  /**
   * A process died. Requests sent to its connections will never be answered: the hub sends
   * them again to wherever their visitors are now. `owns` says which connections were its.
   */
  nodeDown(owns: (connectionId: string) => boolean): void;
  /** A visitor whose reconnect grace nobody was timing any more (its process died) has been forgotten. */
  visitorGone(key: VisitorKey): void;
  /**
   * The shared state may have lost what this process registered (the store restarted empty,
   * or the others took this process for dead): register its live connections again.
   */
  resync(): Promise<void>;
}

/**
 * Membership of a process in a cluster of presence services sharing one registry and bus:
 * it knows whether the shared state is reachable, notices processes that die, and notices
 * when the shared state has forgotten this one. `@beckon/redis` provides one.
 */
export interface PresenceCluster {
  /** Available or not, right now. A hub refuses new connections while it is not. */
  status(): ClusterStatus;
  /** Starts telling `member` about the cluster, until the returned function is called. One member at a time. */
  join(member: ClusterMember): () => void;
}

/**
 * A shared registry, bus and cluster membership made together, ready to hand to
 * `createPresenceServer` (e.g. `createRedisPresence` of `@beckon/redis`).
 */
export interface PresenceBackend {
  readonly registry: PresenceRegistry;
  readonly bus: PresenceBus;
  readonly cluster: PresenceCluster;
  /** Leaves the cluster and releases the connections to the shared store. */
  close(): Promise<void>;
}
