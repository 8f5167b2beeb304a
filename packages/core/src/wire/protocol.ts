/**
 * The Beckon wire protocol: every message in both directions between visitor apps, agents
 * and the presence service, the close codes, and one validation entry point.
 * `docs/protocol.md` describes the same in prose.
 *
 * Client-side code imports zod as a namespace from `zod/mini`: a named import defeats
 * tree-shaking and would cost the visitor bundle ~85 kB.
 */
import * as z from 'zod/mini';
import { ErrorCode } from './codes.js';
import {
  checkContent,
  decodeFrame,
  fail,
  type ParseResult,
  Refused,
  unknownType,
  unreadable,
} from './frame.js';
import { LIMITS, TERMS_STATUSES } from './limits.js';
import type { SessionChannel } from './sessionProtocol.js';
import { Ticket } from './sessionProtocol.js';

/** Bumped on any incompatible change; the service refuses other versions with {@link CloseCode.unsupportedVersion}. */
export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------

// Every schema is built inside a pure-annotated IIFE: bundlers then drop the ones an app
// never uses (a visitor's bundle carries no agent schemas). A bare top-level zod call looks
// side-effectful to them, and so do its nested calls.
const Id = /* @__PURE__ */ (() =>
  z
    .string()
    .check(z.minLength(1), z.maxLength(LIMITS.maxIdLength), z.regex(/^[A-Za-z0-9_~-]+$/)))();
const Text = /* @__PURE__ */ (() => z.string().check(z.maxLength(LIMITS.maxTextLength)))();
const Name = /* @__PURE__ */ (() =>
  z.string().check(z.minLength(1), z.maxLength(LIMITS.maxNameLength)))();
const Properties = /* @__PURE__ */ (() => z.record(z.string(), z.string()))();
/** Request IDs correlate a request with its reply or acknowledgement. */
const RequestId = /* @__PURE__ */ (() =>
  z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)))();
const Epoch = /* @__PURE__ */ (() => z.int().check(z.minimum(0)))();
const Millis = /* @__PURE__ */ (() => z.int().check(z.minimum(0)))();
const Code = /* @__PURE__ */ (() =>
  z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]))();
const Ping = /* @__PURE__ */ (() => z.object({ type: z.literal('ping') }))();
const Pong = /* @__PURE__ */ (() => z.object({ type: z.literal('pong') }))();
const TermsStatus = /* @__PURE__ */ (() => z.enum(TERMS_STATUSES))();
const VisibilityState = /* @__PURE__ */ (() => z.enum(['visible', 'hidden', 'away']))();

// ---------------------------------------------------------------------------------------
// Sessions: tickets for the session channel (sessionProtocol.ts), asked for over presence
// ---------------------------------------------------------------------------------------

/** Visitor → service: a ticket to open the session channel as the host of its session. */
const VisitorSessionTicket = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('sessionTicket'), sessionKey: Id }))();
/** Service → visitor: the ticket, valid once until `expiresAt`. */
const SessionTicketForVisitor = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('sessionTicket'),
    sessionKey: Id,
    ticket: Ticket,
    expiresAt: Millis,
  }))();
/** Service → visitor: no ticket, and why (`forbidden`, `sessionNotFound`). */
const SessionRefused = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('sessionRefused'), sessionKey: Id, code: Code, message: Text }))();
/** Agent → service: a ticket to watch the session with this key. Reply: `sessionTicket`. */
const JoinSession = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('joinSession'), id: RequestId, sessionKey: Id }))();
/** Service → agent: the reply to `joinSession`. */
const SessionTicketForAgent = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('sessionTicket'),
    id: RequestId,
    sessionKey: Id,
    /** The visitor whose session it is. */
    visitorId: Id,
    ticket: Ticket,
    expiresAt: Millis,
  }))();

// ---------------------------------------------------------------------------------------
// Push: a visitor's Web Push subscription, so the service can wake it (docs/push.md)
// ---------------------------------------------------------------------------------------

/** URL-safe base64 without padding, as Web Push keys travel. */
const Base64Url = /* @__PURE__ */ (() =>
  z.string().check(z.minLength(1), z.maxLength(256), z.regex(/^[A-Za-z0-9_-]+$/)))();
