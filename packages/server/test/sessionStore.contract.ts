import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord, SessionStore, TicketClaims } from '../src/index.js';

/**
 * The behaviour every {@link SessionStore} must have. Call it from a test file with a
 * factory for the implementation under test; each test gets a fresh store.
 *
 * @example
 * sessionStoreContract('memory', () => createMemorySessionStore());
 */
export function sessionStoreContract(
  name: string,
  factory: () => SessionStore | Promise<SessionStore>,
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let s: SessionStore;
    const session = (visitorId: string, sessionKey: string, startedAt = 1): SessionRecord => ({
      groupId: 'shop',
      visitorId,
      sessionKey,
      presenceStart: true,
      startedAt,
    });
    const claims: TicketClaims = {
      role: 'viewer',
      groupId: 'shop',
      visitorId: 'alice',
      sessionKey: 'alice',
      connectionId: 'c-1',
      agentId: 'agent-1',
    };

    beforeEach(async () => {
      s = await factory();
    });

    it('finds a session by its key and by its visitor, until it ends', async () => {
      expect(await s.start(session('alice', 'case-1'))).toEqual(session('alice', 'case-1'));
      expect(await s.find({ groupId: 'shop', sessionKey: 'case-1' })).toEqual(
        session('alice', 'case-1'),
      );
      expect(await s.ofVisitor({ groupId: 'shop', visitorId: 'alice' })).toMatchObject({
        sessionKey: 'case-1',
      });
      expect(await s.find({ groupId: 'other', sessionKey: 'case-1' })).toBeUndefined();
      expect(await s.end({ groupId: 'shop', visitorId: 'alice' })).toMatchObject({
        sessionKey: 'case-1',
      });
      expect(await s.find({ groupId: 'shop', sessionKey: 'case-1' })).toBeUndefined();
      expect(await s.end({ groupId: 'shop', visitorId: 'alice' })).toBeUndefined();
    });

    it('keeps a key for its visitor: another visitor cannot take it, the same one announces it again', async () => {
      await s.start(session('alice', 'k', 1));
      expect(await s.start(session('bob', 'k', 2))).toMatchObject({ visitorId: 'alice' });
      expect(await s.ofVisitor({ groupId: 'shop', visitorId: 'bob' })).toBeUndefined();
      // Again by alice (the next page): the first start stands.
      expect(await s.start(session('alice', 'k', 3))).toMatchObject({ startedAt: 1 });
      // A new key for alice replaces her old session.
      await s.start(session('alice', 'k2', 4));
      expect(await s.find({ groupId: 'shop', sessionKey: 'k' })).toBeUndefined();
      expect(await s.start(session('bob', 'k', 5))).toMatchObject({ visitorId: 'bob' });
    });

    it('hands out a ticket once, and not after it expired', async () => {
      await s.putTicket('t1', claims, 1_000);
      expect(await s.takeTicket('t1', 500)).toEqual(claims);
      expect(await s.takeTicket('t1', 500)).toBeUndefined();
      await s.putTicket('t2', claims, 1_000);
      expect(await s.takeTicket('t2', 1_000)).toBeUndefined();
      expect(await s.takeTicket('never', 0)).toBeUndefined();
    });
  });
}
