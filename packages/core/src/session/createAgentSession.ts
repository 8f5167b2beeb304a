import { backoffDelay, defaultReconnectPolicy } from '../connection/backoff.js';
import type { Clock } from '../connection/clock.js';
import type { Transport } from '../connection/transport.js';
import { CloseCode } from '../wire/codes.js';
import { SESSION_LIMITS, SessionCloseCode } from '../wire/sessionProtocol.js';
import { createListeners } from './createListeners.js';
import { openSessionChannel, type SessionChannel } from './openSessionChannel.js';
import { createSessionAssembler, type SessionMessage } from './sessionChunks.js';

/** Where an agent's view of a session is. */
export type AgentSessionState =
  /** Watching: messages arrive. */
  | 'live'
  /** The channel dropped; a new ticket is on its way. */
  | 'reconnecting'
  /** The session is over (either side ended it, or the visitor left). */
  | 'ended'
  /** This agent called `leave()`. */
  | 'left';

/** What an agent's session handle reports, by event type. */
export interface AgentSessionEventMap {
  /** A whole message from the visitor's side (chunks are put back together). */
  message: SessionMessage;
  /** Drop what you have: the next `snapshot` message starts afresh. */
  resync: { reason: string };
  /** The visitor's app connected to, or left, the session channel (a page load, say). */
  host: { connected: boolean };
  /** The number of viewers changed. */
  viewers: { viewers: number };
  state: { state: AgentSessionState };
  /** The session is over. */
  ended: { reason?: string };
}

export type AgentSessionEventType = keyof AgentSessionEventMap;

/** An agent watching one session; `agent.joinSession(sessionKey)` gives one. */
export interface AgentSession {
  readonly sessionKey: string;
  /** The visitor whose session it is. */
  readonly visitorId: string;
  readonly state: AgentSessionState;
  /** Viewers watching, this agent included. */
  readonly viewers: number;
  /** Whether the visitor's app is on the session channel right now. */
  readonly hostConnected: boolean;
  /** Listens for one event type; returns the function that stops listening. */
  on<K extends AgentSessionEventType>(
    type: K,
    listener: (event: AgentSessionEventMap[K]) => void,
  ): () => void;
  /**
   * Sends a small message (at most `SESSION_LIMITS.maxNoteChars`) to the visitor's side,
   * such as the agent's pointer. False when not live.
   */
  send(data: string): boolean;
  /** Asks the visitor's side for a fresh snapshot (after a rendering failure, say). */
  resync(): boolean;
  /** Stops watching; the session goes on for the visitor and other agents. */
  leave(): void;
  /** Asks the visitor's app to end the session for everyone; `ended` follows. */
  end(reason?: string): void;
}

/** A session ticket as the agent's `joinSession` request returns it. */
export interface ViewerTicket {
  visitorId: string;
  ticket: string;
}

/** Options of {@link createAgentSession}. */
export interface AgentSessionOptions {
  sessionKey: string;
  /** The service's session endpoint. */
  transport: Transport;
  clock: Clock;
  handshakeTimeoutMs: number;
  /** Asks the service for a ticket (the agent's `joinSession` request). */
  requestTicket(): Promise<ViewerTicket>;
  /** The typed error a failed join rejects with (the agent's `AgentRequestError`). */
  error(code: 'sessionNotFound' | 'notConnected', message: string): Error;
  /** Whether a failed ticket request means the session is gone for good. */
  isFinal(error: unknown): boolean;
}

/** Reconnect attempts before the handle gives up on a session that keeps failing. */
const MAX_REJOINS = 12;

/**
 * Joins a session as a viewer: gets a ticket, opens the session channel, and resolves with
 * the handle once the service welcomed it (rejecting with the ticket request's error, or
 * `notConnected` when the channel cannot be opened). While live it puts chunks back
 * together, and when the channel drops it joins again with a fresh ticket.
 *
 * @example
 * const session = await createAgentSession({ sessionKey: 'alice', transport, clock, handshakeTimeoutMs: 10_000, requestTicket, error, isFinal });
 * session.on('message', ({ kind, data }) => render(kind, data));
 */
