import type { Peer, PeerMeta } from '@beckon/core';
import type { RateLimiter } from './rateLimiter.js';
import type { Incoming } from './requestDelivery.js';
import type { Pending } from './signalRelay.js';

export type Role = 'visitor' | 'agent';

/** One connection accepted by this hub, whatever its role. */
export interface Conn {
  id: string;
  peer: Peer;
  meta: PeerMeta;
  phase: 'handshake' | 'joining' | 'open' | 'closed';
  /** Closing once what was accepted is answered: no frame is accepted anymore. */
  closing: boolean;
  /** Known from `hello` on. (Always present, so the object never grows a property store.) */
  role: Role | undefined;
  groupId: string;
  visitorId: string;
  agentId: string;
  /** The registry knows (or may know) this visitor connection; teardown must remove it. */
  registered: boolean;
  // What this visitor connection last told the service, kept so that it can be registered
  // again should a cluster's shared state lose it (see `resync`).
  /** Whether the app is in the foreground, as of `hello` or its latest `visibility`. */
  visible: boolean;
  /** Its latest `presence` data (the object the frame gate parsed; not copied). */
  presence: Record<string, string> | undefined;
  watchAll: boolean;
  // The collections below are made on first use: most connections are visitors that never
  // need them, and three empty ones cost ~600 bytes per connection. (Always present, maybe
  // undefined, so every connection object keeps one shape.)
  /** Agent: visitors watched one by one. */
  watched: Set<string> | undefined;
  /** Agent: its requests in flight, by request ID. */
  requests: Map<number, Pending> | undefined;
  /** Visitor: requests shown on this connection and not acknowledged yet, by wire ID. */
  awaiting: Map<number, Incoming> | undefined;
  /** Visitor: the session this connection announced (`sessionStart`) and has not ended. */
  sessionKey: string | undefined;
  /** Visitor: it was given a ticket for that session (later ones need no focus). */
  sessionTicketed: boolean;
  limiter: RateLimiter;
  limitedStreak: number;
  /** When its recent bad frames came; made on the first. */
  badFrames: number[] | undefined;
  lastSeen: number;
  /** When the last ping went out (transport or protocol); undefined until the first. */
  pingedAt: number | undefined;
  /** Handlers of one connection run one after another, so a pipelined frame never overtakes `hello`. */
  queue: Promise<void>;
  handshakeTimer: unknown;
  /** Terminates the peer if it does not complete the close in time. */
  closeTimer: unknown;
  /** Agent: live events held back while a reply is produced, and their size. */
  held: string[] | undefined;
  heldBytes: number;
  /** Agent: how many visitors to ask the registry for, from what the last page could hold. */
  pageHint: number;
}

/**
 * A connection that has just been accepted and has not said `hello` yet.
 *
 * @example
 * const conn = createConn(bus.createConnectionId(), peer, meta, createRateLimiter(limit, now()), now());
 */
export function createConn(
  id: string,
  peer: Peer,
  meta: PeerMeta,
  limiter: RateLimiter,
  at: number,
): Conn {
  return {
    id,
    peer,
    meta,
    phase: 'handshake',
    closing: false,
    role: undefined,
    groupId: '',
    visitorId: '',
    agentId: '',
    registered: false,
    visible: true,
    presence: undefined,
    watchAll: false,
    watched: undefined,
    requests: undefined,
    awaiting: undefined,
    sessionKey: undefined,
    sessionTicketed: false,
    limiter,
    limitedStreak: 0,
    badFrames: undefined,
    lastSeen: at,
    pingedAt: undefined,
    queue: Promise.resolve(),
    handshakeTimer: undefined,
    closeTimer: undefined,
    held: undefined,
    heldBytes: 0,
    pageHint: 0,
  };
}

/**
 * Whether the connection is closing or closed. A function, not an inline comparison:
 * TypeScript does not know that `await` lets `phase` change.
 *
 * @example
 * const result = await registry.connect(input);
 * if (isClosed(conn)) return;
 */
export function isClosed(conn: Conn): boolean {
  return conn.phase === 'closed';
}

/**
 * The key of a visitor in this hub's own maps.
 *
 * @example
 * held.get(visitorKey('shop', 'alice')); // the key is 'shop/alice'
 */
export function visitorKey(groupId: string, visitorId: string): string {
  return `${groupId}/${visitorId}`;
}
