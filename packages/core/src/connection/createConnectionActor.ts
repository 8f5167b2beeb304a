import { fromCallback } from 'xstate';
import { CloseCode, describeClose } from '../wire/codes.js';
import type { ParseResult, ProtocolError } from '../wire/frame.js';
import { LIMITS } from '../wire/limits.js';
import {
  encodeMessage,
  type FromAgent,
  type FromVisitor,
  type ToAgent,
  type ToVisitor,
} from '../wire/protocol.js';
import { MAX_TIMER_MS } from './clientOptions.js';
import type { Clock } from './clock.js';
import type { Transport, TransportConnection } from './transport.js';

/** A token, or a function that fetches a fresh one for every connection attempt. */
export type TokenSource = string | (() => string | Promise<string>);

type Inbound = ToVisitor | ToAgent;
type Outbound = FromVisitor | FromAgent;
type Welcome<I extends Inbound> = Extract<I, { type: 'welcome' }>;

/**
 * What differs between the visitor's and the agent's connection: the hello they say, the
 * channel they read, and where each message goes. Everything else — token, handshake
 * deadline, heartbeats, validation, close reasons — is the same actor.
 */
export interface ConnectionRole<
  Input,
  I extends Inbound,
  O extends Outbound,
  R extends { type: string },
> {
  /**
   * Validates an incoming frame: `parseMessage` against `ToAgent` for the agent, the
   * zod-free `parseFrame` with the table generated from `ToVisitor` for the visitor.
   */
  parse(frame: string): ParseResult<I>;
  /** The hello for this attempt, with the token fetched for it (if any). */
  hello(input: Input, token: string | undefined): O;
  /** The machine event for a validated frame other than welcome, ping and pong. */
  route(message: Exclude<I, { type: 'welcome' | 'ping' | 'pong' }>): R;
}

/** Events the connection actor reports to its machine, besides the role's routed ones. */
export type ConnectionEvent<I extends Inbound, O extends Outbound> =
  | { type: 'socket.welcome'; message: Welcome<I> }
  /** A frame that failed validation. It was not acted on; the machine tells the app. */
  | { type: 'socket.invalid'; error: ProtocolError }
  /** The transport refused a frame: nothing was sent. */
  | { type: 'socket.sendFailed'; message: O; reason: string }
  | { type: 'socket.closed'; code: number; reason: string };

/** What the machine sends the connection actor. */
export type ConnectionCommand<O extends Outbound> = { type: 'send'; message: O };

/** What a connection needs whatever its role: `createVisitorConnection`'s and `createAgentConnection`'s options. */
export interface ConnectionOptions {
  transport: Transport;
  clock: Clock;
  /** Required for agents; visitors send one only when the group asks for it. */
  token?: TokenSource | undefined;
  /** Deadline for the token, opening the transport and the service's welcome. */
  handshakeTimeoutMs: number;
  /** Heartbeat interval until the service's welcome names its own. */
  heartbeatMs: number;
}

/** Options of {@link createConnectionActor}: the connection's, and the role it speaks in. */
export interface ConnectionActorOptions<
  Input,
  I extends Inbound,
  O extends Outbound,
  R extends { type: string },
> extends ConnectionOptions {
  role: ConnectionRole<Input, I, O, R>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function tokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) {
    return 'the token function returned no token';
  }
  if (value.length > LIMITS.maxTextLength) {
    return `the token is ${value.length} characters; at most ${LIMITS.maxTextLength} are sent`;
  }
  return undefined;
}

/**
 * The long-lived connection of either role, as an XState callback actor: fetches the token,
 * opens the transport, says hello, validates every frame, answers pings and notices a silent
 * service. It lives while its machine is online; stopping it closes the transport.
 *
 * - **Handshake**: one deadline covers fetching the token, opening the transport and the
 *   welcome; missing it closes with {@link CloseCode.handshakeTimeout}.
 * - **Heartbeats** (docs/protocol.md): after the welcome, silence for one interval sends a
 *   `ping`; silence for another closes with {@link CloseCode.heartbeatTimeout}. Any frame,
 *   valid or not, counts as hearing from the service.
 * - **Invalid frames** are reported as `socket.invalid` with the typed {@link ProtocolError},
 *   never dropped silently; one bad frame is not worth a reconnect.
 *
 * @example
 * const socket = createConnectionActor({
 *   transport, clock: systemClock, role: visitorRole, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000,
 * });
 * const machine = visitorMachine.provide({ actors: { socket } });
 */
