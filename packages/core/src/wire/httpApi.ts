/**
 * The HTTP agent API and the webhooks as data: the request bodies, the responses, the
 * problem types (RFC 9457) and the webhook payloads. Every body schema is cut from the
 * agent's own message of the WebSocket protocol (`FromAgent`, `ToAgent`), so the two APIs
 * cannot drift apart; the service generates its OpenAPI document from these schemas, and
 * `@beckon/core/http` types its client with them. `docs/http-api.md` describes the same.
 */
import * as z from 'zod/mini';
import type { ErrorCode } from './codes.js';
import { LIMITS } from './limits.js';
import { FromAgent, ToAgent, VisitorSummary } from './protocol.js';

/** The version segment of every path: `/v1/…`. */
export const HTTP_API_VERSION = 'v1';

type Union = typeof FromAgent | typeof ToAgent;
/** The schema of one message type of a channel. */
type Typed<S extends Union, T extends string> = Extract<
  S['def']['options'][number],
  { _zod: { output: { type: T } } }
>;

// The option of a discriminated union whose `type` is `type`: the message the HTTP body
// stands for.
function option<S extends Union, T extends string>(union: S, type: T): Typed<S, T> {
  const found = (union.def.options as readonly z.ZodMiniObject[]).find(
    (o) => (o.def.shape.type as z.ZodMiniLiteral).def.values[0] === type,
  );
  if (!found) throw new Error(`no ${type} message`);
  return found as Typed<S, T>;
}

/** `POST …/visitors/{visitorId}/show-terms`: the `showTerms` request less what the path says. */
export const ShowTermsBody = /* @__PURE__ */ (() =>
  z.omit(option(FromAgent, 'showTerms'), { type: true, id: true, visitorId: true }))();
export type ShowTermsBody = z.infer<typeof ShowTermsBody>;

/** `POST …/visitors/{visitorId}/signals`: a custom signal, as the `signal` request carries it. */
export const SignalBody = /* @__PURE__ */ (() =>
  z.omit(option(FromAgent, 'signal'), { type: true, id: true, visitorId: true }))();
export type SignalBody = z.infer<typeof SignalBody>;

/** `POST …/sessions/{sessionKey}/end`: why, for the visitor's app and the audit trail. */
export const EndSessionBody = /* @__PURE__ */ (() =>
  z.object({ reason: z.optional(z.string().check(z.maxLength(LIMITS.maxTextLength))) }))();
export type EndSessionBody = z.infer<typeof EndSessionBody>;

/** `GET …/visitors`: one page of the group, in visitor ID order; `next` is the next page's `after`. */
export const VisitorPage = /* @__PURE__ */ (() =>
  z.omit(option(ToAgent, 'visitors'), { type: true, id: true }))();
export type VisitorPage = z.infer<typeof VisitorPage>;

/** A `showTerms` or signal the visitor's app acknowledged: which connection, at which focus epoch. */
export const Delivered = /* @__PURE__ */ (() =>
  z.omit(option(ToAgent, 'delivered'), { type: true, id: true }))();
export type Delivered = z.infer<typeof Delivered>;

/** A session the visitor's app ended on the agent's request. */
export const SessionEnded = /* @__PURE__ */ (() =>
  z.object({
    sessionKey: VisitorSummary.def.shape.visitorId,
    visitorId: VisitorSummary.def.shape.visitorId,
    reason: z.optional(z.string().check(z.maxLength(LIMITS.maxTextLength))),
  }))();
export type SessionEnded = z.infer<typeof SessionEnded>;

/**
 * Codes only the HTTP API answers with, besides the protocol's {@link ErrorCode}s: no such
 * path, a method the path does not take, a body that is not JSON, and a service that cannot
 * serve now (draining, or its shared state unreachable).
 */
export const HttpErrorCode = {
  notFound: 'notFound',
  methodNotAllowed: 'methodNotAllowed',
  unsupportedMediaType: 'unsupportedMediaType',
  unavailable: 'unavailable',
} as const;
export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];

/** Every `code` a problem may carry. */
export type ProblemCode = ErrorCode | HttpErrorCode;

/** What a problem type stands for: its stable `type` URI, `title` and HTTP status. */
export interface ProblemType {
  type: string;
  title: string;
  status: number;
}

const problem = (slug: string, title: string, status: number): ProblemType => ({
  type: `/${HTTP_API_VERSION}/problems/${slug}`,
  title,
  status,
});

/**
 * The problem types of the HTTP API, by code. The `type` URIs are stable relative
 * references (RFC 9457 §3.1.1): resolved against the service's address they lead to a
 * description of the problem, and compared as written they identify it.
 */