/** Visitor → service: remember this subscription under the visitor ID. */
const PushSubscribe = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('pushSubscribe'),
    subscription: z.object({
      /** The push service's URL for this browser (`PushSubscription.endpoint`). */
      endpoint: Text,
      /** When the browser lets it lapse (ms since the epoch), if it says. */
      expiresAt: z.optional(Millis),
      keys: z.object({ p256dh: Base64Url, auth: Base64Url }),
    }),
  }))();
/** Visitor → service: forget this subscription (the user logged out or turned push off). */
const PushUnsubscribe = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('pushUnsubscribe'), endpoint: Text }))();
/** Service → visitor: the subscription is stored. */
const PushSubscribed = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('pushSubscribed'), endpoint: Text }))();
/** Service → visitor: the subscription was not stored, and why. */
const PushRefused = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('pushRefused'), endpoint: Text, code: Code, message: Text }))();

// ---------------------------------------------------------------------------------------
// Visitor → service
// ---------------------------------------------------------------------------------------

export const VisitorHello = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('hello'),
    v: z.int(),
    role: z.literal('visitor'),
    groupId: Id,
    visitorId: Id,
    /** A visitor token (JWT) from the app's backend, when the group requires one. */
    token: z.optional(z.string().check(z.maxLength(LIMITS.maxTextLength))),
    /** The app's visibility right now, so a reconnect restores it without a separate message. */
    visible: z.boolean(),
    pushNotifications: z.optional(z.boolean()),
  }))();

/** Every message a visitor app may send. */
export const FromVisitor = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    VisitorHello,
    z.object({ type: z.literal('presence'), data: Properties }),
    z.object({ type: z.literal('visibility'), visible: z.boolean() }),
    /** `signalAgent(name, properties)`. */
    z.object({ type: z.literal('signal'), name: Name, properties: Properties }),
    z.object({ type: z.literal('sessionStart'), sessionKey: Id, presenceStart: z.boolean() }),
    z.object({ type: z.literal('sessionEnd'), reason: z.optional(Text) }),
    /** The spec's `visitorerror`: something failed on the visitor's side. */
    z.object({
      type: z.literal('error'),
      code: Name,
      msg: Text,
      params: z.optional(Properties),
    }),
    /** Receipt of a `showTerms` or `signal` from the service. */
    z.object({
      type: z.literal('ack'),
      id: RequestId,
      /** Set when the visitor received the request but could not act on it. */
      status: z.optional(z.literal('busy')),
    }),
    VisitorSessionTicket,
    PushSubscribe,
    PushUnsubscribe,
    Ping,
    Pong,
  ]))();
export type FromVisitor = z.infer<typeof FromVisitor>;

// ---------------------------------------------------------------------------------------
// Service → visitor
// ---------------------------------------------------------------------------------------

/** Every message the service may send a visitor app. */
export const ToVisitor = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('welcome'),
      v: z.int(),
      connectionId: Text,
      /** Whether this connection holds focus for its visitor ID. */
      focused: z.boolean(),
      epoch: Epoch,
      /** How often the client should hear from the service; silence for twice this is a dead link. */
      heartbeatMs: Millis,
      /** The group's VAPID public key, when the group can wake its visitors with Web Push. */
      vapidPublicKey: z.optional(Base64Url),
    }),
    z.object({ type: z.literal('blur'), epoch: Epoch }),
    z.object({ type: z.literal('focus'), epoch: Epoch }),
    z.object({
      type: z.literal('showTerms'),
      id: RequestId,
      sessionKey: z.optional(Id),
      termsUrl: z.optional(Text),
    }),
    z.object({ type: z.literal('signal'), id: RequestId, name: Name, properties: Properties }),
    z.object({
      type: z.literal('error'),
      code: Code,
      message: Text,
      param: z.optional(Text),
      retryAfter: z.optional(Millis),
    }),
    SessionTicketForVisitor,
    SessionRefused,
    PushSubscribed,
    PushRefused,
    Ping,
    Pong,
  ]))();
export type ToVisitor = z.infer<typeof ToVisitor>;

// ---------------------------------------------------------------------------------------
// Agent → service
// ---------------------------------------------------------------------------------------

