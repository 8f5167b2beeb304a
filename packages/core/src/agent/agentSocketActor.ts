import { fromCallback } from 'xstate';
import type { Clock } from '../connection/clock.js';
import {
  ABNORMAL_CLOSURE,
  type Transport,
  type TransportConnection,
} from '../connection/transport.js';
import { LIMITS } from '../wire/limits.js';
import {
  type AgentEvent,
  CloseCode,
  encodeMessage,
  type FromAgent,
  PROTOCOL_VERSION,
  type ProtocolError,
  parseMessage,
  ToAgent,
} from '../wire/protocol.js';
import type { AgentReply } from './agentRequest.js';

/** An agent token, or a function that fetches a fresh one for every connection attempt. */
export type AgentTokenSource = string | (() => string | Promise<string>);

/** What the agent machine hands the socket actor when it opens a connection. */
export interface AgentSocketInput {
  groupId: string;
}

type WelcomeMessage = Extract<ToAgent, { type: 'welcome' }>;
type ErrorMessage = Extract<ToAgent, { type: 'error' }>;

/** Events the socket actor reports to the agent machine. */
export type AgentSocketEvent =
  | { type: 'socket.welcome'; message: WelcomeMessage }
  | { type: 'socket.reply'; message: AgentReply }
  | { type: 'socket.event'; event: AgentEvent }
  | { type: 'socket.error'; message: ErrorMessage }
  /** A frame that failed validation; it was ignored. */
  | { type: 'socket.invalid'; error: ProtocolError }
  | { type: 'socket.sendFailed'; message: FromAgent; reason: string }
  | { type: 'socket.closed'; code: number; reason: string };

/** Events the agent machine sends the socket actor. */
export type AgentSocketCommand = { type: 'send'; message: FromAgent };

export interface AgentSocketActorOptions {
  transport: Transport;
  clock: Clock;
  token: AgentTokenSource;
  /** How long to wait for `welcome`, counted from the start of the attempt (token fetch included). */
  handshakeTimeoutMs: number;
  /** Used when the service's `welcome` names no interval of its own. */
  heartbeatMs: number;
}

// Longest delay a JavaScript timer can hold; a larger one fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

const closeReasons: Record<number, string> = {
  [CloseCode.normal]: 'closed',
  [ABNORMAL_CLOSURE]: 'connection lost',
  [CloseCode.tooLarge]: 'frame too large',
  [CloseCode.badRequest]: 'the service refused our messages',
  [CloseCode.unauthorized]: 'unauthorized: the agent token is missing, invalid or expired',
  [CloseCode.forbidden]: 'forbidden: the token does not grant this group',
  [CloseCode.notConfigured]: 'presence is not configured for this group',
  [CloseCode.unsupportedVersion]: 'protocol version not supported by the service',
  [CloseCode.handshakeTimeout]: 'handshake timed out',
  [CloseCode.heartbeatTimeout]: 'no heartbeat from the service',
  [CloseCode.reconnect]: 'service restarting',
  [CloseCode.rateLimited]: 'rate limited',
};

function tokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0)
    return 'the token function returned no token';
  if (value.length > LIMITS.maxTextLength) {
    return `the token is ${value.length} characters; at most ${LIMITS.maxTextLength} are sent`;
  }
  return undefined;
}

/**
 * The agent's connection as an XState callback actor: fetches the token, opens the
 * transport, says hello, validates every frame, answers pings and notices a silent service.
 * It lives while the agent machine is online; stopping it closes the transport.
 *
 * Liveness: whenever the service has been silent for one heartbeat interval (from its
 * `welcome`), the actor pings; silence for another interval closes the link with
 * {@link CloseCode.heartbeatTimeout}, and the machine reconnects.
 *
 * @example
 * const machine = agentMachine.provide({
 *   actors: { socket: createAgentSocketActor({ transport, clock: systemClock, token, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) },
 * });
 */
