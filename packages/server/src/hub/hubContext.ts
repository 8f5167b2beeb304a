import type { Clock } from '@beckon/core';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import { createMemoryBus } from '../bus/createMemoryBus.js';
import type { PresenceBus } from '../bus/PresenceBus.js';
import { checkOptions } from '../checkOptions.js';
import type { PresenceCluster } from '../cluster/PresenceCluster.js';
import { createMemoryRegistry } from '../createMemoryRegistry.js';
import { createMetrics, METRIC_NAMES, type Metrics } from '../createMetrics.js';
import type { PresenceHubOptions } from '../createPresenceHub.js';
import type { PresenceRegistry } from '../PresenceRegistry.js';
import { type GroupConfig, parseGroupsConfig, RateLimitSchema } from '../parseGroupsConfig.js';
import type { Conn } from './Conn.js';
import { createHubTimers, type HubTimers } from './hubTimers.js';
import type { RateLimit } from './rateLimiter.js';

/** The hub's tuning, defaults applied. */
export interface HubSettings {
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  ackTimeoutMs: number;
  graceMs: number;
  awayAfterMs: number;
  drainSpreadMs: number;
  closeTimeoutMs: number;
  /** Visitors' rate limit, unless their group sets its own. */
  rateLimit: RateLimit;
  /** Agents' rate limit, unless their group sets its own. */
  agentRateLimit: RateLimit;
  /** Interval of the activity summary logged at `info`; 0 for none. */
  logSummaryMs: number;
  /** How long a request waits for a visitor woken by a push. */
  pushWaitMs: number;
  maxPushSubscriptionsPerVisitor: number;
  pushSubscriptionTtlMs: number;
  /** Deadline of one post to a push service. */
  pushTimeoutMs: number;
}

/**
 * What every part of the hub shares. Deliberately without the hub's connections: a part
 * reaches a connection other than the one it is handling only through `bus`.
 */
export interface HubContext extends HubTimers {
  readonly settings: HubSettings;
  readonly groups: ReadonlyMap<string, GroupConfig>;
  readonly registry: PresenceRegistry;
  readonly bus: PresenceBus;
  /** Membership in a cluster sharing the registry and bus; undefined for a lone process. */
  readonly cluster: PresenceCluster | undefined;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now: () => number;
  readonly random: () => number;
  /** Set once the hub drains or closes: new connections are refused this way. */
  stopping: { code: number; reason: () => string } | undefined;
  /**
   * Counts and logs a failure of the service itself (or, while the cluster's shared state is
   * unreachable, a failure that is only that).
   */
  internal(error: unknown, where: string, conn?: Conn): void;
  /** The rate limit of a role in a group: the group's own, else the service's. */
  limitFor(role: 'visitor' | 'agent', groupId: string): RateLimit;
  /** Whether the shared state can be used now (always, without a cluster). */
  available(): boolean;
}

/** The hub's tuning options' shapes, for the service's and the CLI's checks. */
export const HubOptionsSchema = z.looseObject({
  heartbeatMs: z.number().int().positive().optional(),
  handshakeTimeoutMs: z.number().int().positive().optional(),
  ackTimeoutMs: z.number().int().positive().optional(),
  graceMs: z.number().int().nonnegative().optional(),
  awayAfterMs: z.number().int().positive().optional(),
  drainSpreadMs: z.number().int().nonnegative().optional(),
  closeTimeoutMs: z.number().int().positive().optional(),
  logSummaryMs: z.number().int().nonnegative().optional(),
  rateLimit: RateLimitSchema.optional(),
  agentRateLimit: RateLimitSchema.optional(),
  pushWaitMs: z.number().int().positive().max(600_000).optional(),
  maxPushSubscriptionsPerVisitor: z.number().int().min(1).max(100).optional(),
  pushSubscriptionTtlMs: z.number().int().positive().optional(),
  pushTimeoutMs: z.number().int().positive().optional(),
});

/** Visitors: the spec asks for presence about once a minute; 20 frames/s is plenty. */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 40 };
/** Agents send requests on behalf of a person, and page through large groups. */
export const DEFAULT_AGENT_RATE_LIMIT: RateLimit = { perSecond: 100, burst: 200 };

// Core has the same, but importing it would load core's visitor machine into the service.
const realClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Checks the hub's options and fills in the defaults. Throws a `ConfigError` naming
 * every bad option. `ownsBus` says the bus was made here, so closing the hub closes it.
 *
 * @example
 * const { ctx, ownsBus } = createHubContext({ groups, graceMs: 5_000 });
 */
export function createHubContext(options: PresenceHubOptions): {
  ctx: HubContext;
  ownsBus: boolean;
} {
  checkOptions(HubOptionsSchema, options);
  const groups = new Map<string, GroupConfig>(Object.entries(parseGroupsConfig(options.groups)));
  const metrics = options.metrics ?? createMetrics();
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info' });
  const cluster = options.cluster;
  const available = () => cluster === undefined || cluster.status().available;
  const internal = (error: unknown, where: string, conn?: Conn) => {
    if (!available()) {
      // One line per failed operation would flood the log during an outage; the cluster
      // reports the outage itself.
      metrics.inc(METRIC_NAMES.storeErrors);
      log.debug({ err: error, where, connectionId: conn?.id }, 'shared state unavailable');
      return;
    }
    metrics.inc(METRIC_NAMES.internalErrors);
    log.error({ err: error, where, connectionId: conn?.id }, 'internal error');
  };
  const timers = createHubTimers(options.clock ?? realClock, internal);
  const settings: HubSettings = {
    heartbeatMs: options.heartbeatMs ?? 25_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    graceMs: options.graceMs ?? 5_000,
    awayAfterMs: options.awayAfterMs ?? 600_000,
    drainSpreadMs: options.drainSpreadMs ?? 5_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 2_000,
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
    agentRateLimit: options.agentRateLimit ?? DEFAULT_AGENT_RATE_LIMIT,
    logSummaryMs: options.logSummaryMs ?? 60_000,
    pushWaitMs: options.pushWaitMs ?? 30_000,
    maxPushSubscriptionsPerVisitor: options.maxPushSubscriptionsPerVisitor ?? 5,
    pushSubscriptionTtlMs: options.pushSubscriptionTtlMs ?? 30 * 24 * 3_600_000,
    pushTimeoutMs: options.pushTimeoutMs ?? 10_000,
  };
  const ctx: HubContext = {
    settings,
    groups,
    registry: options.registry ?? createMemoryRegistry(),
    bus: options.bus ?? createMemoryBus(),
    cluster,
    metrics,
    log,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    stopping: undefined,
    internal,
    available,
    timer: timers.timer,
    cancel: timers.cancel,
    cancelAll: timers.cancelAll,
    limitFor(role, groupId) {
      const group = groups.get(groupId);
      return role === 'agent'
        ? (group?.agentRateLimit ?? settings.agentRateLimit)
        : (group?.rateLimit ?? settings.rateLimit);
    },
  };
  return { ctx, ownsBus: options.bus === undefined };
}
