import type { Clock } from '../connection/clock.js';
import type { Transport, TransportConnection } from '../connection/transport.js';
import { CloseCode, describeClose } from '../wire/codes.js';
import { PROTOCOL_VERSION, type ProtocolError, parseMessage } from '../wire/protocol.js';
import {
  encodeSessionMessage,
  type FromSessionHost,
  type FromSessionViewer,
  type ToSessionHost,
  ToSessionHost as ToSessionHostSchema,
  type ToSessionViewer,
  ToSessionViewer as ToSessionViewerSchema,
} from '../wire/sessionProtocol.js';

/** The two roles on the session channel, and what each reads and writes. */
export interface SessionRoles {
  host: { inbound: ToSessionHost; outbound: FromSessionHost };
  viewer: { inbound: ToSessionViewer; outbound: FromSessionViewer };
}

/** Callbacks of one session channel connection. */
export interface SessionChannelHandlers<R extends keyof SessionRoles> {
  /** The service accepted the ticket. */
  welcome(message: Extract<SessionRoles[R]['inbound'], { type: 'welcome' }>): void;
  /** Any other valid frame (pings are answered here). */
  message(
    message: Exclude<SessionRoles[R]['inbound'], { type: 'welcome' | 'ping' | 'pong' }>,
  ): void;
  /** A frame that failed validation; it was ignored. */
  invalid?(error: ProtocolError): void;
  /** The connection is gone, whoever ended it. Called once, never after `close()`. */
  closed(code: number, reason: string): void;
}

/** Options of {@link openSessionChannel}. */
export interface SessionChannelOptions<R extends keyof SessionRoles> {
  role: R;
  transport: Transport;
  ticket: string;
  clock: Clock;
  /** Deadline for the welcome; then the connection is closed as `handshakeTimeout`. */
  handshakeTimeoutMs: number;
  handlers: SessionChannelHandlers<R>;
}

/** One open (or opening) session channel connection. */
export interface SessionChannel<R extends keyof SessionRoles> {
  /** Sends a frame; false when the connection is not welcomed and open. */
  send(message: SessionRoles[R]['outbound']): boolean;
  /** Closes it; `closed` is not called for a close asked for here. */
  close(code?: number, reason?: string): void;
}

/**
 * Opens a session channel connection for either role: says `hello` with the ticket, waits
 * for the `welcome` within the deadline, validates every frame and answers pings. What to
 * send, and what to do when it drops, is the caller's (the visitor's session actor, an
 * agent's session handle).
 *
 * @example
 * const channel = openSessionChannel({
 *   role: 'viewer', transport, ticket, clock: systemClock, handshakeTimeoutMs: 10_000,
 *   handlers: { welcome: (w) => console.log(w.viewers), message: show, closed: retry },
 * });
 */
export function openSessionChannel<R extends keyof SessionRoles>(
  options: SessionChannelOptions<R>,
): SessionChannel<R> {
  const { transport, clock, handlers } = options;
  const schema = options.role === 'host' ? ToSessionHostSchema : ToSessionViewerSchema;
  let conn: TransportConnection | undefined;
  let opened = false;
  let welcomed = false;
  let done = false;
  let helloSent = false;
  let timer: unknown;

  const finish = (code: number, reason: string) => {
    if (done) return;
    done = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    handlers.closed(code, describeClose(code, reason));
  };
  const write = (message: FromSessionHost | FromSessionViewer): boolean =>
    conn !== undefined && !done && conn.send(encodeSessionMessage(message));
  const hello = () => {
    if (done || helloSent || !opened || !conn) return;
    helloSent = true;
    if (!write({ type: 'hello', v: PROTOCOL_VERSION, ticket: options.ticket })) {
      finish(CloseCode.abnormal, 'could not send hello');
      conn.close(CloseCode.normal, 'could not send hello');
    }
  };

  timer = clock.setTimeout(() => {
    if (welcomed || done) return;
    finish(CloseCode.handshakeTimeout, '');
    conn?.close(CloseCode.normal, 'handshake timed out');
  }, options.handshakeTimeoutMs);

  try {
    conn = transport({
      open: () => {
        opened = true;
        hello();
      },
      message: (data) => {
        if (done) return;
        const parsed = parseMessage(data, schema);
        if (!parsed.ok) {
          handlers.invalid?.(parsed.error);
          return;
        }
        const m = parsed.message as SessionRoles[R]['inbound'];
        if (m.type === 'ping') {
          write({ type: 'pong' });
          return;
        }
        if (m.type === 'pong') return;
        if (m.type === 'welcome') {
          if (welcomed) return;
          welcomed = true;
          if (timer !== undefined) clock.clearTimeout(timer);
          timer = undefined;
          handlers.welcome(m as Extract<SessionRoles[R]['inbound'], { type: 'welcome' }>);
          return;
        }
        handlers.message(
          m as Exclude<SessionRoles[R]['inbound'], { type: 'welcome' | 'ping' | 'pong' }>,
        );
      },
      close: ({ code, reason }) => finish(code, reason),
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // Reported after the caller has its handle, as a transport would.
    Promise.resolve().then(() =>
      finish(CloseCode.abnormal, `could not open the session channel: ${why}`),
    );
  }
  hello();

  return {
    send: (message) => welcomed && write(message),
    close(code = CloseCode.normal, reason = 'closed') {
      if (done) return;
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      conn?.close(code, reason);
    },
  };
}
