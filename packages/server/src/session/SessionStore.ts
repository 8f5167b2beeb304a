/**
 * What the presence service keeps about sessions, behind one small interface so that a
 * shared store (Redis) can replace the in-memory one, as for the `PresenceRegistry`: which
 * visitor's session holds a key in a group, and the one-time tickets that admit a
 * connection to the session channel. Every operation is one atomic step.
 */

/** A running session, as the visitor's `sessionStart` announced it. */
export interface SessionRecord {
  groupId: string;
  sessionKey: string;
  visitorId: string;
  presenceStart: boolean;
  /** When the first announcement of this session arrived (ms since the epoch). */
  startedAt: number;
}

/** Who a ticket admits to the session channel, and as what. */
export interface TicketClaims {
  role: 'host' | 'viewer';
  groupId: string;
  visitorId: string;
  sessionKey: string;
  /** The presence connection that asked for the ticket. */
  connectionId: string;
  /** Viewers: the agent (the `sub` of its token). */
  agentId?: string;
}

/**
 * The session store. Rules every implementation follows (and `test/sessionStore.contract.ts`
 * checks):
 *
 * - A key belongs to at most one visitor of a group at a time: the first to start a session
 *   with it, until that visitor ends it. The same visitor announcing it again (a page load,
 *   a reconnect) keeps it.
 * - A ticket is taken at most once, and not after it expired.
 */
export interface SessionStore {
  /**
   * Records the session, unless another visitor's session holds the key. Returns the
   * session that holds the key afterwards (the new one, or the other visitor's).
   */
  start(record: SessionRecord): Promise<SessionRecord>;
  /** Ends the visitor's session, if it has one. Returns the session that ended. */
  end(key: { groupId: string; visitorId: string }): Promise<SessionRecord | undefined>;
  /** The session that holds a key in a group. */
  find(key: { groupId: string; sessionKey: string }): Promise<SessionRecord | undefined>;
  /** The visitor's session, if it has one. */
  ofVisitor(key: { groupId: string; visitorId: string }): Promise<SessionRecord | undefined>;
  /** Keeps a ticket until `expiresAt` (ms since the epoch). */
  putTicket(ticket: string, claims: TicketClaims, expiresAt: number): Promise<void>;
  /** Takes a ticket: its claims once, if it has not expired by `now`; then it is gone. */
  takeTicket(ticket: string, now: number): Promise<TicketClaims | undefined>;
}
