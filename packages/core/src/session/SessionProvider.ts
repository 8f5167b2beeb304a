import type { Clock } from '../connection/clock.js';
import type { Transport } from '../connection/transport.js';
import type { SessionMessageKind } from '../wire/sessionProtocol.js';
import type { createSessionActor } from './createSessionActor.js';

/** What a provider hears while its session runs, by event type. */
export interface SessionEventMap {
  /** The session channel is open: `send` works from now on. `viewers` watch right now. */
  open: { viewers: number };
  /** The channel was lost; core opens it again with a fresh ticket. `send` fails meanwhile. */
  close: { code: number; reason: string };
  /** The number of viewers changed. */
  viewers: { viewers: number };
  /** A viewer needs the whole state (it joined, or fell behind): send a `snapshot` soon. */
  resync: { reason: string };
  /** A viewer's message to the visitor's side, such as an agent's pointer. */
  message: { data: string; agentId: string; from: string };
  /**
   * The channel could not be opened: the service refused the ticket (`fatal: true`, core
   * stops trying until the presence connection comes back) or stayed out of reach. A
   * provider may end the session (`context.end`) or carry on without viewers.
   */
  error: { code: string; message: string; fatal: boolean };
}

export type SessionEventType = keyof SessionEventMap;

/**
 * What core hands a provider when a session starts: the session's identity, a channel to
 * its viewers, and the way to end it. Core opens the channel (a ticket from the service,
 * then the session endpoint through the provider's `transport`), reopens it when it drops,
 * and cuts large messages into chunks; the provider only says what to show.
 */
export interface SessionContext {
  readonly sessionKey: string;
  /** Whether the session follows an agent's One-Click request (`showTerms`). */
  readonly presenceStart: boolean;
  readonly groupId: string;
  readonly visitorId: string;
  /** Viewers (agents) watching now. */
  readonly viewers: number;
  /** Whether the channel is open: `send` goes out only then. */
  readonly open: boolean;
  /**
   * Sends one message to every viewer, as one piece however large (up to
   * `SESSION_LIMITS.maxMessageChars`; core chunks it). Returns false, sending nothing,
   * when the channel is not open or the message is too large: nothing is queued.
   */
  send(kind: SessionMessageKind, data: string): boolean;
  /**
   * Ends the session for everyone — the visitor pressed Stop, or the provider failed. The
   * agent sees `sessionEnd` with `reason`; core then stops the provider.
   */
  end(reason: string): void;
  /** Listens for one event type; returns the function that stops listening. */
  on<K extends SessionEventType>(
    type: K,
    listener: (event: SessionEventMap[K]) => void,
  ): () => void;
}

/** A running provider, as `start` returns it. */
export interface SessionRun {
  /** The session is over (either side ended it): stop capturing, remove what was shown. */
  stop(): void;
}

/**
 * What a session provider is made of; {@link defineSessionProvider} turns it into the
 * {@link SessionProvider} that `createVisitor({ session })` takes.
 */
export interface SessionProviderSpec {
  /** How to reach the service's session endpoint (`/session` next to the presence one). */
  readonly transport: Transport;
  /** Starts sharing. Called once per session, when it starts. */
  start(context: SessionContext): SessionRun;
}

/**
 * The contract of a session: what runs on the visitor's side between the start of a
 * session (an accepted consent request, or the app's `startSession()`) and its end. Core
 * never starts a provider before that, and stops it as soon as the session ends. Inject one
 * like the transport and the consent UI; make one with `defineSessionProvider`, which also
 * brings the session channel's machinery along — so an app without sessions never bundles it.
 *
 * @example
 * const visitor = createVisitor({
 *   transport: webSocketTransport({ url: 'wss://presence.example.com/' }),
 *   session: cobrowseSession({ transport: webSocketTransport({ url: 'wss://presence.example.com/session' }) }),
 * });
 */
export interface SessionProvider extends SessionProviderSpec {
  /** Core's side of the provider: the visitor machine's `session` actor. */
  readonly runtime: (options: {
    clock: Clock;
    handshakeTimeoutMs: number;
  }) => ReturnType<typeof createSessionActor>;
}
