import type { ErrorCode } from '../wire/codes.js';
import { checkId, checkSignal, checkText, LIMITS, type Violation } from '../wire/limits.js';
import type { FromAgent, ToAgent } from '../wire/protocol.js';

/**
 * A request as the public API hands it to the agent machine. Payloads are `unknown`: they
 * come from app code and are checked by {@link prepareRequest} before anything is sent.
 */
export type AgentRequest =
  | { type: 'list'; after?: unknown; limit?: unknown }
  | { type: 'lookup'; visitorId: unknown }
  | { type: 'watch'; visitorId?: unknown }
  | { type: 'unwatch'; visitorId?: unknown }
  | { type: 'showTerms'; visitorId: unknown; options?: unknown }
  | { type: 'signal'; visitorId: unknown; name: unknown; properties?: unknown }
  | { type: 'joinSession'; sessionKey: unknown };

/** The wire messages that expect a reply: every {@link FromAgent} but hello and heartbeats. */
export type AgentRequestMessage = Exclude<FromAgent, { type: 'hello' | 'ping' | 'pong' }>;

/** A request message before the machine gives it an id. */
export type AgentRequestDraft = AgentRequestMessage extends infer M
  ? M extends { id: number }
    ? Omit<M, 'id'>
    : never
  : never;

/** The replies the service answers requests with, correlated by `id`. */
export type AgentReply = Extract<
  ToAgent,
  { type: 'visitors' | 'visitor' | 'ok' | 'delivered' | 'failed' | 'sessionTicket' }
>;

/** Why a request failed, as plain data (the public API wraps it in an `AgentRequestError`). */
export interface RequestFailure {
  code: ErrorCode;
  message: string;
  param?: string;
  retryAfter?: number;
}

/**
 * A {@link RequestFailure}, with `param` and `retryAfter` only when they are known.
 *
 * @example
 * requestFailure('timeout', 'no reply from the presence service within 15000 ms');
 */
export const requestFailure = (
  code: RequestFailure['code'],
  message: string,
  extra: { param?: string | undefined; retryAfter?: number | undefined } = {},
): RequestFailure => ({
  code,
  message,
  ...(extra.param === undefined ? {} : { param: extra.param }),
  ...(extra.retryAfter === undefined ? {} : { retryAfter: extra.retryAfter }),
});

/** The successful reply each request type expects; any other but `failed` is a protocol error. */
export const EXPECTED_REPLY = {
  list: 'visitors',
  lookup: 'visitor',
  watch: 'ok',
  unwatch: 'ok',
  showTerms: 'delivered',
  signal: 'delivered',
  joinSession: 'sessionTicket',
} as const satisfies Record<AgentRequestMessage['type'], AgentReply['type']>;

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${type === 'object' ? 'an' : 'a'} ${type}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const SHOW_TERMS_OPTIONS = ['sessionKey', 'termsUrl'];

function draftOf(request: AgentRequest): AgentRequestDraft | Violation {
  switch (request.type) {
    case 'list': {
      const { after, limit } = request;
      const bad = after === undefined ? undefined : checkId('after', after);
      if (bad) return bad;
      if (
        limit !== undefined &&
        !(
          Number.isInteger(limit) &&
          (limit as number) >= 1 &&
          (limit as number) <= LIMITS.maxListPage
        )
      ) {
        return { param: 'limit', reason: `must be a whole number from 1 to ${LIMITS.maxListPage}` };
      }
      return {
        type: 'list',
        ...(after === undefined ? {} : { after: after as string }),
        ...(limit === undefined ? {} : { limit: limit as number }),
      };
    }
    case 'lookup': {
      const v = checkId('visitorId', request.visitorId);
      return v ?? { type: 'lookup', visitorId: request.visitorId as string };
    }
    case 'watch':
    case 'unwatch': {
      if (request.visitorId === undefined) return { type: request.type };
      const v = checkId('visitorId', request.visitorId);
      return v ?? { type: request.type, visitorId: request.visitorId as string };
    }
    case 'showTerms': {
      const v = checkId('visitorId', request.visitorId);
      if (v) return v;
      const { options } = request;
      if (options === undefined)
        return { type: 'showTerms', visitorId: request.visitorId as string };
      if (!isPlainObject(options)) {
        return { param: 'options', reason: `must be an object, got ${describe(options)}` };
      }
      // Copied before checking, so a getter cannot pass the check and then change its answer.
      const { sessionKey, termsUrl, ...rest } = { ...options };
      const unknown = Object.keys(rest)[0];
      if (unknown !== undefined) {
        return {
          param: `options.${unknown.slice(0, 64)}`,
          reason: `is not an option of showTerms; the options are ${SHOW_TERMS_OPTIONS.join(' and ')}`,
        };
      }
      const bad =
        (sessionKey === undefined ? undefined : checkId('options.sessionKey', sessionKey)) ??
        checkText('options.termsUrl', termsUrl, { optional: true });
      if (bad) return bad;
      return {
        type: 'showTerms',
        visitorId: request.visitorId as string,
        ...(sessionKey === undefined ? {} : { sessionKey: sessionKey as string }),
        ...(termsUrl === undefined ? {} : { termsUrl: termsUrl as string }),
      };
    }
    case 'signal': {
      const v = checkId('visitorId', request.visitorId);
      if (v) return v;
      const raw = request.properties ?? {};
      // checkSignal insists on a plain object; copy only once that holds, then check the copy.
      const properties = isPlainObject(raw) ? { ...raw } : raw;
      const bad = checkSignal(request.name, properties);
      if (bad) return bad;
      return {
        type: 'signal',
        visitorId: request.visitorId as string,
        name: request.name as string,
        properties: properties as Record<string, string>,
      };
    }
    case 'joinSession': {
      const v = checkId('sessionKey', request.sessionKey);
      return v ?? { type: 'joinSession', sessionKey: request.sessionKey as string };
    }
    default:
      return { param: 'type', reason: 'unknown request' };
  }
}

/**
 * Checks a request and turns it into the wire message to send (without its id), or says
 * which argument is wrong. Never throws, even for hostile objects (proxies, getters that throw).
 *
 * @example
 * prepareRequest({ type: 'lookup', visitorId: 'alice-42' }); // { ok: true, draft: { type: 'lookup', visitorId: 'alice-42' } }
 * prepareRequest({ type: 'lookup', visitorId: 'a b' });      // { ok: false, violation: { param: 'visitorId', … } }
 */
export function prepareRequest(
  request: AgentRequest,
): { ok: true; draft: AgentRequestDraft } | { ok: false; violation: Violation } {
  let result: AgentRequestDraft | Violation;
  try {
    result = draftOf(request);
  } catch {
    return { ok: false, violation: { param: 'arguments', reason: 'could not be read' } };
  }
  return 'param' in result ? { ok: false, violation: result } : { ok: true, draft: result };
}
