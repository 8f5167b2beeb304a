import {
  type ConsentUI,
  createVisitor,
  type Visitor,
  type VisitorEvent,
  type VisitorEventType,
} from '@beckon/core';
import {
  type Agent,
  type AgentEvent,
  type AgentEventType,
  AgentRequestError,
  createAgent,
} from '@beckon/core/agent';
import { encodeMessage, LIMITS, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintAgentToken, mintVisitorToken } from '../../src/index.js';
import {
  AGENT_SECRET,
  ALLOWED_ORIGIN,
  OTHER_SECRET,
  type Target,
  VISITOR_SECRET,
} from './targets.js';

const WAIT = 5_000;

/** Resolves with the next event of a type (or rejects after `ms`, naming what it waited for). */
function next<T>(
  subscribe: (listener: (event: T) => void) => () => void,
  what: string,
  match: (event: T) => boolean = () => true,
  ms = WAIT,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const off = subscribe((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

const visitorEvent = <K extends VisitorEventType>(
  v: Visitor,
  type: K,
  match?: (e: VisitorEvent<K>) => boolean,
  ms?: number,
) => next<VisitorEvent<K>>((l) => v.on(type, l), `visitor ${type}`, match, ms);

const agentEvent = <K extends AgentEventType>(
  a: Agent,
  type: K,
  match?: (e: AgentEvent<K>) => boolean,
  ms?: number,
) => next<AgentEvent<K>>((l) => a.on(type, l), `agent ${type}`, match, ms);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A consent UI that answers by itself, as a visitor clicking at once would. */
const answering = (decision: 'accepted' | 'declined'): ConsentUI => ({
  show(_request, respond) {
    setTimeout(() => respond(decision), 10);
    return () => {};
  },
});

/**
 * Every end-to-end test, against one way of reaching the service: the seed's rules hold
 * whichever target runs them (one process, the service in this process, or a cluster of
 * processes sharing a Redis — see `@beckon/redis`'s tests).
 *
 * @example
 * endToEndSuite('process', processTarget);
 */
export function endToEndSuite(name: string, makeTarget: () => Target): void {
  describe(`end to end (${name})`, () => {
    const target: Target = makeTarget();
    const cleanups: (() => void)[] = [];
    let counter = 0;
    const uniqueId = (prefix: string) => `${prefix}-${++counter}-${Date.now().toString(36)}`;

    beforeAll(() => target.start(), 30_000);
    afterAll(() => target.stop());
    afterEach(() => {
      for (const fn of cleanups.splice(0)) fn();
    });

    function visitor(
      options: Partial<Parameters<typeof createVisitor>[0]> & { origin?: string } = {},
    ) {
      const { origin, ...rest } = options;
      const v = createVisitor({
        transport: target.transport(origin ? { origin } : {}),
        reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
        handshakeTimeoutMs: 3_000,
        ...rest,
      });
      cleanups.push(() => v.actor.stop());
      return v;
    }

    async function connected(v: Visitor, groupId: string, visitorId: string) {
      const ready = visitorEvent(v, 'connected');
      expect(v.init({ groupId, visitorId })).toBe('initialized');
      v.connect();
      await ready;
      return v;
    }

    async function agent(groupId = 'shop', token?: string) {
      const a = createAgent({
        transport: target.transport(),
        groupId,
        token:
          token ??
          (await mintAgentToken({
            groupId,
            agentId: 'ann',
            secret: AGENT_SECRET,
            expiresIn: '5m',
          })),
        reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
        requestTimeoutMs: 4_000,
      });
      cleanups.push(() => a.actor.stop());
      return a;
    }

    async function watchingAgent(groupId = 'shop') {
      const a = await agent(groupId);
      const ready = agentEvent(a, 'connected');
      a.connect();
      await ready;
      await a.watch();
      return a;
    }

    it('connects; connecting again does nothing; disconnect is seen by the agent', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const v = visitor();
      const seen = agentEvent(a, 'visitorConnected', (e) => e.visitorId === id);
      await connected(v, 'shop', id);
      await seen;
      v.connect();
      await sleep(100);
      expect((await a.lookupVisitor(id))?.connections).toBe(1);

      const left = agentEvent(a, 'visitorDisconnected', (e) => e.visitorId === id);
      const bye = visitorEvent(v, 'disconnected');
      v.disconnect();
      await bye;
      await left;
      expect((await a.lookupVisitor(id))?.present ?? false).toBe(false);
    });

    it('a group without presence answers notConfigured and the visitor does not retry', async () => {
      const v = visitor();
      const nc = visitorEvent(v, 'notConfigured');
      v.init({ groupId: 'dark', visitorId: uniqueId('v') });
      v.connect();
      await nc;
      await sleep(300);
      expect(v.getSnapshot().connection).toBe('notConfigured');
    });

    it('presence reaches the agent; over-limit presence is refused before it is sent', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const v = await connected(visitor(), 'shop', id);
      const got = agentEvent(a, 'presence', (e) => e.visitorId === id);
      v.presence({ url: '/cart', c_items: '3' });
      expect((await got).data).toEqual({ url: '/cart', c_items: '3' });

      const invalid = visitorEvent(v, 'invalidParameter');
      let relayed = false;
      const off = a.on('presence', (e) => {
        if (e.visitorId === id) relayed = true;
      });
      v.presence({ url: 'x'.repeat(LIMITS.maxValueLength + 1) });
      expect((await invalid).param).toBe('data.url');
      await sleep(200);
      off();
      expect(relayed).toBe(false);
      expect((await a.lookupVisitor(id))?.presence).toEqual({ url: '/cart', c_items: '3' });
    });

    it('over-limit presence that skips the client check is refused by the service too', async () => {
      const a = await watchingAgent();
      const id = uniqueId('raw');
      const frames: string[] = [];
      let opened!: () => void;
      const open = new Promise<void>((r) => {
        opened = r;
      });
      const conn = target.transport()({
        open: () => opened(),
        message: (data) => frames.push(data),
        close: () => {},
      });
      cleanups.push(() => conn.close(1000, 'done'));
      await open;
      conn.send(
        encodeMessage({
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'visitor',
          groupId: 'shop',
          visitorId: id,
          visible: true,
        }),
      );
      const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c_${i}`, 'x']));
      conn.send(JSON.stringify({ type: 'presence', data: tooMany }));
      await expect
        .poll(() => frames.map((f) => JSON.parse(f)), { timeout: WAIT })
        .toContainEqual(
          expect.objectContaining({ type: 'error', code: 'invalidParameter', param: 'data' }),
        );
      expect((await a.lookupVisitor(id))?.presence).toEqual({});
    });

    it('two instances of one visitor: the later has focus, the earlier is blurred and takes it back', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const first = await connected(visitor(), 'shop', id);
      const blurred = visitorEvent(first, 'blur');
      const two = agentEvent(a, 'connections', (e) => e.visitorId === id && e.connections === 2);
      const second = await connected(visitor(), 'shop', id);
      await blurred;
      await two;
      expect(a.getSnapshot().visitors.get(id)?.connections).toBe(2);
      expect(second.getSnapshot().focused).toBe(true);
      const secondId = (await a.lookupVisitor(id))?.focusedConnectionId;

      const secondBlurred = visitorEvent(second, 'blur');
      const focus = visitorEvent(first, 'focus');
      first.presence({ url: '/back' });
      await focus;
      await secondBlurred;
      const summary = await a.lookupVisitor(id);
      expect(summary?.connections).toBe(2);
      expect(summary?.focusedConnectionId).not.toBe(secondId);
      // Closing the tab that does not hold focus is news too: one instance left.
      const one = agentEvent(a, 'connections', (e) => e.visitorId === id && e.connections === 1);
      second.disconnect();
      await one;
      expect(a.getSnapshot().visitors.get(id)?.connections).toBe(1);
    });

    it('showTerms reaches only the focused instance', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const first = await connected(visitor(), 'shop', id);
      const second = await connected(visitor(), 'shop', id);
      first.setDefaultUI(false);
      second.setDefaultUI(false);
      let firstAsked = false;
      first.on('showTerms', () => {
        firstAsked = true;
      });
      const asked = visitorEvent(second, 'showTerms');
      const delivery = await a.showTerms(id);
      expect(await asked).toMatchObject({ sessionKey: id, termsUrl: 'https://shop.test/terms' });
      expect(delivery.connectionId).toBe((await a.lookupVisitor(id))?.focusedConnectionId);
      await sleep(100);
      expect(firstAsked).toBe(false);
    });

    it('the whole consent flow: displayed → accepted, then a session keyed by the visitor ID', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      await connected(visitor({ ui: answering('accepted') }), 'shop', id);
      const statuses: string[] = [];
      a.on('terms', (e) => {
        if (e.visitorId === id) statuses.push(e.status);
      });
      const session = agentEvent(a, 'sessionStart', (e) => e.visitorId === id);
      await a.showTerms(id);
      expect((await session).sessionKey).toBe(id);
      expect(statuses).toEqual(['displayed', 'accepted']);
    });

    it('the decline path: the agent sees declined and no session', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      await connected(visitor({ ui: answering('declined') }), 'shop', id);
      let sessions = 0;
      a.on('sessionStart', (e) => {
        if (e.visitorId === id) sessions += 1;
      });
      const declined = agentEvent(a, 'terms', (e) => e.visitorId === id && e.status === 'declined');
      await a.showTerms(id, { sessionKey: 'case-1' });
      await declined;
      await sleep(200);
      expect(sessions).toBe(0);
    });

    it('sends while disconnected fire sendFail', async () => {
      const v = await connected(visitor(), 'shop', uniqueId('v'));
      v.disconnect();
      const fail = visitorEvent(v, 'sendFail');
      v.presence({ url: '/x' });
      expect((await fail).code).toBe('notConnected');
    });

    it('a hidden visitor stays signalable, then shows as away and stops being signalable', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const v = await connected(visitor(), 'shop', id);
      v.setDefaultUI(false);
      const hidden = agentEvent(
        a,
        'visibility',
        (e) => e.visitorId === id && e.visibility === 'hidden',
      );
      v.signalVisibility(false);
      await hidden;
      const asked = visitorEvent(v, 'showTerms');
      await a.showTerms(id);
      await asked;
      await agentEvent(a, 'visibility', (e) => e.visitorId === id && e.visibility === 'away');
      await expect(a.showTerms(id)).rejects.toMatchObject({ code: 'visitorNotPresent' });
    });

    it('a signal to an absent visitor fails with visitorNotPresent', async () => {
      const a = await watchingAgent();
      const err = await a.signalVisitor(uniqueId('nobody'), 'c_ping').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AgentRequestError);
      expect(err).toMatchObject({ code: 'visitorNotPresent' });
    });

    it('refuses bad agent tokens: garbage, expired, another group’s', async () => {
      const expired = await mintAgentToken({
        groupId: 'shop',
        agentId: 'ann',
        secret: AGENT_SECRET,
        expiresIn: -60,
      });
      const otherGroups = await mintAgentToken({
        groupId: 'other',
        agentId: 'ann',
        secret: OTHER_SECRET,
        expiresIn: '5m',
      });
      for (const token of ['not-a-jwt', expired, otherGroups]) {
        const a = await agent('shop', token);
        const fail = agentEvent(a, 'connectFail');
        a.connect();
        const event = await fail;
        expect(event.willRetry).toBe(false);
        expect([4001, 4003]).toContain(event.code);
        expect(a.getSnapshot().status).toBe('refused');
      }
    });

    it('refuses a forged or missing visitor token and accepts a valid one', async () => {
      const id = uniqueId('v');
      const forged = await mintVisitorToken({
        groupId: 'secure',
        visitorId: id,
        secret: 'x'.repeat(40),
        expiresIn: '5m',
      });
      for (const token of [forged, undefined]) {
        const v = visitor(token ? { token } : {});
        const fail = visitorEvent(v, 'connectFail');
        v.init({ groupId: 'secure', visitorId: id });
        v.connect();
        expect(await fail).toMatchObject({ code: 4001, willRetry: false });
      }
      const good = await mintVisitorToken({
        groupId: 'secure',
        visitorId: id,
        secret: VISITOR_SECRET,
        expiresIn: '5m',
      });
      await connected(visitor({ token: good }), 'secure', id);
    });

    it('refuses a disallowed origin and serves an allowed one', async () => {
      const bad = visitor({ origin: 'https://evil.test' });
      const fail = visitorEvent(bad, 'connectFail');
      bad.init({ groupId: 'strict', visitorId: uniqueId('v') });
      bad.connect();
      expect(await fail).toMatchObject({ code: 4003, willRetry: false });
      await connected(visitor({ origin: ALLOWED_ORIGIN }), 'strict', uniqueId('v'));
    });

    it('a 1 MiB frame and 10,000 garbage frames are refused while everyone else is served', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const bystander = await connected(visitor(), 'shop', id);

      const openRaw = async () => {
        const closed: { code: number; reason: string }[] = [];
        let opened!: () => void;
        const ready = new Promise<void>((r) => {
          opened = r;
        });
        const conn = target.transport()({
          open: () => opened(),
          message: () => {},
          close: (i) => closed.push(i),
        });
        cleanups.push(() => conn.close(1000, 'done'));
        await ready;
        conn.send(
          encodeMessage({
            type: 'hello',
            v: PROTOCOL_VERSION,
            role: 'visitor',
            groupId: 'shop',
            visitorId: uniqueId('bad'),
            visible: true,
          }),
        );
        return { conn, closed };
      };

      const big = await openRaw();
      big.conn.send(JSON.stringify({ type: 'presence', data: { url: 'x'.repeat(1024 * 1024) } }));
      const garbage = await openRaw();
      for (let i = 0; i < 10_000 && garbage.conn.readyState === 'open'; i++)
        garbage.conn.send(`garbage ${i}`);

      await expect.poll(() => big.closed.length, { timeout: WAIT }).toBe(1);
      expect([1009, 4000]).toContain(big.closed[0]?.code);
      await expect.poll(() => garbage.closed.length, { timeout: WAIT }).toBe(1);
      expect([4000, 4129]).toContain(garbage.closed[0]?.code);

      const got = agentEvent(a, 'presence', (e) => e.visitorId === id);
      bystander.presence({ url: '/still-here' });
      expect((await got).data).toEqual({ url: '/still-here' });
    });

    // Last: it restarts the service.
    it('a killed service: connectFail, then automatic reconnect, and the agent sees the visitor again', async () => {
      const a = await watchingAgent();
      const id = uniqueId('v');
      const v = await connected(visitor(), 'shop', id);
      const fail = visitorEvent(v, 'connectFail', undefined, 15_000);
      const back = visitorEvent(v, 'connected', (e) => e.reconnected, 20_000);
      const agentBack = agentEvent(a, 'connected', (e) => e.reconnected, 20_000);
      await target.restart();
      expect((await fail).willRetry).toBe(true);
      await back;
      await agentBack;
      await expect
        .poll(async () => (await a.lookupVisitor(id))?.present, { timeout: WAIT })
        .toBe(true);
      // Not a stale view: presence flows again to the re-watching agent.
      const got = agentEvent(a, 'presence', (e) => e.visitorId === id);
      v.presence({ url: '/after-restart' });
      expect((await got).data).toEqual({ url: '/after-restart' });
    }, 40_000);
  });
}