export function createAgentSocketActor(options: AgentSocketActorOptions) {
  const { transport, clock } = options;
  return fromCallback<AgentSocketCommand, AgentSocketInput, AgentSocketEvent>(
    ({ input, sendBack, receive }) => {
      let conn: TransportConnection | undefined;
      let token: string | undefined;
      let closed = false;
      let opened = false;
      let helloSent = false;
      let welcomed = false;
      let timer: unknown;
      let interval = options.heartbeatMs;

      const finish = (code: number, reason: string) => {
        if (closed) return;
        closed = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        sendBack({
          type: 'socket.closed',
          code,
          reason: reason || closeReasons[code] || `closed (${code})`,
        });
      };
      const arm = (ms: number, fn: () => void) => {
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = clock.setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
      };
      // Our own reason goes first: closing the transport fires its close handler, which must
      // not overwrite why we gave up.
      const abort = (code: number, reason: string) => {
        finish(code, reason);
        conn?.close(CloseCode.normal, reason || closeReasons[code]);
      };
      const send = (message: FromAgent): boolean => {
        if (!conn || closed) return false;
        return conn.send(encodeMessage(message));
      };
      // Re-armed by every frame, so the ping goes out after exactly one silent interval.
      const listen = () => {
        arm(interval, () => {
          send({ type: 'ping' });
          arm(interval, () => abort(CloseCode.heartbeatTimeout, ''));
        });
      };
      // The transport may open before it returns the connection, or after: hello waits for both.
      const sayHello = () => {
        if (closed || helloSent || !opened || !conn || token === undefined) return;
        helloSent = true;
        const sent = send({
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'agent',
          groupId: input.groupId,
          token,
        });
        if (!sent) abort(ABNORMAL_CLOSURE, 'could not send hello');
      };

      const onFrame = (data: string) => {
        if (closed) return;
        if (welcomed) listen();
        const parsed = parseMessage(data, ToAgent);
        if (!parsed.ok) {
          // One bad frame is not worth a reconnect: report it, ignore it, and let the
          // heartbeat judge whether the service is still there.
          sendBack({ type: 'socket.invalid', error: parsed.error });
          return;
        }
        const m = parsed.message;
        switch (m.type) {
          case 'welcome':
            if (welcomed) return;
            welcomed = true;
            interval = m.heartbeatMs > 0 ? m.heartbeatMs : options.heartbeatMs;
            listen();
            sendBack({ type: 'socket.welcome', message: m });
            return;
          case 'ping':
            send({ type: 'pong' });
            return;
          case 'pong':
            return;
          case 'visitors':
          case 'visitor':
          case 'ok':
          case 'delivered':
          case 'failed':
            sendBack({ type: 'socket.reply', message: m });
            return;
          case 'error':
            sendBack({ type: 'socket.error', message: m });
            return;
          default:
            sendBack({ type: 'socket.event', event: m });
        }
      };

      const open = (value: string) => {
        if (closed) return;
        token = value;
        let connection: TransportConnection;
        try {
          connection = transport({
            open: () => {
              if (closed) return;
              opened = true;
              sayHello();
            },
            message: onFrame,
            close: ({ code, reason }) => finish(code, reason),
          });
        } catch (error) {
          finish(
            ABNORMAL_CLOSURE,
            `the transport failed to connect: ${error instanceof Error ? error.message : String(error)}`,
          );
          return;
        }
        conn = connection;
        if (closed) {
          // Stopped (or refused) before the transport returned: do not leave it open.
          if (connection.readyState !== 'closed')
            connection.close(CloseCode.normal, 'client disconnect');
          return;
        }
        sayHello();
      };

      // One deadline covers fetching the token, opening the transport and the welcome.
      arm(options.handshakeTimeoutMs, () => {
        if (!welcomed) abort(CloseCode.handshakeTimeout, '');
      });

      const source = options.token;
      if (typeof source === 'function') {
        Promise.resolve()
          .then(source)
          .then(
            (value: unknown) => {
              const problem = tokenProblem(value);
              if (problem) finish(CloseCode.unauthorized, problem);
              else open(value as string);
            },
            (error: unknown) =>
              finish(
                ABNORMAL_CLOSURE,
                `could not get a token: ${error instanceof Error ? error.message : String(error)}`,
              ),
          )
          .catch((error: unknown) =>
            finish(
              ABNORMAL_CLOSURE,
              `connect failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
      } else {
        open(source);
      }

      receive((command) => {
        if (command.type === 'send' && !send(command.message)) {
          sendBack({
            type: 'socket.sendFailed',
            message: command.message,
            reason: 'the connection is not open',
          });
        }
      });

      return () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        if (!closed) {
          closed = true;
          conn?.close(CloseCode.normal, 'client disconnect');
        }
      };
    },
  );
}
