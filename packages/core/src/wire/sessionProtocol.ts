/**
 * The session channel: a second WebSocket endpoint of the presence service (`/session` by
 * default) that carries a running session's stream — from the visitor's app (the **host**)
 * to the agents watching it (the **viewers**), and small messages back. It is kept apart
 * from the presence connection so that megabytes of page snapshots never queue in front of
 * a `showTerms` or a focus change. A connection is authorised by a one-time **ticket** that
 * the service hands out over the presence connection (`sessionTicket`, `joinSession`).
 * `docs/protocol.md` ("The session channel") describes the same in prose.
 *
 * Payloads are opaque to the service: a provider (such as `@beckon/cobrowse`) decides what a
 * message's `data` means; the service only checks the envelope, relays, and applies the
 * flow rules of each `kind`.
 */
import * as z from 'zod/mini';
import { ErrorCode } from './codes.js';
import { LIMITS } from './limits.js';

/** Numeric limits of the session channel. */
export const SESSION_LIMITS = {
  /** Largest frame on the session channel (the same cap as presence frames). */
  maxFrameBytes: 64 * 1024,
  /** Most characters of `data` in one chunk: leaves room for the envelope within a frame. */
  maxChunkChars: 60_000,
  /** Most characters of one message (all its chunks): 16 Mi, a very large page snapshot. */
  maxMessageChars: 16 * 1024 * 1024,
  /** Most chunks of one message: `maxMessageChars / maxChunkChars`, rounded up. */
  maxParts: 280,
  /** Longest `data` of a viewer's message to the host (an agent pointer, say). */
  maxNoteChars: 2_000,
  /** Longest ticket. */
  maxTicketLength: 256,
} as const;

/**
 * What a message is, for the service's flow rules:
 * - `snapshot`: the whole state (a page's full snapshot). A viewer that fell behind, or
 *   joined late, starts again from the next one.
 * - `delta`: a change to the state. Never dropped: a viewer that cannot take it is resynced.
 * - `transient`: safe to lose (pointer moves). Dropped for a viewer that is behind.
 */
export const SESSION_MESSAGE_KINDS = ['snapshot', 'delta', 'transient'] as const;
export type SessionMessageKind = (typeof SESSION_MESSAGE_KINDS)[number];

/**
 * Close codes of the session channel besides the shared ones (`CloseCode`). Like those,
 * 4000–4099 are final for the connection: a client asks for a new ticket only when the
 * reason is gone.
 */
export const SessionCloseCode = {
  /** Another page of the visitor took the host role. */
  replaced: 4009,
  /** The session is over. */
  sessionEnded: 4010,
} as const;
export type SessionCloseCode = (typeof SessionCloseCode)[keyof typeof SessionCloseCode];

// Building blocks, as in protocol.ts (pure IIFEs so bundlers can drop unused ones).
const Id = /* @__PURE__ */ (() =>
  z
    .string()
    .check(z.minLength(1), z.maxLength(LIMITS.maxIdLength), z.regex(/^[A-Za-z0-9_~-]+$/)))();
const Text = /* @__PURE__ */ (() => z.string().check(z.maxLength(LIMITS.maxTextLength)))();
const Count = /* @__PURE__ */ (() => z.int().check(z.minimum(0)))();
const Code = /* @__PURE__ */ (() =>
  z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]))();
const Millis = /* @__PURE__ */ (() => z.int().check(z.minimum(0)))();
/** A ticket: base64url characters, as the service mints them. */
export const Ticket = /* @__PURE__ */ (() =>
  z
    .string()
    .check(
      z.minLength(16),
      z.maxLength(SESSION_LIMITS.maxTicketLength),
      z.regex(/^[A-Za-z0-9_-]+$/),
    ))();
const Ping = /* @__PURE__ */ (() => z.object({ type: z.literal('ping') }))();
const Pong = /* @__PURE__ */ (() => z.object({ type: z.literal('pong') }))();
const ErrorMessage = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('error'),
    code: Code,
    message: Text,
    param: z.optional(Text),
    retryAfter: z.optional(Millis),
  }))();

/** The first frame on a session connection, either role: the ticket decides which. */
export const SessionHello = /* @__PURE__ */ (() =>
  z.object({ type: z.literal('hello'), v: z.int(), ticket: Ticket }))();

