import type { Peer, PeerMeta } from '@beckon/core';
import type { SessionChunk } from '@beckon/core/protocol';
import type { RateLimiter } from '../hub/rateLimiter.js';
import type { TicketClaims } from './SessionStore.js';
import type { ViewerFlow } from './viewerFlow.js';

/** A peer of the session channel; `bufferedAmount` (bytes queued for it) drives the flow rules. */
export interface SessionPeer extends Peer {
  /** Bytes written and not yet sent; peers without it count as never behind. */
  readonly bufferedAmount?: number;
}

/** One connection to the session endpoint, either role. */
export interface SessionConn {
  id: string;
  peer: SessionPeer;
  meta: PeerMeta;
  phase: 'handshake' | 'joining' | 'open' | 'closed';
  /** From the ticket, once redeemed. */
  claims: TicketClaims | undefined;
  lastSeen: number;
  pingedAt: number | undefined;
  handshakeTimer: unknown;
  /** When its recent bad frames came. */
  badFrames: number[];
  /** Host: bytes it may still send (a bucket refilled at the configured rate). */
  tokens: number;
  tokensAt: number;
  /** Host: the message whose chunks are arriving, if one is incomplete. */
  partial: (Pick<SessionChunk, 'seq' | 'parts' | 'kind'> & { next: number }) | undefined;
  /** Host: the last complete message's `seq` (−1 before the first). */
  lastSeq: number;
  /** Viewer: the flow rule's state. */
  flow: ViewerFlow | undefined;
  /** Viewer: its frame bucket (as on presence connections). */
  limiter: RateLimiter | undefined;
  bytesIn: number;
  bytesOut: number;
  openedAt: number;
}

/**
 * A session channel connection that has just been accepted.
 *
 * @example
 * const conn = createSessionConn(bus.createConnectionId(), peer, meta, now());
 */
export function createSessionConn(
  id: string,
  peer: SessionPeer,
  meta: PeerMeta,
  at: number,
): SessionConn {
  return {
    id,
    peer,
    meta,
    phase: 'handshake',
    claims: undefined,
    lastSeen: at,
    pingedAt: undefined,
    handshakeTimer: undefined,
    badFrames: [],
    tokens: 0,
    tokensAt: at,
    partial: undefined,
    lastSeq: -1,
    flow: undefined,
    limiter: undefined,
    bytesIn: 0,
    bytesOut: 0,
    openedAt: at,
  };
}