export async function createAgentSession(options: AgentSessionOptions): Promise<AgentSession> {
  const { clock, sessionKey } = options;
  const { on, tell } = createListeners<AgentSessionEventMap>();
  const assembler = createSessionAssembler();
  let channel: SessionChannel<'viewer'> | undefined;
  let state: AgentSessionState = 'live';
  let viewers = 0;
  let hostConnected = false;
  let visitorId = '';
  let rejoins = 0;
  let timer: unknown;

  const setState = (next: AgentSessionState) => {
    if (state === next) return;
    state = next;
    tell('state', { state });
  };
  const finish = (reason: string | undefined) => {
    if (state === 'ended' || state === 'left') return;
    if (timer !== undefined) clock.clearTimeout(timer);
    channel?.close(CloseCode.normal, 'session over');
    channel = undefined;
    setState('ended');
    tell('ended', reason === undefined ? {} : { reason });
  };

  // One connection: resolves once welcomed, rejects if it closes first.
  const connect = (ticket: string) =>
    new Promise<void>((resolve, reject) => {
      let welcomed = false;
      channel = openSessionChannel({
        role: 'viewer',
        transport: options.transport,
        ticket,
        clock,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        handlers: {
          welcome(w) {
            welcomed = true;
            rejoins = 0;
            assembler.reset();
            visitorId = w.visitorId;
            if (viewers !== w.viewers) {
              viewers = w.viewers;
              tell('viewers', { viewers });
            }
            if (hostConnected !== w.hostConnected) {
              hostConnected = w.hostConnected;
              tell('host', { connected: hostConnected });
            }
            setState('live');
            resolve();
          },
          message(m) {
            switch (m.type) {
              case 'chunk': {
                const done = assembler.add(m);
                if (done === 'broken') channel?.send({ type: 'resync' });
                else if (done) tell('message', done);
                return;
              }
              case 'resync':
                assembler.reset();
                tell('resync', { reason: m.reason });
                return;
              case 'host':
                assembler.reset();
                hostConnected = m.connected;
                tell('host', { connected: m.connected });
                return;
              case 'viewers':
                viewers = m.viewers;
                tell('viewers', { viewers });
                return;
              case 'ended':
                finish(m.reason);
                return;
              case 'error':
                return;
            }
          },
          closed(code, reason) {
            channel = undefined;
            if (!welcomed) {
              reject(options.error('notConnected', `the session channel closed: ${reason}`));
              return;
            }
            if (code === SessionCloseCode.sessionEnded) finish(undefined);
            else rejoin();
          },
        },
      });
    });

  const rejoin = () => {
    if (state === 'ended' || state === 'left') return;
    setState('reconnecting');
    rejoins += 1;
    if (rejoins > MAX_REJOINS) {
      finish('lost the connection to the session');
      return;
    }
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        if (state !== 'reconnecting') return;
        options
          .requestTicket()
          .then((t) => (state === 'reconnecting' ? connect(t.ticket) : undefined))
          .catch((error: unknown) => {
            if (options.isFinal(error)) finish('the session is over');
            else rejoin();
          });
      },
      backoffDelay(rejoins, defaultReconnectPolicy),
    );
  };

  const first = await options.requestTicket();
  visitorId = first.visitorId;
  await connect(first.ticket);

  return {
    sessionKey,
    get visitorId() {
      return visitorId;
    },
    get state() {
      return state;
    },
    get viewers() {
      return viewers;
    },
    get hostConnected() {
      return hostConnected;
    },
    on,
    send: (data) =>
      state === 'live' &&
      typeof data === 'string' &&
      data.length <= SESSION_LIMITS.maxNoteChars &&
      !!channel?.send({ type: 'message', data }),
    resync: () => state === 'live' && !!channel?.send({ type: 'resync' }),
    leave() {
      if (state === 'ended' || state === 'left') return;
      if (timer !== undefined) clock.clearTimeout(timer);
      channel?.close(CloseCode.normal, 'left');
      channel = undefined;
      setState('left');
    },
    end(reason) {
      if (state !== 'live') return;
      channel?.send(reason === undefined ? { type: 'end' } : { type: 'end', reason });
    },
  };
}
