import type { SessionRecord, SessionStore, TicketClaims } from './SessionStore.js';

/** Tickets kept at most; past it the oldest are dropped (they expire in seconds anyway). */
const MAX_TICKETS = 100_000;

/**
 * The default {@link SessionStore}: maps in this process. Several hubs of one process (the
 * cluster test) share one, as processes would share a Redis.
 *
 * @example
 * const sessions = createMemorySessionStore();
 * const a = createPresenceHub({ groups, registry, bus, sessions });
 * const b = createPresenceHub({ groups, registry, bus, sessions });
 */
export function createMemorySessionStore(): SessionStore {
  const byKey = new Map<string, SessionRecord>();
  const byVisitor = new Map<string, SessionRecord>();
  // Insertion order is expiry order (one TTL for all), so pruning reads from the front.
  const tickets = new Map<string, { claims: TicketClaims; expiresAt: number }>();
  const keyOf = (groupId: string, sessionKey: string) => `${groupId}/${sessionKey}`;
  const visitorOf = (groupId: string, visitorId: string) => `${groupId}/${visitorId}`;

  const prune = (now: number) => {
    for (const [ticket, entry] of tickets) {
      if (entry.expiresAt > now && tickets.size <= MAX_TICKETS) break;
      tickets.delete(ticket);
    }
  };

  const end = (record: SessionRecord) => {
    byKey.delete(keyOf(record.groupId, record.sessionKey));
    byVisitor.delete(visitorOf(record.groupId, record.visitorId));
  };

  return {
    async start(record) {
      const held = byKey.get(keyOf(record.groupId, record.sessionKey));
      if (held && held.visitorId !== record.visitorId) return { ...held };
      const previous = byVisitor.get(visitorOf(record.groupId, record.visitorId));
      if (previous && previous.sessionKey === record.sessionKey) return { ...previous };
      if (previous) end(previous);
      const stored = { ...record };
      byKey.set(keyOf(record.groupId, record.sessionKey), stored);
      byVisitor.set(visitorOf(record.groupId, record.visitorId), stored);
      return { ...stored };
    },
    async end({ groupId, visitorId }) {
      const record = byVisitor.get(visitorOf(groupId, visitorId));
      if (!record) return undefined;
      end(record);
      return { ...record };
    },
    async find({ groupId, sessionKey }) {
      const record = byKey.get(keyOf(groupId, sessionKey));
      return record && { ...record };
    },
    async ofVisitor({ groupId, visitorId }) {
      const record = byVisitor.get(visitorOf(groupId, visitorId));
      return record && { ...record };
    },
    async putTicket(ticket, claims, expiresAt) {
      prune(Date.now());
      tickets.set(ticket, { claims: { ...claims }, expiresAt });
    },
    async takeTicket(ticket, now) {
      const entry = tickets.get(ticket);
      if (!entry) return undefined;
      tickets.delete(ticket);
      return entry.expiresAt > now ? { ...entry.claims } : undefined;
    },
  };
}