export const AgentHello = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('hello'),
    v: z.int(),
    role: z.literal('agent'),
    groupId: Id,
    /** An agent token (JWT, HS256, signed with the group's agent secret). */
    token: z.string().check(z.minLength(1), z.maxLength(LIMITS.maxTextLength)),
  }))();

/** Every message an agent may send. Requests carry an `id` the reply echoes. */
export const FromAgent = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    AgentHello,
    /**
     * One page of the group's visitors, in visitor ID order: those after `after` (a `next`
     * from the previous page), at most `limit` of them and never more than fit one frame.
     */
    z.object({
      type: z.literal('list'),
      id: RequestId,
      after: z.optional(Id),
      limit: z.optional(z.int().check(z.minimum(1), z.maximum(LIMITS.maxListPage))),
    }),
    z.object({ type: z.literal('lookup'), id: RequestId, visitorId: Id }),
    /** Live events for one visitor, or for the whole group when `visitorId` is left out. */
    z.object({ type: z.literal('watch'), id: RequestId, visitorId: z.optional(Id) }),
    z.object({ type: z.literal('unwatch'), id: RequestId, visitorId: z.optional(Id) }),
    z.object({
      type: z.literal('showTerms'),
      id: RequestId,
      visitorId: Id,
      sessionKey: z.optional(Id),
      termsUrl: z.optional(Text),
    }),
    z.object({
      type: z.literal('signal'),
      id: RequestId,
      visitorId: Id,
      name: Name,
      properties: Properties,
    }),
    JoinSession,
    Ping,
    Pong,
  ]))();
export type FromAgent = z.infer<typeof FromAgent>;

// ---------------------------------------------------------------------------------------
// Service → agent
// ---------------------------------------------------------------------------------------

/** What an agent knows about one visitor ID. */
export const VisitorSummary = /* @__PURE__ */ (() =>
  z.object({
    visitorId: Id,
    /** At least one connection is open (or within the reconnect grace window). */
    present: z.boolean(),
    visibility: VisibilityState,
    /** The latest presence data, as sent. */
    presence: Properties,
    connections: z.int().check(z.minimum(0)),
    focusedConnectionId: z.optional(Text),
    epoch: Epoch,
    /** Milliseconds since the Unix epoch of the last activity. */
    lastActiveAt: Millis,
    sessionKey: z.optional(Id),
  }))();
export type VisitorSummary = z.infer<typeof VisitorSummary>;

const visitorEvent = <T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), visitorId: Id, at: Millis, ...shape });

/** Every message the service may send an agent. */
export const ToAgent = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('welcome'),
      v: z.int(),
      connectionId: Text,
      groupId: Id,
      heartbeatMs: Millis,
    }),
    // Replies, correlated by request id.
    /** A page of `list`; `next` is there when more may follow: send it back as `after`. */
    z.object({
      type: z.literal('visitors'),
      id: RequestId,
      visitors: z.array(VisitorSummary),
      next: z.optional(Id),
    }),
    z.object({ type: z.literal('visitor'), id: RequestId, visitor: z.nullable(VisitorSummary) }),
    z.object({ type: z.literal('ok'), id: RequestId }),
    /** A `showTerms` or `signal` reached the focused connection and was acknowledged. */
    z.object({
      type: z.literal('delivered'),
      id: RequestId,
      connectionId: Text,
      epoch: Epoch,
      /** The visitor came back for it after a push notification woke it. */
      woken: z.optional(z.literal(true)),
    }),
    z.object({
      type: z.literal('failed'),
      id: RequestId,
      code: Code,
      message: Text,
      param: z.optional(Text),
      retryAfter: z.optional(Millis),
    }),
    /**
     * Not a reply: a `showTerms` or `signal` found the visitor asleep and a push notification
     * went to `devices` of its devices; the answer follows within `waitMs`.
     */
    z.object({
      type: z.literal('waking'),
      id: RequestId,
      devices: z.int().check(z.minimum(1)),
      waitMs: Millis,
    }),
    // Live events about visitors of the agent's group.
    visitorEvent('presence', { data: Properties }),
    visitorEvent('visibility', { visibility: VisibilityState }),
    visitorEvent('visitorConnected', { connections: z.int().check(z.minimum(0)) }),
    /** The number of open connections changed (a tab opened or closed; 0 while reconnecting). */
    visitorEvent('connections', { connections: z.int().check(z.minimum(0)) }),
    visitorEvent('visitorDisconnected', {}),
    visitorEvent('focus', { connectionId: Text, epoch: Epoch }),
    visitorEvent('terms', { status: TermsStatus }),
    visitorEvent('sessionStart', { sessionKey: Id }),
    visitorEvent('sessionEnd', { reason: z.optional(Text) }),
    visitorEvent('visitorError', { code: Name, msg: Text, params: z.optional(Properties) }),
    /** A custom `c_` signal from the visitor. */
    visitorEvent('signal', { name: Name, properties: Properties }),
    /**
     * An agent's request found the visitor asleep: a push notification went to `devices` of
     * its devices (`sent`), then the visitor came back (`answered`) or did not in time
     * (`unanswered`).
     */
    visitorEvent('push', {
      status: z.enum(['sent', 'answered', 'unanswered']),
      devices: z.int().check(z.minimum(0)),
    }),
    SessionTicketForAgent,
    z.object({
      type: z.literal('error'),
      code: Code,
      message: Text,
      param: z.optional(Text),
      retryAfter: z.optional(Millis),
    }),
    Ping,
    Pong,
  ]))();
