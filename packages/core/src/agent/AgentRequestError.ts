import type { ErrorCode } from '../wire/codes.js';

/** What a failed request carries besides its message: the parameter at fault, the wait asked for. */
export interface AgentRequestErrorOptions {
  param?: string | undefined;
  retryAfter?: number | undefined;
}

/**
 * Why an agent request failed, as a typed error: `code` is one of the protocol's
 * {@link ErrorCode}s, so callers branch on it instead of parsing messages.
 *
 * - `invalidParameter`: refused before sending; `param` names the argument at fault.
 * - `notConnected`: the agent is not connected, or the connection dropped while waiting.
 * - `timeout`: no reply within `requestTimeoutMs` (or the visitor did not acknowledge in time).
 * - `visitorNotPresent`, `busy`, `rateLimited` (with `retryAfter` in ms), …: the service's answer.
 *
 * @example
 * try {
 *   await agent.showTerms('alice-42');
 * } catch (error) {
 *   if (error instanceof AgentRequestError && error.code === 'visitorNotPresent') showOffline();
 *   else throw error;
 * }
 */
export class AgentRequestError extends Error {
  override readonly name = 'AgentRequestError';
  readonly code: ErrorCode;
  readonly param: string | undefined;
  /** Milliseconds to wait before trying again, when the service said so. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: AgentRequestErrorOptions = {}) {
    super(message);
    this.code = code;
    this.param = options.param;
    this.retryAfter = options.retryAfter;
  }
}
