import {
  CloseCode,
  ErrorCode,
  FromAgent,
  FromVisitor,
  LIMITS,
  type ParseResult,
  PROTOCOL_VERSION,
  type ProtocolError,
  parseMessage,
} from '@beckon/core/protocol';
import type { z } from 'zod';
import { METRIC_NAMES } from '../createMetrics.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import { hotAgentFrame, hotVisitorFrame } from './hotFrames.js';
import type { HubContext } from './hubContext.js';

export type VisitorMessage = Exclude<FromVisitor, { type: 'hello' }>;
export type AgentMessage = Exclude<FromAgent, { type: 'hello' }>;
export type VisitorHello = Extract<FromVisitor, { type: 'hello' }>;
export type AgentHello = Extract<FromAgent, { type: 'hello' }>;

/** Where the gate hands the frames it lets through. */
export interface FrameHandlers {
  /** A well-formed `hello` of this protocol version, as a connection's first frame. */
  hello(conn: Conn, hello: VisitorHello | AgentHello): void;
  visitor(conn: Conn, message: VisitorMessage): Promise<void>;
  agent(conn: Conn, message: AgentMessage): Promise<void>;
}

const DONE = Promise.resolve();

/** Bad frames tolerated per minute before a connection is closed with 4000. */
const MAX_BAD_FRAMES = 10;
const BAD_FRAME_WINDOW_MS = 60_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `id` of an agent's request, read from a frame that may not parse as one. */
function requestIdOf(raw: string): number | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    const id = isObject(value) ? value.id : undefined;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes and validates a frame of a welcomed connection: the frequent kinds by hand
 * (`hotFrames.ts`), everything else, and every refusal, by `parseMessage`. The text is
 * decoded once either way.
 */
function parseFrame<C extends typeof FromVisitor | typeof FromAgent>(
  raw: string,
  hot: (value: unknown) => z.infer<C> | undefined,
  channel: C,
): ParseResult<z.infer<C>> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return parseMessage(raw, channel);
  }
  const message = hot(value);
  return message === undefined ? parseMessage(value, channel) : { ok: true, message };
}

/**
 * Every check a frame passes before a handler sees it: the size cap, the rate limit, text
 * only, a valid message of the connection's role, and `hello` first and only once. Bad
 * frames get a typed answer; too many close the connection.
 *
 * @example
 * const gate = createFrameGate(ctx, io, { hello: handshake.begin, visitor, agent });
 * peer.onMessage((data) => gate.onFrame(conn, data));
 */