export type ToAgent = z.infer<typeof ToAgent>;

/** The agent-facing live events (the subset of {@link ToAgent} that concerns a visitor). */
export type AgentLiveEvent = Extract<ToAgent, { visitorId: string; at: number }>;

/** The four message channels; pass one to {@link parseMessage}. */
export type Channel = typeof FromVisitor | typeof ToVisitor | typeof FromAgent | typeof ToAgent;

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

export type { ParseResult, ProtocolError } from './frame.js';

// zod/mini ships no locale (it would cost bundle size), so every issue it reports reads
// "Invalid input"; say what was expected instead. frameTable.ts words its refusals the same.
function explain(issue: z.core.$ZodIssue): string {
  const unit = 'origin' in issue && issue.origin === 'string' ? ' characters' : '';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_big':
      return `must be at most ${issue.maximum}${unit}`;
    case 'too_small':
      return `must be at least ${issue.minimum}${unit}`;
    case 'invalid_format':
      return issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(String(v))).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * Validates one frame against a channel. Accepts the raw text of a frame or an already
 * decoded value, and never throws: any input yields either a typed message or a typed
 * {@link ProtocolError}. Beyond the shape, it enforces the spec's content rules (property
 * limits, `c_` prefixes, the `terms` statuses) so the service and clients agree on them.
 *
 * @example
 * const result = parseMessage('{"type":"blur","epoch":3}', ToVisitor);
 * if (result.ok) console.log(result.message.type); // 'blur'
 * else console.warn(result.error.code, result.error.message);
 */
export function parseMessage<C extends Channel | SessionChannel>(
  input: unknown,
  channel: C,
): ParseResult<z.infer<C>> {
  const value = decodeFrame(input);
  if (value instanceof Refused) return value.result;
  let parsed: ReturnType<C['safeParse']>;
  try {
    parsed = channel.safeParse(value) as ReturnType<C['safeParse']>;
  } catch {
    return unreadable();
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
    if (param === 'type' || param === undefined) {
      let type: unknown;
      try {
        type = value.type;
      } catch {
        return unreadable();
      }
      return unknownType(type);
    }
    return fail('invalidMessage', `${param}: ${issue ? explain(issue) : 'invalid'}`, param);
  }
  // The rules read the input as sent, not zod's output: zod drops a "__proto__" key from a
  // record without a word, which would turn a refusal into silent loss.
  return checkContent(value, parsed.data as z.infer<C>);
}

/**
 * Serialises a message for the wire. The one place frames are made, so every sender
 * writes the same JSON.
 *
 * @example
 * transport.send(encodeMessage({ type: 'visibility', visible: false }));
 */
export function encodeMessage(message: FromVisitor | ToVisitor | FromAgent | ToAgent): string {
  return JSON.stringify(message);
}
