import { beforeEach, describe, expect, it } from 'vitest';
import type { PresenceRegistry } from '../index.js';
import { listAll } from './listAll.js';

/**
 * The behaviour every {@link PresenceRegistry} must have. Call it from a test file with a
 * factory for the implementation under test; each test gets a fresh registry.
 *
 * @example
 * registryContract('memory', () => createMemoryRegistry());
 */
export function registryContract(
  name: string,
  factory: () => PresenceRegistry | Promise<PresenceRegistry>,
): void {
  describe(`PresenceRegistry contract: ${name}`, () => {
    let r: PresenceRegistry;
    const g = 'shop';
    const v = 'alice';
    const conn = (connectionId: string, at: number, visible = true) =>
      r.connect({ groupId: g, visitorId: v, connectionId, visible, at });

    beforeEach(async () => {
      r = await factory();
    });

    it('a first connection creates the visitor, focused, with a positive epoch', async () => {
      const res = await conn('c1', 1000);
      expect(res.isNew).toBe(true);
      expect(res.focus).toEqual({ epoch: expect.any(Number), connectionId: 'c1' });
      expect(res.focus.epoch).toBeGreaterThan(0);
      expect(res.visitor).toMatchObject({
        groupId: g,
        visitorId: v,
        focusedConnectionId: 'c1',
        epoch: res.focus.epoch,
        visibility: 'visible',
        presence: {},
        lastActiveAt: 1000,
      });
      expect(res.visitor.connections.map((c) => c.connectionId)).toEqual(['c1']);
      expect(await r.countConnections()).toBe(1);
    });

    it('a second connection takes focus from the first with a higher epoch', async () => {
      const a = await conn('c1', 1000);
      const b = await conn('c2', 1001);
      expect(b.isNew).toBe(false);
      expect(b.focus.connectionId).toBe('c2');
      expect(b.focus.previousConnectionId).toBe('c1');
      expect(b.focus.epoch).toBeGreaterThan(a.focus.epoch);
    });

    it('touch moves focus back only when the connection lacked it', async () => {
      const a = await conn('c1', 1000);
      const b = await conn('c2', 1001);
      const back = await r.touch({ groupId: g, visitorId: v, connectionId: 'c1', at: 1002 });
      expect(back).toEqual({
        epoch: expect.any(Number),
        connectionId: 'c1',
        previousConnectionId: 'c2',
      });
      expect(back!.epoch).toBeGreaterThan(b.focus.epoch);
      expect(back!.epoch).toBeGreaterThan(a.focus.epoch);
      expect(
        await r.touch({ groupId: g, visitorId: v, connectionId: 'c1', at: 1003 }),
      ).toBeUndefined();
      expect((await r.get({ groupId: g, visitorId: v }))?.focusedConnectionId).toBe('c1');
    });

    it('touch of an unknown connection changes nothing', async () => {
      await conn('c1', 1000);
      expect(
        await r.touch({ groupId: g, visitorId: v, connectionId: 'nope', at: 1 }),
      ).toBeUndefined();
      expect(
        await r.touch({ groupId: g, visitorId: 'bob', connectionId: 'c1', at: 1 }),
      ).toBeUndefined();
    });

    it('closing the focused connection passes focus to the most recently active one', async () => {
      await conn('c1', 1000);
      await conn('c2', 1001);
      await conn('c3', 1002);
      await r.touch({ groupId: g, visitorId: v, connectionId: 'c1', at: 1003 });
      await r.touch({ groupId: g, visitorId: v, connectionId: 'c3', at: 1004 });
      const before = await r.get({ groupId: g, visitorId: v });
      const res = await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c3', at: 1005 });
      expect(res.focus?.connectionId).toBe('c1');
      expect(res.focus?.previousConnectionId).toBeUndefined();
      expect(res.focus!.epoch).toBeGreaterThan(before!.epoch);
      expect(res.visitor?.connections.map((c) => c.connectionId).sort()).toEqual(['c1', 'c2']);
    });

    it('closing an unfocused connection keeps focus and epoch', async () => {
      await conn('c1', 1000);
      const b = await conn('c2', 1001);
      const res = await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c1', at: 1002 });
      expect(res.focus).toBeUndefined();
      expect(res.visitor).toMatchObject({ focusedConnectionId: 'c2', epoch: b.focus.epoch });
    });

    it('the last connection closing keeps the record, unfocused, until forget', async () => {
      await conn('c1', 1000);
      const res = await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c1', at: 1500 });
      expect(res.focus).toBeUndefined();
      expect(res.visitor?.connections).toEqual([]);
      expect(res.visitor?.disconnectedAt).toBe(1500);
      expect(res.visitor?.focusedConnectionId).toBeUndefined();
      expect(await listAll(r, g)).toHaveLength(1);
      expect(await r.countConnections()).toBe(0);
      expect(await r.forget({ groupId: g, visitorId: v })).toBe(true);
      expect(await r.get({ groupId: g, visitorId: v })).toBeUndefined();
      expect(await listAll(r, g)).toEqual([]);
    });

    it('a reconnect within the grace window is not new and clears disconnectedAt', async () => {
      await conn('c1', 1000);
      await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c1', at: 1500 });
      const back = await conn('c2', 1600);
      expect(back.isNew).toBe(false);
      expect(back.visitor.disconnectedAt).toBeUndefined();
      expect(back.focus.previousConnectionId).toBeUndefined();
    });

    it('forget refuses a visitor that still has connections', async () => {
      await conn('c1', 1000);
      expect(await r.forget({ groupId: g, visitorId: v })).toBe(false);
      expect(await r.forget({ groupId: g, visitorId: 'nobody' })).toBe(false);
    });

    it('epochs are never reused, even after the visitor is forgotten', async () => {
      const first = await conn('c1', 1000);
      await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c1', at: 1001 });
      await r.forget({ groupId: g, visitorId: v });
      const again = await conn('c2', 1002);
      expect(again.isNew).toBe(true);
      expect(again.focus.epoch).toBeGreaterThan(first.focus.epoch);
    });

    it('epochs do not go backwards when the store restarts empty', async () => {
      const before = await conn('c1', 1000);
      r = await factory();
      const after = await conn('c2', 1001);
      expect(after.isNew).toBe(true);
      expect(after.focus.epoch).toBeGreaterThan(before.focus.epoch);
    });

    it('two connections registered at the same instant: one focused, with the newest epoch', async () => {
      const results = await Promise.all([conn('c1', 1000), conn('c2', 1000)]);
      const [older, newer] = [...results].sort((a, b) => a.focus.epoch - b.focus.epoch);
      expect(newer!.focus.epoch).toBeGreaterThan(older!.focus.epoch);
      // The later of the two saw the earlier and took focus from it: that one gets the blur.
      expect(newer!.focus.previousConnectionId).toBe(older!.focus.connectionId);
      expect(results.filter((x) => x.isNew)).toHaveLength(1);
      const rec = await r.get({ groupId: g, visitorId: v });
      expect(rec?.focusedConnectionId).toBe(newer!.focus.connectionId);
      expect(rec?.epoch).toBe(newer!.focus.epoch);
      expect(rec?.connections).toHaveLength(2);
    });

    it('forget with disconnectedAt spares a visitor that came back and left again since', async () => {
      await conn('c1', 1000);
      await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c1', at: 1500 });
      await conn('c2', 1600);
      await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c2', at: 1700 });
      expect(await r.forget({ groupId: g, visitorId: v, disconnectedAt: 1500 })).toBe(false);
      expect((await r.get({ groupId: g, visitorId: v }))?.disconnectedAt).toBe(1700);
      expect(await r.forget({ groupId: g, visitorId: v, disconnectedAt: 1700 })).toBe(true);
      expect(await r.get({ groupId: g, visitorId: v })).toBeUndefined();
    });

    it('lists every visitor of a large group, and only of that group', async () => {
      const ids = Array.from({ length: 1_100 }, (_, i) => `v${i}`);
      await Promise.all(
        ids.map((visitorId, i) =>
          r.connect({ groupId: g, visitorId, connectionId: `c${i}`, visible: true, at: 1000 }),
        ),
      );
      await r.connect({
        groupId: 'other',
        visitorId: 'v1',
        connectionId: 'x',
        visible: true,
        at: 1,
      });
      const listed = await listAll(r, g);
      expect(listed.map((x) => x.visitorId).sort()).toEqual([...ids].sort());
      expect(listed.every((x) => x.groupId === g && x.connections.length === 1)).toBe(true);
      expect(await r.countConnections()).toBe(1_101);
    });

    it('disconnect of an unknown connection reports nothing', async () => {
      const res = await r.disconnect({ groupId: g, visitorId: v, connectionId: 'x', at: 1 });
      expect(res).toEqual({ visibilityChanged: false });
    });

    it('stores the latest presence data and session key', async () => {
      await conn('c1', 1000);
      expect(await r.setPresence({ groupId: g, visitorId: v, data: { url: '/a' }, at: 1001 })).toBe(
        true,
      );
      expect(await r.setPresence({ groupId: g, visitorId: v, data: { url: '/b' }, at: 1002 })).toBe(
        true,
      );
      expect(await r.setSessionKey({ groupId: g, visitorId: v, sessionKey: 'k1' })).toBe(true);
      let rec = await r.get({ groupId: g, visitorId: v });
      expect(rec?.presence).toEqual({ url: '/b' });
      expect(rec?.sessionKey).toBe('k1');
      expect(rec?.lastActiveAt).toBe(1002);
      await r.setSessionKey({ groupId: g, visitorId: v, sessionKey: undefined });
      rec = await r.get({ groupId: g, visitorId: v });
      expect(rec?.sessionKey).toBeUndefined();
      expect(await r.setPresence({ groupId: g, visitorId: 'nobody', data: {}, at: 1 })).toBe(false);
    });

    it('recordPresence stores the data and takes focus for a connection that lacked it', async () => {
      await conn('c1', 1000);
      const b = await conn('c2', 1001);
      const res = await r.recordPresence({
        groupId: g,
        visitorId: v,
        connectionId: 'c1',
        data: { url: '/a', c_step: '1' },
        at: 1002,
      });
      expect(res).toEqual({
        stored: true,
        focus: { epoch: expect.any(Number), connectionId: 'c1', previousConnectionId: 'c2' },
      });
      expect(res.focus?.epoch).toBeGreaterThan(b.focus.epoch);
      const rec = await r.get({ groupId: g, visitorId: v });
      expect(rec).toMatchObject({
        focusedConnectionId: 'c1',
        epoch: res.focus?.epoch,
        presence: { url: '/a', c_step: '1' },
        lastActiveAt: 1002,
      });
      expect(rec?.connections.find((c) => c.connectionId === 'c1')?.lastActiveAt).toBe(1002);
      // Already focused: stored, focus stays where it is.
      expect(
        await r.recordPresence({
          groupId: g,
          visitorId: v,
          connectionId: 'c1',
          data: { url: '/b' },
          at: 1003,
        }),
      ).toEqual({ stored: true });
      const after = await r.get({ groupId: g, visitorId: v });
      expect(after?.presence).toEqual({ url: '/b' });
      expect(after?.epoch).toBe(res.focus?.epoch);
    });

    it('recordPresence as touch then setPresence: unknown visitors and connections', async () => {
      expect(
        await r.recordPresence({
          groupId: g,
          visitorId: 'nobody',
          connectionId: 'c1',
          data: { url: '/x' },
          at: 1,
        }),
      ).toEqual({ stored: false });
      expect(await r.get({ groupId: g, visitorId: 'nobody' })).toBeUndefined();
      // A known visitor, a connection it does not have (closed meanwhile): the data is kept,
      // focus does not move, and time never goes backwards.
      const a = await conn('c1', 1000);
      expect(
        await r.recordPresence({
          groupId: g,
          visitorId: v,
          connectionId: 'gone',
          data: { url: '/late' },
          at: 900,
        }),
      ).toEqual({ stored: true });
      const rec = await r.get({ groupId: g, visitorId: v });
      expect(rec).toMatchObject({
        focusedConnectionId: 'c1',
        epoch: a.focus.epoch,
        presence: { url: '/late' },
        lastActiveAt: 1000,
      });
    });

    it('returns copies: mutating a result does not change the store', async () => {
      const res = await conn('c1', 1000);
      res.visitor.presence.url = '/hacked';
      res.visitor.connections.length = 0;
      const rec = await r.get({ groupId: g, visitorId: v });
      expect(rec?.presence).toEqual({});
      expect(rec?.connections).toHaveLength(1);
    });

    it('visibility: visible if any connection is, hidden from when the last one hid', async () => {
      await conn('c1', 1000);
      await conn('c2', 1001);
      const one = await r.setVisibility({
        groupId: g,
        visitorId: v,
        connectionId: 'c1',
        visible: false,
        at: 1100,
      });
      expect(one).toEqual({ visibility: 'visible', changed: false });
      const two = await r.setVisibility({
        groupId: g,
        visitorId: v,
        connectionId: 'c2',
        visible: false,
        at: 1200,
      });
      expect(two).toEqual({ visibility: 'hidden', changed: true, hiddenSince: 1200 });
      const back = await r.setVisibility({
        groupId: g,
        visitorId: v,
        connectionId: 'c1',
        visible: true,
        at: 1300,
      });
      expect(back).toEqual({ visibility: 'visible', changed: true });
      expect(
        await r.setVisibility({
          groupId: g,
          visitorId: v,
          connectionId: 'zz',
          visible: true,
          at: 1,
        }),
      ).toBeUndefined();
    });

    it('a hidden first connection makes a hidden visitor', async () => {
      const res = await conn('c1', 1000, false);
      expect(res.visibilityChanged).toBe(true);
      expect(res.visitor.visibility).toBe('hidden');
      expect(res.visitor.hiddenSince).toBe(1000);
    });

    it('closing the only visible connection hides the visitor', async () => {
      await conn('c1', 1000, false);
      await conn('c2', 1001, true);
      const res = await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c2', at: 1002 });
      expect(res.visibilityChanged).toBe(true);
      expect(res.visitor?.visibility).toBe('hidden');
    });

    it('markAway turns a visitor away only if it stayed hidden since then', async () => {
      await conn('c1', 1000);
      const hid = await r.setVisibility({
        groupId: g,
        visitorId: v,
        connectionId: 'c1',
        visible: false,
        at: 2000,
      });
      expect(await r.markAway({ groupId: g, visitorId: v, hiddenSince: 1999 })).toBe(false);
      expect(await r.markAway({ groupId: g, visitorId: v, hiddenSince: hid!.hiddenSince! })).toBe(
        true,
      );
      expect((await r.get({ groupId: g, visitorId: v }))?.visibility).toBe('away');
      // Already away: a second call changes nothing.
      expect(await r.markAway({ groupId: g, visitorId: v, hiddenSince: 2000 })).toBe(false);
      const seen = await r.setVisibility({
        groupId: g,
        visitorId: v,
        connectionId: 'c1',
        visible: true,
        at: 3000,
      });
      expect(seen).toEqual({ visibility: 'visible', changed: true });
    });

    it('an away visitor stays away when another hidden connection opens', async () => {
      await conn('c1', 1000, false);
      await r.markAway({ groupId: g, visitorId: v, hiddenSince: 1000 });
      const res = await conn('c2', 2000, false);
      expect(res.visitor.visibility).toBe('away');
      expect(res.visibilityChanged).toBe(false);
    });

    it('groups are isolated: same visitor ID, separate state and epochs', async () => {
      await conn('c1', 1000);
      const other = await r.connect({
        groupId: 'other',
        visitorId: v,
        connectionId: 'c9',
        visible: true,
        at: 1000,
      });
      expect(other.isNew).toBe(true);
      expect(other.focus.previousConnectionId).toBeUndefined();
      await r.setPresence({ groupId: 'other', visitorId: v, data: { url: '/x' }, at: 1001 });
      expect((await r.get({ groupId: g, visitorId: v }))?.presence).toEqual({});
      expect(
        await r.touch({ groupId: g, visitorId: v, connectionId: 'c9', at: 1002 }),
      ).toBeUndefined();
      expect((await listAll(r, g)).map((x) => x.visitorId)).toEqual([v]);
      expect(await r.countConnections()).toBe(2);
    });

    const join = (visitorId: string, connectionId = `${visitorId}-c`, at = 1000) =>
      r.connect({ groupId: g, visitorId, connectionId, visible: true, at });
    const leave = async (visitorId: string, connectionId = `${visitorId}-c`) => {
      await r.disconnect({ groupId: g, visitorId, connectionId, at: 2000 });
      await r.forget({ groupId: g, visitorId });
    };

    it('lists in pages ordered by visitor ID, with next only while more follow', async () => {
      const ids = ['carol', 'Bob', 'alice', 'dave-2', 'dave-10', 'eve_', 'x~y', '0zero'];
      for (const id of ids) await join(id);
      const sorted = [...ids].sort();
      const first = await r.list(g, { limit: 3 });
      expect(first.visitors.map((x) => x.visitorId)).toEqual(sorted.slice(0, 3));
      expect(first.next).toBe(sorted[2]);
      const second = await r.list(g, { after: first.next as string, limit: 3 });
      expect(second.visitors.map((x) => x.visitorId)).toEqual(sorted.slice(3, 6));
      const last = await r.list(g, { after: second.next as string, limit: 3 });
      expect(last.visitors.map((x) => x.visitorId)).toEqual(sorted.slice(6));
      expect(last.next).toBeUndefined();
      // An exact fit ends without a next as well.
      expect((await r.list(g, { limit: ids.length })).next).toBeUndefined();
      expect((await listAll(r, g, 1)).map((x) => x.visitorId)).toEqual(sorted);
    });

    it('a page after an ID that is gone, or of an unknown group, is still right', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await join(id);
      await leave('b');
      expect((await r.list(g, { after: 'b', limit: 10 })).visitors.map((x) => x.visitorId)).toEqual(
        ['c', 'd'],
      );
      expect(await r.list(g, { after: 'zzz', limit: 10 })).toEqual({ visitors: [] });
      expect(await r.list('nobody', { limit: 10 })).toEqual({ visitors: [] });
      // A page never holds more than asked, and returns whole records.
      const page = await r.list(g, { limit: 1 });
      expect(page.visitors).toHaveLength(1);
      expect(page.visitors[0]?.connections).toHaveLength(1);
    });

    it('pages under concurrent joins and leaves: a visitor known throughout appears exactly once', async () => {
      // A seeded walk, so a failure replays: visitors `s…` stay all along; `t…` come and go
      // between pages, before and after the cursor.
      let seed = 42;
      const random = (n: number) => {
        seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
        return seed % n;
      };
      const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~-';
      const id = () =>
        Array.from({ length: 1 + random(5) }, () => alphabet[random(alphabet.length)]).join('');
      for (let round = 0; round < 40; round++) {
        r = await factory();
        const stable = [...new Set(Array.from({ length: random(30) }, id))];
        for (const s of stable) await join(`s${s}`);
        const limit = 1 + random(7);
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await r.list(g, after === undefined ? { limit } : { after, limit });
          expect(page.visitors.length).toBeLessThanOrEqual(limit);
          seen.push(...page.visitors.map((x) => x.visitorId));
          for (let k = random(4); k > 0; k--) {
            if (random(2) === 0) await join(`t${id()}`);
            else await leave(`t${id()}`);
          }
          if (page.next === undefined) break;
          after = page.next;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual(seen);
        for (const s of stable) expect(seen).toContain(`s${s}`);
      }
    });

    describe('push subscriptions', () => {
      const sub = (endpoint: string, expiresAt = 100_000) => ({
        endpoint,
        keys: { p256dh: `p-${endpoint}`, auth: `a-${endpoint}` },
        expiresAt,
      });
      const save = (endpoint: string, at: number, expiresAt?: number, maxPerVisitor = 3) =>
        r.savePushSubscription({
          groupId: g,
          visitorId: v,
          subscription: sub(endpoint, expiresAt),
          at,
          maxPerVisitor,
        });
      const endpoints = async (at = 1_000) =>
        (await r.pushSubscriptions({ groupId: g, visitorId: v, at })).map((s) => s.endpoint);

      it("keeps a visitor's subscriptions, oldest first, whether or not it is connected", async () => {
        expect(await save('https://push.test/1', 10)).toEqual({ evicted: [] });
        await save('https://push.test/2', 20);
        expect(await r.pushSubscriptions({ groupId: g, visitorId: v, at: 30 })).toEqual([
          { ...sub('https://push.test/1'), savedAt: 10 },
          { ...sub('https://push.test/2'), savedAt: 20 },
        ]);
        expect(await r.get({ groupId: g, visitorId: v })).toBeUndefined();
      });

      it('outlive the visitor: forget leaves them', async () => {
        await conn('c1', 1000);
        await save('https://push.test/1', 1000);
        await r.disconnect({ groupId: g, visitorId: v, connectionId: 'c1', at: 1001 });
        expect(await r.forget({ groupId: g, visitorId: v })).toBe(true);
        expect(await endpoints(1002)).toEqual(['https://push.test/1']);
      });

      it('saving an endpoint again replaces it and makes it the newest', async () => {
        await save('https://push.test/1', 10);
        await save('https://push.test/2', 20);
        await save('https://push.test/1', 30, 200_000);
        const list = await r.pushSubscriptions({ groupId: g, visitorId: v, at: 40 });
        expect(list.map((s) => [s.endpoint, s.savedAt, s.expiresAt])).toEqual([
          ['https://push.test/2', 20, 100_000],
          ['https://push.test/1', 30, 200_000],
        ]);
      });

      it('keeps at most maxPerVisitor, evicting the ones saved longest ago', async () => {
        await save('https://push.test/1', 10);
        await save('https://push.test/2', 20);
        await save('https://push.test/3', 30);
        expect(await save('https://push.test/4', 40)).toEqual({ evicted: ['https://push.test/1'] });
        expect(await save('https://push.test/5', 50, undefined, 2)).toEqual({
          evicted: ['https://push.test/2', 'https://push.test/3'],
        });
        expect(await endpoints()).toEqual(['https://push.test/4', 'https://push.test/5']);
      });

      it('drops expired ones and never returns them', async () => {
        await save('https://push.test/1', 10, 500);
        await save('https://push.test/2', 20, 5_000);
        expect(await endpoints(499)).toEqual(['https://push.test/1', 'https://push.test/2']);
        expect(await endpoints(500)).toEqual(['https://push.test/2']);
        // Expired ones do not count towards the bound.
        await save('https://push.test/3', 600, 5_000, 2);
        expect(await endpoints(600)).toEqual(['https://push.test/2', 'https://push.test/3']);
        expect(await endpoints(5_000)).toEqual([]);
      });

      it('removes one subscription; groups and visitors are apart', async () => {
        await save('https://push.test/1', 10);
        await r.savePushSubscription({
          groupId: 'other',
          visitorId: v,
          subscription: sub('https://push.test/1'),
          at: 10,
          maxPerVisitor: 3,
        });
        await r.savePushSubscription({
          groupId: g,
          visitorId: 'bob',
          subscription: sub('https://push.test/9'),
          at: 10,
          maxPerVisitor: 3,
        });
        expect(
          await r.removePushSubscription({
            groupId: g,
            visitorId: v,
            endpoint: 'https://push.test/1',
          }),
        ).toBe(true);
        expect(
          await r.removePushSubscription({
            groupId: g,
            visitorId: v,
            endpoint: 'https://push.test/1',
          }),
        ).toBe(false);
        expect(await endpoints()).toEqual([]);
        expect((await r.pushSubscriptions({ groupId: 'other', visitorId: v, at: 20 })).length).toBe(
          1,
        );
        expect(
          (await r.pushSubscriptions({ groupId: g, visitorId: 'bob', at: 20 })).map(
            (s) => s.endpoint,
          ),
        ).toEqual(['https://push.test/9']);
      });

      it('returns copies', async () => {
        await save('https://push.test/1', 10);
        const [first] = await r.pushSubscriptions({ groupId: g, visitorId: v, at: 20 });
        if (first) first.keys.auth = 'changed';
        expect(
          (await r.pushSubscriptions({ groupId: g, visitorId: v, at: 20 }))[0]?.keys.auth,
        ).toBe('a-https://push.test/1');
      });
    });
  });
}
