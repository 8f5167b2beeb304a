import { fromCallback } from 'xstate';
import type { Clock } from './connection/clock.js';
import type { Transport, TransportConnection } from './connection/transport.js';
import {
  CloseCode,
  encodeMessage,
  type FromVisitor,
  PROTOCOL_VERSION,
  parseMessage,
  ToVisitor,
} from './wire/protocol.js';

/** A visitor token, or a function that fetches a fresh one for every connection attempt. */
export type TokenSource = string | (() => string | Promise<string>);

/** What the machine hands the socket actor when it opens a connection. */
export interface SocketInput {
  groupId: string;
  visitorId: string;
  visible: boolean;
  pushNotifications: boolean;
}

type WelcomeMessage = Extract<ToVisitor, { type: 'welcome' }>;
type ErrorMessage = Extract<ToVisitor, { type: 'error' }>;

/** Events the socket actor reports to the machine. */
export type SocketEvent =
  | { type: 'socket.welcome'; message: WelcomeMessage }
  | { type: 'socket.blur'; epoch: number }
  | { type: 'socket.focus'; epoch: number }
  | { type: 'socket.showTerms'; id: number; sessionKey?: string; termsUrl?: string }
  | { type: 'socket.signal'; id: number; name: string; properties: Record<string, string> }
  | { type: 'socket.error'; message: ErrorMessage }
  | { type: 'socket.closed'; code: number; reason: string }
  | { type: 'socket.sendFailed'; reason: string };

/** Events the machine sends the socket actor. */
export type SocketCommand = { type: 'send'; message: FromVisitor };

export interface SocketActorOptions {
  transport: Transport;
  clock: Clock;
  token?: TokenSource | undefined;
  /** How long to wait for `welcome` after the transport opens, and for the transport to open. */
  handshakeTimeoutMs: number;
  /** Used until the service's `welcome` names its own interval. */
  heartbeatMs: number;
}

// Reasons for closes that the transport gave no words for.
const closeReasons: Record<number, string> = {
  [CloseCode.normal]: 'closed',
  1006: 'connection lost',
  [CloseCode.tooLarge]: 'frame too large',
  [CloseCode.unauthorized]: 'unauthorized',
  [CloseCode.forbidden]: 'forbidden',
  [CloseCode.notConfigured]: 'presence is not configured for this group',
  [CloseCode.unsupportedVersion]: 'protocol version not supported by the service',
  [CloseCode.handshakeTimeout]: 'handshake timed out',
  [CloseCode.heartbeatTimeout]: 'no heartbeat from the service',
  [CloseCode.reconnect]: 'service restarting',
};

/**
 * The long-lived connection as an XState callback actor: opens the transport, says hello,
 * validates every frame, answers pings and notices a silent service. It lives while the
 * machine is online; stopping it closes the transport.
 *
 * @example
 * const machine = visitorMachine.provide({
 *   actors: { socket: createSocketActor({ transport, clock: systemClock, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) },
 * });
 */
export function createSocketActor(options: SocketActorOptions) {
  const { transport, clock } = options;
  return fromCallback<SocketCommand, SocketInput, SocketEvent>(({ input, sendBack, receive }) => {
    let conn: TransportConnection | undefined;
    let closed = false;
    let welcomed = false;
    let timer: unknown;
    // Liveness without reading the time: each tick checks whether anything arrived since the
    // last one, pings once if not, and gives up if the ping also went unanswered.
    let heard = false;
    let pinged = false;
    let interval = options.heartbeatMs;

    const finish = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      sendBack({
        type: 'socket.closed',
        code,
        reason: reason || closeReasons[code] || `closed (${code})`,
      });
    };
    const arm = (ms: number, fn: () => void) => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = clock.setTimeout(fn, ms);
    };
    // Report our own reason first: closing the transport fires its close handler, which
    // must not overwrite why we gave up.
    const abort = (code: number, reason: string) => {
      finish(code, reason);
      conn?.close(CloseCode.normal, reason || closeReasons[code]);
    };
    const send = (message: FromVisitor): boolean => {
      if (!conn || closed) return false;
      return conn.send(encodeMessage(message));
    };
    const tick = () => {
      if (heard) {
        heard = false;
        pinged = false;
      } else if (!pinged) {
        pinged = true;
        send({ type: 'ping' });
      } else {
        abort(CloseCode.heartbeatTimeout, '');
        return;
      }
      arm(interval, tick);
    };

    const open = (token: string | undefined) => {
      if (closed) return;
      const hello = () => {
        if (closed) return;
        const sent = send({
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'visitor',
          groupId: input.groupId,
          visitorId: input.visitorId,
          visible: input.visible,
          ...(token === undefined ? {} : { token }),
          ...(input.pushNotifications ? { pushNotifications: true } : {}),
        });
        if (!sent) abort(1006, 'could not send hello');
      };
      // A transport may open before it returns the connection; hello then waits for it.
      let returned = false;
      let openedEarly = false;
      try {
        conn = transport({
          open: () => {
            if (returned) hello();
            else openedEarly = true;
          },
          message: (data) => {
            if (closed) return;
            heard = true;
            const parsed = parseMessage(data, ToVisitor);
            if (!parsed.ok) {
              // A service that speaks garbage is not one we can trust to be live; but one bad
              // frame is not worth a reconnect either. Ignore it and let heartbeats decide.
              return;
            }
            const m = parsed.message;
            switch (m.type) {
              case 'welcome':
                if (welcomed) return;
                welcomed = true;
                interval = m.heartbeatMs > 0 ? m.heartbeatMs : options.heartbeatMs;
                arm(interval, tick);
                sendBack({ type: 'socket.welcome', message: m });
                return;
              case 'ping':
                send({ type: 'pong' });
                return;
              case 'pong':
                return;
              case 'blur':
              case 'focus':
                sendBack({ type: `socket.${m.type}`, epoch: m.epoch });
                return;
              case 'showTerms': {
                const { type: _, ...rest } = m;
                sendBack({ type: 'socket.showTerms', ...rest });
                return;
              }
              case 'signal':
                sendBack({
                  type: 'socket.signal',
                  id: m.id,
                  name: m.name,
                  properties: m.properties,
                });
                return;
              case 'error':
                sendBack({ type: 'socket.error', message: m });
                return;
            }
          },
          close: ({ code, reason }) => finish(code, reason),
        });
      } catch (error) {
        // A factory that throws (a bad URL, a blocked scheme) is a failed attempt, not a crash.
        finish(
          1006,
          `could not open the transport: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
      returned = true;
      if (openedEarly) hello();
    };

    // One deadline covers opening the transport and receiving `welcome`.
    arm(options.handshakeTimeoutMs, () => {
      if (!welcomed) abort(CloseCode.handshakeTimeout, '');
    });

    const { token } = options;
    if (typeof token === 'function') {
      Promise.resolve()
        .then(token)
        .then(
          (value) => {
            if (typeof value === 'string' && value.length > 0) open(value);
            else finish(CloseCode.unauthorized, 'the token function returned no token');
          },
          (error: unknown) =>
            finish(
              1006,
              `could not get a token: ${error instanceof Error ? error.message : String(error)}`,
            ),
        );
    } else {
      open(token);
    }

    receive((command) => {
      if (command.type === 'send' && !send(command.message)) {
        sendBack({ type: 'socket.sendFailed', reason: 'the connection is not open' });
      }
    });

    return () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      if (!closed) {
        closed = true;
        conn?.close(CloseCode.normal, 'client disconnect');
      }
    };
  });
}
