import type * as z from 'zod/mini';
import {
  Delivered,
  HTTP_API_VERSION,
  Problem,
  SessionEnded,
  VisitorPage,
} from '../wire/httpApi.js';
import { VisitorSummary } from '../wire/protocol.js';
import { HttpApiError } from './HttpApiError.js';

/** Options of {@link createHttpAgent}. */
export interface HttpAgentOptions {
  /** The service's HTTP address, e.g. `https://presence.example.com` (a path prefix is kept). */
  baseUrl: string | URL;
  groupId: string;
  /** An agent token, or a function returning a fresh one, called before every request. */
  token: string | (() => string | Promise<string>);
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** How long one request may take, ms. Default 30 000 (a `showTerms` waits for the visitor). */
  timeoutMs?: number;
}

/** The HTTP agent API of one group, typed. Every method rejects with an {@link HttpApiError}. */
export interface HttpAgent {
  /** One page of the group's visitors, in visitor ID order: those after `after`, at most `limit`. */
  listVisitors(page?: { after?: string; limit?: number }): Promise<VisitorPage>;
  /**
   * Every page of the group in turn, waiting out the service's pacing (`rateLimited`) by
   * itself. A visitor known throughout appears exactly once.
   */
  visitorPages(options?: { limit?: number }): AsyncIterableIterator<VisitorSummary[]>;
  /** One visitor, or `null` when the service does not know the ID. */
  lookupVisitor(visitorId: string): Promise<VisitorSummary | null>;
  /** The One-Click request: resolves once the visitor's app acknowledged it. */
  showTerms(
    visitorId: string,
    options?: { sessionKey?: string; termsUrl?: string },
  ): Promise<Delivered>;
  /** A custom `c_` signal; resolves once the visitor's app acknowledged it. */
  signalVisitor(
    visitorId: string,
    name: string,
    properties?: Record<string, string>,
  ): Promise<Delivered>;
  /** Asks the visitor's app to end the session with this key; resolves once it has. */
  endSession(sessionKey: string, options?: { reason?: string }): Promise<SessionEnded>;
}

const isProblemCode = (code: unknown): code is Problem['code'] =>
  Problem.def.shape.code.def.entries[code as Problem['code']] !== undefined;

/**
 * A small client for the HTTP agent API (`docs/http-api.md`), for backends: a CRM
 * integration, a help desk, a bot. It needs only `fetch` (Node 18+, browsers, workers) and
 * checks every response against the API's schemas.
 *
 * @example
 * import { createHttpAgent } from '@beckon/core/http';
 *
 * const api = createHttpAgent({
 *   baseUrl: 'https://presence.example.com',
 *   groupId: 'acme',
 *   token: () => mintAgentTokenSomehow(),
 * });
 * const alice = await api.lookupVisitor('alice-42');
 * if (alice?.present) await api.showTerms('alice-42');
 */
export function createHttpAgent(options: HttpAgentOptions): HttpAgent {
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function')
    throw new TypeError('createHttpAgent: no fetch available; pass options.fetch');
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(
      `createHttpAgent: timeoutMs must be a positive whole number, got ${timeoutMs}`,
    );
  }
  const base = new URL(options.baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const group = encodeURIComponent(options.groupId);
  const url = (path: string) => new URL(`${HTTP_API_VERSION}/groups/${group}/${path}`, base);

  const call = async <T>(
    method: 'GET' | 'POST',
    target: URL,
    schema: z.ZodMiniType<T>,
    body?: unknown,
  ): Promise<T> => {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    let response: Response;
    try {
      response = await doFetch(target, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new HttpApiError(
        timedOut ? 'timeout' : 'notConnected',
        timedOut
          ? `no answer from the service within ${timeoutMs} ms`
          : `the service could not be reached: ${error instanceof Error ? error.message : String(error)}`,
        { status: 0 },
      );
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!response.ok) {
      const problem = Problem.safeParse(value);
      if (problem.success && isProblemCode(problem.data.code)) {
        const p = problem.data;
        throw new HttpApiError(p.code, p.detail, {
          status: response.status,
          type: p.type,
          param: p.param,
          retryAfter: p.retryAfter,
        });
      }
      throw new HttpApiError('internal', `HTTP ${response.status} without a problem body`, {
        status: response.status,
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new HttpApiError('internal', 'the service answered with an unexpected body', {
        status: response.status,
      });
    }
    return parsed.data;
  };

  const listVisitors: HttpAgent['listVisitors'] = (page = {}) => {
    const target = url('visitors');
    if (page.after !== undefined) target.searchParams.set('after', page.after);
    if (page.limit !== undefined) target.searchParams.set('limit', String(page.limit));
    return call('GET', target, VisitorPage);
  };

  return {
    listVisitors,

    async *visitorPages(pageOptions = {}) {
      let after: string | undefined;
      for (;;) {
        let page: VisitorPage;
        try {
          page = await listVisitors({
            ...(after !== undefined && { after }),
            ...(pageOptions.limit !== undefined && { limit: pageOptions.limit }),
          });
        } catch (error) {
          if (error instanceof HttpApiError && error.code === 'rateLimited') {
            await new Promise((resolve) => setTimeout(resolve, error.retryAfter ?? 1_000));
            continue;
          }
          throw error;
        }
        yield page.visitors;
        if (page.next === undefined) return;
        after = page.next;
      }
    },

    async lookupVisitor(visitorId) {
      try {
        return await call('GET', url(`visitors/${encodeURIComponent(visitorId)}`), VisitorSummary);
      } catch (error) {
        if (error instanceof HttpApiError && error.code === 'notFound') return null;
        throw error;
      }
    },

    showTerms: (visitorId, body = {}) =>
      call('POST', url(`visitors/${encodeURIComponent(visitorId)}/show-terms`), Delivered, body),

    signalVisitor: (visitorId, name, properties = {}) =>
      call('POST', url(`visitors/${encodeURIComponent(visitorId)}/signals`), Delivered, {
        name,
        properties,
      }),

    endSession: (sessionKey, body = {}) =>
      call('POST', url(`sessions/${encodeURIComponent(sessionKey)}/end`), SessionEnded, body),
  };
}
