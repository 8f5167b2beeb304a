import type { ProblemCode } from '../wire/httpApi.js';

/** What an {@link HttpApiError} carries besides its code and message. */
export interface HttpApiErrorOptions {
  /** The HTTP status; 0 when no response came (`notConnected`, a client-side `timeout`). */
  status: number;
  /** The problem's `type` URI, when the service answered with one. */
  type?: string | undefined;
  param?: string | undefined;
  /** Milliseconds to wait before trying again, when the service said so. */
  retryAfter?: number | undefined;
}

/**
 * A failed call of the HTTP agent API. `code` is the problem's code — the same the
 * WebSocket API gives (`visitorNotPresent`, `timeout`, `busy`, `rateLimited`, …) plus the
 * HTTP API's own (`notFound`, `unavailable`, …) — or `notConnected` when the service could
 * not be reached at all.
 *
 * @example
 * try {
 *   await api.showTerms('alice-42');
 * } catch (error) {
 *   if (error instanceof HttpApiError && error.code === 'visitorNotPresent') showOffline();
 *   else throw error;
 * }
 */
export class HttpApiError extends Error {
  override readonly name = 'HttpApiError';
  readonly code: ProblemCode;
  readonly status: number;
  readonly type: string | undefined;
  readonly param: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: ProblemCode, message: string, options: HttpApiErrorOptions) {
    super(message);
    this.code = code;
    this.status = options.status;
    this.type = options.type;
    this.param = options.param;
    this.retryAfter = options.retryAfter;
  }
}
