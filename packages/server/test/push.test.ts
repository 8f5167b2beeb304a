import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import webPush from 'web-push';
import { createMemoryBus, createMemoryRegistry, type GroupsConfig } from '../src/index.js';
import { sendWebPush } from '../src/push/sendWebPush.js';
import {
  type PushServiceStub,
  startPushServiceStub,
  type TestSubscription,
} from './pushServiceStub.js';
import {
  AGENT_SECRET,
  agentToken,
  connectAgent,
  connectVisitor,
  delay,
  GROUPS,
  startServer,
  type TestClient,
} from './utils.js';

// The service against a push service of its own on 127.0.0.1 (pushServiceStub.ts), which
// verifies every VAPID token and decrypts every payload with the subscription's keys.

const vapid = webPush.generateVAPIDKeys();
const NOTIFICATION = {
  title: 'Support would like to help you',
  body: 'Tap to continue',
  url: '/shop/',
};
let stub: PushServiceStub;
let groups: GroupsConfig;

beforeEach(async () => {
  stub = await startPushServiceStub({ vapidPublicKey: vapid.publicKey });
  groups = {
    ...GROUPS,
    acme: {
      presence: true,
      agentSecrets: [AGENT_SECRET],
      push: {
        vapid: { ...vapid, subject: 'mailto:ops@shop.test' },
        notification: NOTIFICATION,
        pushServices: [stub.origin],
      },
    },
  };
});
afterEach(() => stub.close());

const start = (overrides: Parameters<typeof startServer>[0] = {}) =>
  startServer({ groups, pushWaitMs: 1_500, ...overrides });

/** A visitor of the push group that saved `subscription` with the service. */
async function subscribed(
  server: Awaited<ReturnType<typeof start>>,
  visitorId: string,
  subscription: TestSubscription,
) {
  const visitor = await connectVisitor(server, visitorId, { groupId: 'acme' });
  visitor.send({ type: 'pushSubscribe', subscription });
  expect(await visitor.take('pushSubscribed')).toEqual({
    type: 'pushSubscribed',
    endpoint: subscription.endpoint,
  });
  return visitor;
}

/** Closes a visitor's socket and waits until the service has forgotten it (past grace). */
async function leave(server: Awaited<ReturnType<typeof start>>, visitor: TestClient, id: string) {
  visitor.ws.close();
  for (let i = 0; i < 100; i += 1) {
    if (!(await server.registry.get({ groupId: 'acme', visitorId: id }))) return;
    await delay(20);
  }
  throw new Error(`${id} was not forgotten`);
}

describe('the push service stub', () => {
  // It must be able to fail, or the tests below prove nothing.
  it('refuses a token signed with another key, and a payload it cannot decrypt', async () => {
    const subscription = stub.subscribe();
    const options = { ttlSeconds: 5, topic: 'beckon-request', timeoutMs: 2_000 };
    const other = webPush.generateVAPIDKeys();
    const signedElsewhere = await sendWebPush(subscription, 'x', {
      ...options,
      vapid: { ...other, subject: 'mailto:x@y.test' },
    });
    expect(signedElsewhere).toMatchObject({ result: 'failed', status: 400 });
    const wrongAuth = {
      ...subscription,
      keys: { ...subscription.keys, auth: stub.subscribe().keys.auth },
    };
    const undecryptable = await sendWebPush(wrongAuth, 'x', {
      ...options,
      vapid: { ...vapid, subject: 'mailto:x@y.test' },
    });
    expect(undecryptable).toMatchObject({ result: 'failed', status: 400 });
    expect(stub.refused.map((r) => r.reason)).toEqual([
      'signed with another key',
      'Unsupported state or unable to authenticate data',
    ]);
    expect(stub.received).toEqual([]);
  });
});

