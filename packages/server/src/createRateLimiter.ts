/** Token-bucket settings: a steady rate and how many frames may come at once. */
export interface RateLimit {
  /** Frames per second refilled. */
  perSecond: number;
  /** Bucket size: the burst a client may send after a quiet spell. */
  burst: number;
}

/** One connection's bucket. */
export interface RateLimiter {
  /** Takes one token. Returns 0 when allowed, else the milliseconds until a token is back. */
  take(now: number): number;
  /** Milliseconds until the bucket is full again. */
  fullIn(now: number): number;
}

/**
 * A token bucket. Each frame costs one token; tokens come back at `perSecond`.
 *
 * @example
 * const limiter = createRateLimiter({ perSecond: 20, burst: 40 }, Date.now());
 * const wait = limiter.take(Date.now());
 * if (wait > 0) reply({ type: 'error', code: 'rateLimited', retryAfter: wait });
 */
export function createRateLimiter(limit: RateLimit, start: number): RateLimiter {
  let tokens = limit.burst;
  let last = start;
  const refill = (now: number) => {
    if (now > last) {
      tokens = Math.min(limit.burst, tokens + ((now - last) * limit.perSecond) / 1000);
      last = now;
    }
  };
  return {
    take(now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil(((1 - tokens) * 1000) / limit.perSecond));
    },
    fullIn(now) {
      refill(now);
      return Math.ceil(((limit.burst - tokens) * 1000) / limit.perSecond);
    },
  };
}