export function createConnectionActor<
  Input,
  I extends Inbound,
  O extends Outbound,
  R extends { type: string },
>(options: ConnectionActorOptions<Input, I, O, R>) {
  const { transport, clock, role } = options;
  return fromCallback<ConnectionCommand<O>, Input, ConnectionEvent<I, O> | R>(
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
        sendBack({ type: 'socket.closed', code, reason: describeClose(code, reason) });
      };
      const arm = (ms: number, fn: () => void) => {
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = clock.setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
      };
      // Our own reason goes first: closing the transport fires its close handler, which must
      // not overwrite why we gave up.
      const abort = (code: number, reason: string) => {
        finish(code, reason);
        conn?.close(CloseCode.normal, describeClose(code, reason));
      };
      const send = (message: O): boolean => {
        if (!conn || closed) return false;
        return conn.send(encodeMessage(message));
      };
      // Re-armed by every frame, so the ping goes out after exactly one silent interval. The
      // deadline is armed before the ping leaves: a transport may deliver the pong inside send.
      const listen = () => {
        arm(interval, () => {
          arm(interval, () => abort(CloseCode.heartbeatTimeout, ''));
          send({ type: 'ping' } as O);
        });
      };
      // The transport may open before it returns the connection, or after: hello waits for both.
      const sayHello = () => {
        if (closed || helloSent || !opened || !conn) return;
        helloSent = true;
        if (!send(role.hello(input, token))) abort(CloseCode.abnormal, 'could not send hello');
      };

      const onFrame = (data: string) => {
        if (closed) return;
        if (welcomed) listen();
        const parsed = role.parse(data);
        if (!parsed.ok) {
          sendBack({ type: 'socket.invalid', error: parsed.error });
          return;
        }
        const m = parsed.message;
        switch (m.type) {
          case 'welcome': {
            if (welcomed) return;
            welcomed = true;
            const named = (m as Welcome<I>).heartbeatMs;
            interval = named > 0 ? named : options.heartbeatMs;
            listen();
            sendBack({ type: 'socket.welcome', message: m as Welcome<I> });
            return;
          }
          case 'ping':
            send({ type: 'pong' } as O);
            return;
          case 'pong':
            return;
          default:
            sendBack(role.route(m as Exclude<I, { type: 'welcome' | 'ping' | 'pong' }>));
        }
      };

      const open = () => {
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
          // A factory that throws (a bad URL, a blocked scheme) is a failed attempt, not a crash.
          finish(CloseCode.abnormal, `could not open the transport: ${messageOf(error)}`);
          return;
        }
        conn = connection;
        if (closed) {
          // Stopped (or refused) before the transport returned: do not leave it open.
          if (connection.readyState !== 'closed') {
            connection.close(CloseCode.normal, 'client disconnect');
          }
          return;
        }
        sayHello();
      };

      arm(options.handshakeTimeoutMs, () => {
        if (!welcomed) abort(CloseCode.handshakeTimeout, '');
      });

      // The token comes first: a connection is only opened when there is a hello to say.
      const source = options.token;
      if (typeof source === 'function') {
        Promise.resolve()
          .then(source)
          .then(
            (value: unknown) => {
              if (closed) return;
              const problem = tokenProblem(value);
              if (problem) {
                finish(CloseCode.unauthorized, problem);
                return;
              }
              token = value as string;
              open();
            },
            (error: unknown) =>
              finish(CloseCode.abnormal, `could not get a token: ${messageOf(error)}`),
          );
      } else {
        token = source;
        open();
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