describe('Web Push wake-up', () => {
  it("tells a push group's visitors the VAPID key in welcome, and no other group's", async () => {
    const server = await start();
    const woken = await connectVisitor(server, 'alice', { groupId: 'acme' });
    expect(woken.welcome.vapidPublicKey).toBe(vapid.publicKey);
    const plain = await connectVisitor(server, 'bob');
    expect(plain.welcome).not.toHaveProperty('vapidPublicKey');
  });

  it('wakes a visitor whose page is closed: a verified, encrypted push that says only that a request waits; the request reaches the visitor when it returns', async () => {
    const server = await start();
    const agent = await connectAgent(server, { groupId: 'acme' });
    const subscription = stub.subscribe();
    const alice = await subscribed(server, 'alice', subscription);
    alice.send({ type: 'presence', data: { url: '/checkout', c_secret: 'card ending 4242' } });
    await agent.take('presence');
    await leave(server, alice, 'alice');

    agent.send({
      type: 'showTerms',
      id: 41,
      visitorId: 'alice',
      sessionKey: 'case-77',
      termsUrl: 'https://shop.test/terms',
    });
    const push = await stub.next(subscription);
    // Nothing of the visitor, the agent or the request: the group's words and where to go.
    expect(JSON.parse(push.text)).toEqual({ type: 'beckon.wake', v: 1, ...NOTIFICATION });
    for (const secret of [
      'alice',
      'case-77',
      'checkout',
      '4242',
      'shop.test/terms',
      'acme',
      'agent',
    ]) {
      expect(push.text).not.toContain(secret);
    }
    expect(push.claims).toMatchObject({ aud: stub.origin, sub: 'mailto:ops@shop.test' });
    expect(push.headers).toMatchObject({ urgency: 'high', topic: 'beckon-request', ttl: '2' });
    expect(await agent.take('push')).toMatchObject({
      visitorId: 'alice',
      status: 'sent',
      devices: 1,
    });

    // The notification's click opens the shop: a new connection, which gets the request.
    const back = await connectVisitor(server, 'alice', { groupId: 'acme' });
    const shown = await back.take('showTerms');
    expect(shown).toMatchObject({ sessionKey: 'case-77', termsUrl: 'https://shop.test/terms' });
    expect(await agent.take('push', (f) => f.status === 'answered')).toMatchObject({ devices: 1 });
    back.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toEqual({
      type: 'delivered',
      id: 41,
      connectionId: back.welcome.connectionId,
      epoch: back.welcome.epoch,
      woken: true,
    });
    expect(server.metrics.get('beckon_push_notifications_total', { result: 'sent' })).toBe(1);
    expect(server.metrics.get('beckon_push_wakes_total', { outcome: 'answered' })).toBe(1);
    expect(stub.refused).toEqual([]);
  });

  it('sends no push to a visitor that is live and focused', async () => {
    const server = await start();
    const agent = await connectAgent(server, { groupId: 'acme' });
    const alice = await subscribed(server, 'alice', stub.subscribe());
    agent.send({ type: 'signal', id: 1, visitorId: 'alice', name: 'c_hi', properties: {} });
    const signal = await alice.take('signal');
    alice.send({ type: 'ack', id: signal.id });
    expect(await agent.take('delivered')).not.toHaveProperty('woken');
    await delay(100);
    expect(stub.received).toEqual([]);
    expect(agent.types()).not.toContain('push');
  });

  it('waits a bounded time for the woken visitor, then fails with visitorAsleep', async () => {
    const server = await start({ pushWaitMs: 400 });
    const agent = await connectAgent(server, { groupId: 'acme' });
    const subscription = stub.subscribe();
    await leave(server, await subscribed(server, 'alice', subscription), 'alice');
    const started = Date.now();
    const reply = await agent.request({ type: 'showTerms', visitorId: 'alice' });
    expect(reply).toMatchObject({ type: 'failed', code: 'visitorAsleep' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(stub.received).toHaveLength(1);
    expect(await agent.take('push', (f) => f.status === 'unanswered')).toMatchObject({
      devices: 1,
    });
    expect(server.metrics.get('beckon_push_wakes_total', { outcome: 'unanswered' })).toBe(1);
  });

  it('wakes a visitor for the HTTP agent API too: the request answers once the woken visitor acknowledged, or 504 visitorAsleep', async () => {
    const server = await start({ pushWaitMs: 1_000 });
    const token = await agentToken('acme');
    const showTerms = (visitorId: string) =>
      fetch(`http://127.0.0.1:${server.port}/v1/groups/acme/visitors/${visitorId}/show-terms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sessionKey: 'case-9' }),
      });
    const subscription = stub.subscribe();
    await leave(server, await subscribed(server, 'alice', subscription), 'alice');
    const pending = showTerms('alice');
    await stub.next(subscription);
    const back = await connectVisitor(server, 'alice', { groupId: 'acme' });
    const shown = await back.take('showTerms');
    back.send({ type: 'ack', id: shown.id });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      connectionId: back.welcome.connectionId,
      epoch: back.welcome.epoch,
      woken: true,
    });

    const other = stub.subscribe();
    await leave(server, await subscribed(server, 'bob', other), 'bob');
    const asleep = await showTerms('bob');
    expect(asleep.status).toBe(504);
    expect(await asleep.json()).toMatchObject({
      code: 'visitorAsleep',
      type: '/v1/problems/visitor-asleep',
    });
    expect(stub.received).toHaveLength(2);
  });

  it('forgets subscriptions the push service says are gone (404, 410); with none left the request fails at once', async () => {
    const server = await start();
    const agent = await connectAgent(server, { groupId: 'acme' });
    const gone = stub.subscribe('gone');
    const missing = stub.subscribe('missing');
    const alice = await subscribed(server, 'alice', gone);
    alice.send({ type: 'pushSubscribe', subscription: missing });
    await alice.take('pushSubscribed');
    stub.answer(gone, 410);
    stub.answer(missing, 404);
    await leave(server, alice, 'alice');
    const reply = await agent.request({ type: 'showTerms', visitorId: 'alice' });
    expect(reply).toMatchObject({ type: 'failed', code: 'visitorNotPresent' });
    expect(
      await server.registry.pushSubscriptions({
        groupId: 'acme',
        visitorId: 'alice',
        at: Date.now(),
      }),
    ).toEqual([]);
    expect(server.metrics.get('beckon_push_notifications_total', { result: 'gone' })).toBe(2);
    expect(agent.types()).not.toContain('push');
  });

  it('keeps at most maxPushSubscriptionsPerVisitor, the newest', async () => {
    const server = await start({ maxPushSubscriptionsPerVisitor: 2 });
    const agent = await connectAgent(server, { groupId: 'acme' });
    const [first, second, third] = [stub.subscribe(), stub.subscribe(), stub.subscribe()];
    const alice = await subscribed(server, 'alice', first as TestSubscription);
    for (const s of [second, third]) {
      alice.send({ type: 'pushSubscribe', subscription: s });
      await alice.take('pushSubscribed', (f) => f.endpoint === s?.endpoint);
    }
    const kept = await server.registry.pushSubscriptions({
      groupId: 'acme',
      visitorId: 'alice',
      at: Date.now(),
    });
    expect(kept.map((s) => s.endpoint)).toEqual([second?.endpoint, third?.endpoint]);
    await leave(server, alice, 'alice');
    agent.send({ type: 'showTerms', id: 5, visitorId: 'alice' });
    expect((await agent.take('push')).devices).toBe(2);
    expect(stub.received.map((p) => p.path).sort()).toEqual(
      [second, third].map((s) => new URL(s?.endpoint ?? '').pathname).sort(),
    );
  });

  it('refuses subscriptions a group cannot use, and forgets one on pushUnsubscribe', async () => {
    const server = await start();
    const plain = await connectVisitor(server, 'bob');
    const subscription = stub.subscribe();
    plain.send({ type: 'pushSubscribe', subscription });
    expect(await plain.take('pushRefused')).toMatchObject({
      code: 'notConfigured',
      endpoint: subscription.endpoint,
    });

    const alice = await connectVisitor(server, 'alice', { groupId: 'acme' });
    // Not one of the group's push services: the service never posts to a visitor's choice.
    const elsewhere = { ...subscription, endpoint: 'http://127.0.0.1:1/internal' };
    alice.send({ type: 'pushSubscribe', subscription: elsewhere });
    expect(await alice.take('pushRefused')).toMatchObject({
      code: 'forbidden',
      endpoint: elsewhere.endpoint,
    });
    alice.send({
      type: 'pushSubscribe',
      subscription: { ...subscription, keys: { ...subscription.keys, p256dh: 'short' } },
    });
    expect(await alice.take('error')).toMatchObject({
      code: 'invalidParameter',
      param: 'subscription.keys.p256dh',
    });

    alice.send({ type: 'pushSubscribe', subscription });
    await alice.take('pushSubscribed');
    alice.send({ type: 'pushUnsubscribe', endpoint: subscription.endpoint });
    alice.send({ type: 'ping' });
    await alice.take('pong');
    expect(
      await server.registry.pushSubscriptions({
        groupId: 'acme',
        visitorId: 'alice',
        at: Date.now(),
      }),
    ).toEqual([]);
  });

  it('wakes an away visitor; its tab turning visible answers', async () => {
    const server = await start({ awayAfterMs: 150 });
    const agent = await connectAgent(server, { groupId: 'acme' });
    const subscription = stub.subscribe();
    const alice = await subscribed(server, 'alice', subscription);
    alice.send({ type: 'visibility', visible: false });
    await agent.take('visibility', (f) => f.visibility === 'away');
    agent.send({ type: 'showTerms', id: 9, visitorId: 'alice' });
    await stub.next(subscription);
    expect(alice.types()).not.toContain('showTerms');
    alice.send({ type: 'visibility', visible: true });
    const shown = await alice.take('showTerms');
    alice.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toMatchObject({ id: 9, woken: true });
  });

  it('wakes a visitor whose last tab closed within the grace window, once the window is over', async () => {
    const server = await start({ graceMs: 300 });
    const agent = await connectAgent(server, { groupId: 'acme' });
    const subscription = stub.subscribe();
    const alice = await subscribed(server, 'alice', subscription);
    alice.ws.close();
    await agent.take('connections', (f) => f.connections === 0);
    agent.send({ type: 'showTerms', id: 3, visitorId: 'alice' });
    await delay(150);
    expect(stub.received).toEqual([]);
    await stub.next(subscription);
    expect(await agent.take('push')).toMatchObject({ status: 'sent' });
  });

  it("across processes: the agent's process sends the push once; the visitor returns to another", async () => {
    const registry = createMemoryRegistry();
    const bus = createMemoryBus();
    const a = await start({ registry, bus });
    const b = await start({ registry, bus });
    const agent = await connectAgent(b, { groupId: 'acme' });
    const other = await connectAgent(a, { groupId: 'acme' });
    const subscription = stub.subscribe();
    await leave(a, await subscribed(a, 'alice', subscription), 'alice');
    agent.send({ type: 'showTerms', id: 1, visitorId: 'alice' });
    // Both agents see it happen, wherever they are connected.
    expect(await other.take('push')).toMatchObject({ status: 'sent', visitorId: 'alice' });
    const back = await connectVisitor(a, 'alice', { groupId: 'acme' });
    const shown = await back.take('showTerms');
    back.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toMatchObject({ id: 1, woken: true });
    expect(stub.received).toHaveLength(1);
    expect(a.metrics.get('beckon_push_notifications_total', { result: 'sent' })).toBe(0);
    expect(b.metrics.get('beckon_push_notifications_total', { result: 'sent' })).toBe(1);
  });
});
