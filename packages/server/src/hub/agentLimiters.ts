import { createRateLimiter, type RateLimit, type RateLimiter } from './rateLimiter.js';

/** Buckets kept at most; idle full ones are dropped first. */
const MAX_BUCKETS = 10_000;

/** Token buckets of agents without a socket, by group and agent. */
export interface AgentLimiters {
  /** The agent's bucket, made with its group's agent limit on first use. */
  get(groupId: string, agentId: string): RateLimiter;
}

/**
 * The HTTP agent API's rate limits: one token bucket per agent (group and token subject),
 * with the group's agent limit — what one WebSocket agent connection gets, so an agent is
 * paced alike on both APIs. Each request costs a token; large replies cost more (the same
 * charge as over WebSocket). Buckets live in this process; a cluster paces per process, as
 * it does WebSocket agents per connection.
 *
 * @example
 * const limiters = createAgentLimiters((groupId) => ctx.limitFor('agent', groupId));
 * const wait = limiters.get('shop', 'crm').take(Date.now());
 */
export function createAgentLimiters(
  limitFor: (groupId: string) => RateLimit,
  now: () => number,
): AgentLimiters {
  const buckets = new Map<string, RateLimiter>();
  return {
    get(groupId: string, agentId: string): RateLimiter {
      const key = `${groupId}/${agentId}`;
      let limiter = buckets.get(key);
      if (limiter) {
        // Most recently used last, so the oldest is the first to go.
        buckets.delete(key);
        buckets.set(key, limiter);
        return limiter;
      }
      if (buckets.size >= MAX_BUCKETS) {
        const t = now();
        for (const [k, l] of buckets) {
          if (buckets.size < MAX_BUCKETS) break;
          // A full bucket holds nothing an agent could lose by starting afresh.
          if (l.fullIn(t) <= 0) buckets.delete(k);
        }
        // All busy: the least recently used goes anyway.
        if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value as string);
      }
      limiter = createRateLimiter(limitFor(groupId), now());
      buckets.set(key, limiter);
      return limiter;
    },
  };
}
