/** Token-bucket settings: a steady rate and how many frames may come at once. */
export interface RateLimit {
  /** Frames per second refilled. */
  perSecond: number;
  /** Bucket size: the burst a client may send after a quiet spell. */
  burst: number;
}

/** One connection's bucket. */
export interface RateLimiter {
  readonly limit: RateLimit;
  /** Takes one token. Returns 0 when allowed, else the milliseconds until a token is back. */
  take(now: number): number;
  /** Milliseconds until the bucket is full again. */
  fullIn(now: number): number;
  /**
   * Takes `tokens` more for work already done (a large reply). The bucket may go below
   * zero: the frames that follow wait until it is paid back.
   */
  charge(tokens: number, now: number): void;
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
  return new TokenBucket(limit, start);
}

// A class, not closures: there is one per connection, and methods on a prototype cost
// nothing per instance (three closures and their context cost ~200 bytes each time).
class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;
  readonly limit: RateLimit;

  constructor(limit: RateLimit, start: number) {
    this.limit = limit;
    this.tokens = limit.burst;
    this.last = start;
  }

  private refill(now: number) {
    if (now > this.last) {
      this.tokens = Math.min(
        this.limit.burst,
        this.tokens + ((now - this.last) * this.limit.perSecond) / 1000,
      );
      this.last = now;
    }
  }

  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond));
  }

  fullIn(now: number): number {
    this.refill(now);
    return Math.ceil(((this.limit.burst - this.tokens) * 1000) / this.limit.perSecond);
  }

  charge(tokens: number, now: number): void {
    this.refill(now);
    // Never more than one bucket of debt: the wait it causes stays below burst / perSecond.
    this.tokens = Math.max(this.tokens - tokens, -this.limit.burst);
  }
}
