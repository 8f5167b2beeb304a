import type {
  Transport,
  TransportConnection,
  TransportHandlers,
  TransportReadyState,
} from '@beckon/core';
import { CloseCode } from '@beckon/core/protocol';

/**
 * The part of a WebSocket this transport uses. The browser's `WebSocket`, Node 22's global
 * one and `ws`'s `WebSocket` all fit. Event handlers take `never` so that every
 * implementation's own event types are accepted; this file reads only standard fields.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor, such as `globalThis.WebSocket` or `ws`'s `WebSocket`. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** Options for {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /**
   * The presence service's address: `ws:` or `wss:`. `http:` and `https:` are converted to
   * `ws:` and `wss:`; a relative URL is resolved against `location` where there is one.
   */
  url: string | URL;
  /** The implementation to use; defaults to `globalThis.WebSocket`, looked up per connection. */
  WebSocket?: WebSocketConstructor;
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
}

/** A connection made by {@link webSocketTransport}. */
export interface WebSocketConnection extends TransportConnection {
  /** Binary frames received and dropped: the protocol is text only. */
  readonly ignoredBinaryFrames: number;
}

const STATES: readonly TransportReadyState[] = ['connecting', 'open', 'closing', 'closed'];
// RFC 6455 token characters, as browsers and `ws` check them.
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;

const NO_IMPLEMENTATION = 'no WebSocket implementation: pass { WebSocket } (e.g. from "ws")';

const fail = (message: string): never => {
  throw new TypeError(`webSocketTransport: ${message}`);
};

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * The closing codes and reasons a client may send; anything else makes `WebSocket.close`
 * throw. Other codes become 1000 and the reason is cut to 123 UTF-8 bytes.
 */
function closeArgs(code: number | undefined, reason: string | undefined): [number, string] {
  const valid =
    typeof code === 'number' &&
    (code === 1000 || (Number.isInteger(code) && code >= 3000 && code < 5000));
  // At most 123 characters can fit, so the trimming loop below is bounded.
  let text = String(reason ?? '').slice(0, 123);
  const encoder = new TextEncoder();
  while (encoder.encode(text).length > 123) text = text.slice(0, -1);
  return [valid ? code : 1000, text];
}

/**
 * Creates a {@link Transport} that speaks to the presence service over WebSockets: the
 * browser's native `WebSocket`, Node 22's global one, or an injected implementation such as
 * `ws`. Options are checked here, so a bad setup throws a `TypeError` at once; everything
 * that goes wrong on a connection is reported through the transport contract instead.
 *
 * @throws {TypeError} when `url` is not a ws(s)/http(s) URL, has a `#fragment`, or when
 * `WebSocket` or `protocols` are not what they should be.
 *
 * @example
 * // Browser, or Node 22+:
 * const visitor = createVisitor({ transport: webSocketTransport({ url: 'wss://presence.example.com/' }) });
 *
 * @example
 * // Node 20 (no global WebSocket):
 * import { WebSocket } from 'ws';
 * const transport = webSocketTransport({ url: 'wss://presence.example.com/', WebSocket });
 */
export function webSocketTransport(
  options: WebSocketTransportOptions,
): (handlers: TransportHandlers) => WebSocketConnection {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const { url, WebSocket: injected, protocols } = options;
  if (typeof url !== 'string' && !(url instanceof URL)) fail('url must be a string or a URL');
  let parsed: URL;
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    parsed = new URL(String(url), base);
  } catch {
    return fail(`url is not a valid URL: ${JSON.stringify(String(url))}`);
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    parsed.protocol = parsed.protocol === 'http:' ? 'ws:' : 'wss:';
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    fail(`url must use ws:, wss:, http: or https:, not ${parsed.protocol}`);
  }
  if (parsed.hash) fail('url must not have a #fragment');
  if (injected !== undefined && typeof injected !== 'function') {
    fail('WebSocket must be a WebSocket constructor');
  }
  if (protocols !== undefined) {
    const list = typeof protocols === 'string' ? [protocols] : protocols;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && TOKEN.test(p))) {
      fail('protocols must be a token string or an array of them');
    }
    if (new Set(list).size !== list.length) fail('protocols must not repeat');
  }
  const href = parsed.href;
  // Reasons name the endpoint without its query string, which may carry credentials.
  const where = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;

  const transport = (handlers: TransportHandlers): WebSocketConnection => {
    let done = false;
    let opened = false;
    let closeRequested = false;
    let error: string | undefined;
    let ignored = 0;
    let socket: WebSocketLike | undefined;

    const finish = (code: number, reason: string): void => {
      if (done) return;
      done = true;
      handlers.close({ code, reason });
    };

    const connection: WebSocketConnection = {
      get readyState() {
        return done || !socket ? 'closed' : (STATES[socket.readyState] ?? 'closed');
      },
      get ignoredBinaryFrames() {
        return ignored;
      },
      send(data) {
        if (done || !socket || socket.readyState !== 1) return false;
        try {
          socket.send(data);
          return true;
        } catch (e) {
          finish(CloseCode.abnormal, `send failed: ${messageOf(e)}`);
          try {
            socket.close();
          } catch {
            // Already reported as closed; the socket is beyond use either way.
          }
          return false;
        }
      },
      close(code, reason) {
        if (done || !socket) return;
        closeRequested = true;
        try {
          socket.close(...closeArgs(code, reason));
        } catch (e) {
          // `ws` and others may throw when closing a socket that is still connecting. Report
          // the close now; `onopen` shuts the socket if it opens anyway.
          finish(
            CloseCode.abnormal,
            opened ? `close failed: ${messageOf(e)}` : 'closed before the connection opened',
          );
        }
      },
    };

    const Impl = injected ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Impl !== 'function') {
      queueMicrotask(() => finish(CloseCode.abnormal, NO_IMPLEMENTATION));
      return connection;
    }
    let ws: WebSocketLike;
    try {
      ws = protocols === undefined ? new Impl(href) : new Impl(href, protocols);
    } catch (e) {
      // Browsers throw e.g. a SecurityError for blocked ports; core must never see a throw.
      const reason = `could not connect to ${where}: ${messageOf(e)}`;
      queueMicrotask(() => finish(CloseCode.abnormal, reason));
      return connection;
    }
    socket = ws;

    ws.onopen = () => {
      if (done) {
        try {
          ws.close();
        } catch {
          // Nothing is listening any more.
        }
        return;
      }
      opened = true;
      handlers.open();
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (done || !opened) return;
      if (typeof event.data === 'string') handlers.message(event.data);
      else ignored++;
    };
    // Browsers give no detail on errors; `ws` and undici put it in `message`.
    ws.onerror = (event: { message?: unknown }) => {
      error =
        typeof event?.message === 'string' && event.message ? event.message : 'WebSocket error';
    };
    ws.onclose = (event: { code?: unknown; reason?: unknown }) => {
      const code = typeof event?.code === 'number' ? event.code : CloseCode.abnormal;
      const reason = typeof event?.reason === 'string' ? event.reason : '';
      if (!opened) {
        finish(
          CloseCode.abnormal,
          closeRequested
            ? 'closed before the connection opened'
            : `could not connect to ${where}${error ? `: ${error}` : ''}`,
        );
      } else if (error !== undefined) finish(CloseCode.abnormal, error);
      else if (code === CloseCode.abnormal)
        finish(CloseCode.abnormal, reason || 'connection lost without a close frame');
      else finish(code, reason);
    };

    return connection;
  };
  return transport satisfies Transport;
}