/**
 * One chunk of a message. A message of `parts` chunks is sent as parts `0 … parts − 1`, in
 * order and not interleaved with another message; `seq` counts messages on one host
 * connection from 0.
 */
export const SessionChunk = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('chunk'),
    seq: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
    part: z.int().check(z.minimum(0), z.maximum(SESSION_LIMITS.maxParts - 1)),
    parts: z.int().check(z.minimum(1), z.maximum(SESSION_LIMITS.maxParts)),
    kind: z.enum(SESSION_MESSAGE_KINDS),
    data: z.string().check(z.maxLength(SESSION_LIMITS.maxChunkChars)),
  }))();
export type SessionChunk = z.infer<typeof SessionChunk>;

/** What the host (the visitor's app) sends. */
export const FromSessionHost = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [SessionHello, SessionChunk, Ping, Pong]))();
export type FromSessionHost = z.infer<typeof FromSessionHost>;

/** What the service sends the host. */
export const ToSessionHost = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('welcome'),
      v: z.int(),
      role: z.literal('host'),
      sessionKey: Id,
      viewers: Count,
    }),
    /** How many viewers watch now; sent on every change. */
    z.object({ type: z.literal('viewers'), viewers: Count }),
    /** A viewer needs the whole state: send a `snapshot` message soon. */
    z.object({ type: z.literal('resync'), reason: Text }),
    /** A viewer's message (an agent pointer, say). `from` names the viewer connection. */
    z.object({
      type: z.literal('message'),
      from: Text,
      agentId: Text,
      data: z.string().check(z.maxLength(SESSION_LIMITS.maxNoteChars)),
    }),
    /** An agent asked to end the session; the visitor's app ends it (and says why). */
    z.object({ type: z.literal('end'), agentId: Text, reason: z.optional(Text) }),
    ErrorMessage,
    Ping,
    Pong,
  ]))();
export type ToSessionHost = z.infer<typeof ToSessionHost>;

/** What a viewer (an agent) sends. */
export const FromSessionViewer = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    SessionHello,
    z.object({
      type: z.literal('message'),
      data: z.string().check(z.maxLength(SESSION_LIMITS.maxNoteChars)),
    }),
    /** The viewer lost track (its renderer failed): ask the host for a snapshot. */
    z.object({ type: z.literal('resync') }),
    /** Ask the visitor's app to end the session for everyone. */
    z.object({ type: z.literal('end'), reason: z.optional(Text) }),
    Ping,
    Pong,
  ]))();
export type FromSessionViewer = z.infer<typeof FromSessionViewer>;

/** What the service sends a viewer. */
export const ToSessionViewer = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('welcome'),
      v: z.int(),
      role: z.literal('viewer'),
      sessionKey: Id,
      visitorId: Id,
      viewers: Count,
      /** Whether the visitor's app is connected to the session channel right now. */
      hostConnected: z.boolean(),
    }),
    SessionChunk,
    /** Drop any partial state: the next `snapshot` message starts afresh. */
    z.object({ type: z.literal('resync'), reason: Text }),
    /** The visitor's app connected to, or left, the session channel (a page load, say). */
    z.object({ type: z.literal('host'), connected: z.boolean() }),
    z.object({ type: z.literal('viewers'), viewers: Count }),
    /** The session is over; the service closes with `SessionCloseCode.sessionEnded`. */
    z.object({ type: z.literal('ended'), reason: z.optional(Text) }),
    ErrorMessage,
    Ping,
    Pong,
  ]))();
export type ToSessionViewer = z.infer<typeof ToSessionViewer>;

/** The four session channels, for `parseMessage`. */
export type SessionChannel =
  | typeof FromSessionHost
  | typeof ToSessionHost
  | typeof FromSessionViewer
  | typeof ToSessionViewer;

/**
 * Serialises a session channel message.
 *
 * @example
 * connection.send(encodeSessionMessage({ type: 'hello', v: 1, ticket }));
 */
export function encodeSessionMessage(
  message: FromSessionHost | ToSessionHost | FromSessionViewer | ToSessionViewer,
): string {
  return JSON.stringify(message);
}
