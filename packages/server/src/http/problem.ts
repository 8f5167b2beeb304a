import type { ServerResponse } from 'node:http';
import { PROBLEM_TYPES, type Problem } from '@beckon/core/protocol';

/** A problem's code, as `PROBLEM_TYPES` lists them. */
export type ProblemKey = keyof typeof PROBLEM_TYPES;

/** What a problem carries besides its code and detail. */
export interface ProblemExtras {
  param?: string | undefined;
  /** Milliseconds; also sent as `Retry-After` in whole seconds. */
  retryAfter?: number | undefined;
  /** Extra response headers (`WWW-Authenticate`, `Allow`). */
  headers?: Record<string, string>;
}

/**
 * Answers with an RFC 9457 problem: `application/problem+json`, the code's stable `type`
 * and `title`, and Beckon's `code` (the WebSocket API's) with `param` and `retryAfter`.
 *
 * @example
 * sendProblem(res, req.url, 'visitorNotPresent', 'alice has no open connection');
 */
export function sendProblem(
  res: ServerResponse,
  instance: string | undefined,
  code: ProblemKey,
  detail: string,
  extras: ProblemExtras = {},
): Problem {
  const { type, title, status } = PROBLEM_TYPES[code];
  const body: Problem = {
    type,
    title,
    status,
    detail,
    code,
    ...(instance !== undefined && { instance }),
    ...(extras.param !== undefined && { param: extras.param }),
    ...(extras.retryAfter !== undefined && { retryAfter: extras.retryAfter }),
  };
  if (!res.headersSent) {
    res.writeHead(status, {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      ...(extras.retryAfter !== undefined && {
        'retry-after': String(Math.max(1, Math.ceil(extras.retryAfter / 1000))),
      }),
      ...extras.headers,
    });
  }
  res.end(JSON.stringify(body));
  return body;
}

/**
 * Answers with JSON.
 *
 * @example
 * sendJson(res, 200, { visitors: [] });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
