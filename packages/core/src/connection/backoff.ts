import { CloseCode } from '../wire/codes.js';

/** How the machine retries a dropped connection: exponential backoff with full jitter. */
export interface ReconnectPolicy {
  /** First backoff ceiling in ms. Default 500. */
  initialDelayMs: number;
  /** Highest backoff ceiling in ms. Default 30,000. */
  maxDelayMs: number;
  /** Growth of the ceiling per failed attempt. Default 2. */
  factor: number;
  /** Attempts after which the visitor stops retrying and disconnects. Default Infinity. */
  maxAttempts: number;
  /** Uniform random in [0, 1); injectable for deterministic tests. Default Math.random. */
  random: () => number;
}

export const defaultReconnectPolicy: ReconnectPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  maxAttempts: Number.POSITIVE_INFINITY,
  random: Math.random,
};

/**
 * The delay before reconnect attempt `attempt` (1-based): a uniform draw below
 * `min(maxDelayMs, initialDelayMs × factor^(attempt−1))` ("full jitter"), so a fleet of
 * clients that dropped together spreads out instead of stampeding back.
 *
 * @example
 * backoffDelay(3, { ...defaultReconnectPolicy, random: () => 0.5 }); // 1000
 */
export function backoffDelay(attempt: number, policy: ReconnectPolicy): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1),
  );
  return Math.floor(policy.random() * ceiling);
}

/**
 * The wait before reconnect attempt `attempt` after a close: the jittered backoff, unless a
 * restarting (4100) or throttling (4129) service named its own, already jittered, delay in
 * the close reason — then that, capped at `maxDelayMs`.
 *
 * @example
 * retryDelayAfter(1, defaultReconnectPolicy, { code: 4100, reason: '1200' }); // 1200
 */
export function retryDelayAfter(
  attempt: number,
  policy: ReconnectPolicy,
  close: { code: number; reason: string } | undefined,
): number {
  if (close && (close.code === CloseCode.reconnect || close.code === CloseCode.rateLimited)) {
    const hinted = Number.parseInt(close.reason, 10);
    if (Number.isFinite(hinted) && hinted >= 0) return Math.min(hinted, policy.maxDelayMs);
  }
  return backoffDelay(attempt, policy);
}