export function createFrameGate(
  ctx: HubContext,
  io: ConnectionIO,
  handlers: FrameHandlers,
): { onFrame(conn: Conn, data: string | Uint8Array): void } {
  const { metrics, now } = ctx;
  const { send } = io;
  const framesIn = {
    visitor: metrics.counter(METRIC_NAMES.messagesIn, { role: 'visitor' }),
    agent: metrics.counter(METRIC_NAMES.messagesIn, { role: 'agent' }),
    unknown: metrics.counter(METRIC_NAMES.messagesIn, { role: 'unknown' }),
  };

  /** Answers a bad frame; repeated bad frames close the connection. */
  const badFrame = (conn: Conn, error: ProtocolError, raw: string | undefined, reason?: string) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: reason ?? error.code });
    const requestId = conn.role === 'agent' && raw !== undefined ? requestIdOf(raw) : undefined;
    const body = {
      code: error.code,
      message: error.message,
      ...(error.param !== undefined && { param: error.param }),
    };
    // An agent's malformed request still gets an answer under its id, so nothing hangs.
    if (requestId !== undefined) send(conn, { type: 'failed', id: requestId, ...body });
    else send(conn, { type: 'error', ...body });
    const t = now();
    const recent = conn.badFrames?.filter((at) => t - at < BAD_FRAME_WINDOW_MS) ?? [];
    recent.push(t);
    conn.badFrames = recent;
    if (recent.length >= MAX_BAD_FRAMES) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'badRequest' });
      io.closeWhenDone(conn, {
        code: CloseCode.badRequest,
        reason: 'too many invalid frames',
        error: ErrorCode.invalidMessage,
      });
    }
  };

  const onHello = (conn: Conn, raw: string) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      badFrame(conn, { code: 'malformed', message: 'frame is not valid JSON' }, undefined);
      return;
    }
    // Checked before the shape: a newer client's hello may not fit this version's schema.
    if (
      isObject(value) &&
      value.type === 'hello' &&
      typeof value.v === 'number' &&
      value.v !== PROTOCOL_VERSION
    ) {
      io.refuse(
        conn,
        ErrorCode.unsupportedVersion,
        CloseCode.unsupportedVersion,
        `protocol version ${value.v} is not supported; this service speaks ${PROTOCOL_VERSION}`.slice(
          0,
          120,
        ),
      );
      return;
    }
    const agent = isObject(value) && value.role === 'agent';
    const result = agent ? parseMessage(value, FromAgent) : parseMessage(value, FromVisitor);
    if (!result.ok) {
      badFrame(conn, result.error, undefined);
      return;
    }
    const hello = result.message;
    if (hello.type !== 'hello') {
      badFrame(
        conn,
        { code: 'invalidMessage', message: 'the first frame must be hello', param: 'type' },
        undefined,
      );
      return;
    }
    handlers.hello(conn, hello);
  };

  const onFrame = (conn: Conn, data: string | Uint8Array) => {
    // A connection being closed accepts nothing more; what it sent before is still answered.
    if (conn.phase === 'closed' || conn.closing) return;
    // `ws` caps frames at the socket; peers without a socket (in-process ones) get the same
    // cap here, so every transport is held to one limit. Counting bytes is only needed when
    // the characters could exceed it.
    const size =
      typeof data !== 'string'
        ? data.byteLength
        : data.length * 3 <= LIMITS.maxFrameBytes
          ? data.length
          : Buffer.byteLength(data);
    if (size > LIMITS.maxFrameBytes) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'tooLarge' });
      io.closeWhenDone(conn, {
        code: CloseCode.tooLarge,
        reason: 'frame too large',
        error: ErrorCode.tooLarge,
      });
      return;
    }
    const t = now();
    conn.lastSeen = t;
    framesIn[conn.role ?? 'unknown'].inc();
    const wait = conn.limiter.take(t);
    if (wait > 0) {
      conn.limitedStreak += 1;
      metrics.inc(METRIC_NAMES.rejections, { reason: 'rateLimited' });
      // A client that keeps sending after being told to wait is cut off, once what it sent
      // before is answered.
      if (conn.limitedStreak > conn.limiter.limit.burst) {
        const retryAfter = Math.max(wait, conn.limiter.fullIn(t));
        io.closeWhenDone(conn, {
          code: CloseCode.rateLimited,
          reason: String(retryAfter),
          error: ErrorCode.rateLimited,
          retryAfter,
        });
        return;
      }
      const id = conn.role === 'agent' && typeof data === 'string' ? requestIdOf(data) : undefined;
      const message = `too many messages; retry in ${wait} ms`;
      if (id !== undefined) {
        send(conn, { type: 'failed', id, code: ErrorCode.rateLimited, message, retryAfter: wait });
      } else {
        send(conn, { type: 'error', code: ErrorCode.rateLimited, message, retryAfter: wait });
      }
      return;
    }
    conn.limitedStreak = 0;
    if (typeof data !== 'string') {
      badFrame(
        conn,
        { code: 'invalidMessage', message: 'binary frames are not accepted; send JSON text' },
        undefined,
        'binary',
      );
      return;
    }
    if (conn.phase === 'handshake') {
      onHello(conn, data);
      return;
    }
    if (conn.role === 'agent') {
      const result = parseFrame(data, hotAgentFrame, FromAgent);
      if (!result.ok) return badFrame(conn, result.error, data);
      const m = result.message;
      if (m.type === 'hello') {
        return badFrame(
          conn,
          { code: 'invalidMessage', message: 'hello was already received', param: 'type' },
          data,
        );
      }
      io.enqueue(
        conn,
        async () => {
          if (conn.phase !== 'open') return;
          try {
            await handlers.agent(conn, m);
          } catch (error) {
            ctx.internal(error, `agent ${m.type}`, conn);
            // Requests always get an answer, even when the service itself failed.
            if ('id' in m)
              send(conn, {
                type: 'failed',
                id: m.id,
                code: ErrorCode.internal,
                message: 'internal error',
              });
          }
        },
        'agent frame',
      );
    } else {
      const result = parseFrame(data, hotVisitorFrame, FromVisitor);
      if (!result.ok) return badFrame(conn, result.error, data);
      const m = result.message;
      if (m.type === 'hello') {
        return badFrame(
          conn,
          { code: 'invalidMessage', message: 'hello was already received', param: 'type' },
          data,
        );
      }
      io.enqueue(
        conn,
        () => (conn.phase === 'open' ? handlers.visitor(conn, m) : DONE),
        'visitor frame',
      );
    }
  };

  return { onFrame };
}