export const PROBLEM_TYPES: Readonly<
  Record<Exclude<ProblemCode, 'notConnected' | 'unsupportedVersion'>, ProblemType>
> = {
  malformed: problem('malformed', 'The body is not a JSON object', 400),
  invalidMessage: problem('invalid-request', 'A field is missing or has the wrong shape', 400),
  invalidParameter: problem('invalid-parameter', 'A value breaks an input rule', 400),
  tooLarge: problem('too-large', 'The body is too large', 413),
  unauthorized: problem('unauthorized', 'The agent token is missing, invalid or expired', 401),
  forbidden: problem(
    'forbidden',
    'The token does not grant this group, or the origin is not allowed',
    403,
  ),
  notConfigured: problem('not-configured', 'Presence is not configured for this group', 404),
  notFound: problem('not-found', 'Nothing is here', 404),
  sessionNotFound: problem(
    'session-not-found',
    'No running session has this key in the group',
    404,
  ),
  methodNotAllowed: problem('method-not-allowed', 'This path does not take this method', 405),
  visitorNotPresent: problem('visitor-not-present', 'The visitor has no open connection', 409),
  busy: problem('busy', 'The visitor is already in a session', 409),
  unsupportedMediaType: problem('unsupported-media-type', 'Send the body as application/json', 415),
  rateLimited: problem('rate-limited', 'Too many requests; wait as Retry-After says', 429),
  internal: problem('internal', 'The service failed', 500),
  unavailable: problem('unavailable', 'The service cannot serve this now; try again', 503),
  timeout: problem('timeout', 'The visitor did not answer in time', 504),
  visitorAsleep: problem(
    'visitor-asleep',
    'The visitor was woken by a push notification but did not come back in time',
    504,
  ),
};

/** An error response (`application/problem+json`, RFC 9457) with Beckon's `code` and details. */
export const Problem = /* @__PURE__ */ (() =>
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int().check(z.minimum(400), z.maximum(599)),
    detail: z.string(),
    /** The path the problem occurred on. */
    instance: z.optional(z.string()),
    /** The same code the WebSocket API gives (`visitorNotPresent`, `timeout`, …). */
    code: z.enum(
      Object.keys(PROBLEM_TYPES) as [keyof typeof PROBLEM_TYPES, ...(keyof typeof PROBLEM_TYPES)[]],
    ),
    /** The field at fault, as a dotted path. */
    param: z.optional(z.string()),
    /** With `rateLimited` and `unavailable`: milliseconds to wait (the header says seconds). */
    retryAfter: z.optional(z.int().check(z.minimum(0))),
  }))();
export type Problem = z.infer<typeof Problem>;

// ---------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------

/** Webhook event types, each standing for one live event an agent would hear. */
export const WEBHOOK_EVENTS = {
  'visitor.connected': 'visitorConnected',
  'visitor.disconnected': 'visitorDisconnected',
  'visitor.visibility': 'visibility',
  'visitor.presence': 'presence',
  'visitor.terms': 'terms',
  'visitor.error': 'visitorError',
  'visitor.signal': 'signal',
  'session.started': 'sessionStart',
  'session.ended': 'sessionEnd',
} as const;
export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;

/** What an endpoint gets when its configuration names no events: all but the chatty `visitor.presence`. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = [
  'visitor.connected',
  'visitor.disconnected',
  'visitor.visibility',
  'visitor.terms',
  'visitor.error',
  'visitor.signal',
  'session.started',
  'session.ended',
];

const webhookEvent = <T extends WebhookEventType>(type: T) => {
  const live = option(ToAgent, WEBHOOK_EVENTS[type]);
  return z.object({
    type: z.literal(type),
    /** When it happened (ISO 8601, UTC): `data.at` as a date. */
    timestamp: z.string(),
    data: z.extend(z.omit(live, { type: true }), { groupId: VisitorSummary.def.shape.visitorId }),
  });
};

/**
 * A webhook's JSON body, as the Standard Webhooks specification lays it out: `type`,
 * `timestamp` and `data`. `data` is the live event an agent would have heard (`visitorId`,
 * `at` in ms since the epoch, and the event's fields), with its `groupId`.
 */
export const WebhookEvent = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    webhookEvent('visitor.connected'),
    webhookEvent('visitor.disconnected'),
    webhookEvent('visitor.visibility'),
    webhookEvent('visitor.presence'),
    webhookEvent('visitor.terms'),
    webhookEvent('visitor.error'),
    webhookEvent('visitor.signal'),
    webhookEvent('session.started'),
    webhookEvent('session.ended'),
  ]))();
export type WebhookEvent = z.infer<typeof WebhookEvent>;
