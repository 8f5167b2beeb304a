// Webhooks to a real local HTTP receiver: signed as Standard Webhooks says (checked with our
// helper and with the specification's reference library), retried on failure, bounded when
// the receiver hangs, complete while it is healthy, and delivered once by a cluster.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyWebhook, type WebhookEvent, WebhookVerificationError } from '@beckon/core/http';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryBus,
  createMemoryRegistry,
  createWebhookSecret,
  type GroupsConfig,
  type PresenceServer,
  type WebhookDeliveryOptions,
  type WebhookEndpoint,
} from '../src/index.js';
import { AGENT_SECRET, connectVisitor, delay, startServer } from './utils.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on 127.0.0.1 whose answer each test decides. */
interface Receiver {
  url: string;
  received: Received[];
  /** The answer to each request: a status, or 'hang' to never answer. */
  answer: (request: Received, index: number) => number | 'hang';
  close(): Promise<void>;
}

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function startReceiver(): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: () => 204,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = { headers: req.headers, body, at: Date.now() };
    const index = receiver.received.push(request) - 1;
    const status = receiver.answer(request, index);
    if (status === 'hang') return;
    res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receivers.push(receiver);
  return receiver;
}

const SECRET = createWebhookSecret();
const FAST: WebhookDeliveryOptions = { retryBaseMs: 20, retryMaxMs: 100, timeoutMs: 1_000 };

function groupsWith(endpoint: WebhookEndpoint): GroupsConfig {
  return { shop: { presence: true, agentSecrets: [AGENT_SECRET], webhooks: [endpoint] } };
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

const events = (receiver: Receiver) =>
  receiver.received.map((r) => JSON.parse(r.body) as WebhookEvent);

const metric = (server: PresenceServer, name: string) =>
  server.metrics
    .render()
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);

describe('webhooks', () => {
  it('a receiver gets the group’s events, signed, and verifies them with the helper', async () => {
    const receiver = await startReceiver();
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET] }),
      webhookDelivery: FAST,
    });
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'presence', data: { url: '/cart' } }); // not sent: presence is opt-in
    alice.send({ type: 'visibility', visible: false });
    alice.send({ type: 'signal', name: 'terms', properties: { status: 'accepted' } });
    alice.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    alice.send({ type: 'sessionEnd', reason: 'done' });
    alice.send({ type: 'error', code: 'conndrop', msg: 'Connect failed' });
    alice.ws.close();
    await until(() => receiver.received.length >= 7, 'seven webhooks');

    const types = events(receiver).map((e) => e.type);
    expect(types).toEqual([
      'visitor.connected',
      'visitor.visibility',
      'visitor.terms',
      'session.started',
      'session.ended',
      'visitor.error',
      'visitor.disconnected',
    ]);
    const reference = new Webhook(SECRET);
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-id']).toMatch(/^msg_/);
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const event = await verifyWebhook(SECRET, request.body, request.headers);
      expect(event).toEqual(JSON.parse(request.body));
      // The specification's own library agrees.
      expect(reference.verify(request.body, request.headers as Record<string, string>)).toEqual(
        event,
      );
    }
    const [connected, , terms] = events(receiver);
    expect(connected).toMatchObject({
      type: 'visitor.connected',
      data: { groupId: 'shop', visitorId: 'alice', connections: 1 },
    });
    expect(terms?.data).toMatchObject({ status: 'accepted' });
    expect(Date.parse(terms?.timestamp ?? '')).toBe(terms?.data.at);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(7);
  });

  it('the helper refuses what it must: another secret, a changed body, an old or future timestamp', async () => {
    const receiver = await startReceiver();
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET] }),
      webhookDelivery: FAST,
    });
    await connectVisitor(server, 'alice');
    await until(() => receiver.received.length === 1, 'a webhook');
    const [request] = receiver.received as [Received];
    const reason = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: unknown) =>
          error instanceof WebhookVerificationError ? error.reason : String(error),
      );
    expect(await reason(verifyWebhook(createWebhookSecret(), request.body, request.headers))).toBe(
      'badSignature',
    );
    expect(
      await reason(
        verifyWebhook(SECRET, request.body.replace('alice', 'mallory'), request.headers),
      ),
    ).toBe('badSignature');
    const sentAt = Number(request.headers['webhook-timestamp']) * 1000;
    expect(
      await reason(verifyWebhook(SECRET, request.body, request.headers, { now: sentAt + 301_000 })),
    ).toBe('tooOld');
    expect(
      await reason(verifyWebhook(SECRET, request.body, request.headers, { now: sentAt - 301_000 })),
    ).toBe('tooNew');
    expect(
      await reason(
        verifyWebhook(SECRET, request.body, request.headers, {
          now: sentAt + 60_000,
          toleranceSeconds: 120,
        }),
      ),
    ).toBe('accepted');
    const { 'webhook-signature': _dropped, ...unsigned } = request.headers;
    expect(await reason(verifyWebhook(SECRET, request.body, unsigned))).toBe('missingHeaders');
    expect(await reason(verifyWebhook('whsec_!!', request.body, request.headers))).toBe(
      'badSecret',
    );
    // A fetch-style Headers object works as well as Node's.
    const headers = new Headers(request.headers as Record<string, string>);
    expect(await reason(verifyWebhook(SECRET, request.body, headers))).toBe('accepted');
  });

  it('signs with every secret while one is rotated; either verifies', async () => {
    const receiver = await startReceiver();
    const next = createWebhookSecret();
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET, next] }),
      webhookDelivery: FAST,
    });
    await connectVisitor(server, 'alice');
    await until(() => receiver.received.length === 1, 'a webhook');
    const [request] = receiver.received as [Received];
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    await expect(verifyWebhook(SECRET, request.body, request.headers)).resolves.toBeDefined();
    await expect(verifyWebhook(next, request.body, request.headers)).resolves.toBeDefined();
    await expect(
      verifyWebhook([createWebhookSecret(), next], request.body, request.headers),
    ).resolves.toBeDefined();
  });

  it('retries after the receiver fails (5xx, 429, timeouts), with the same id, then stops on 4xx', async () => {
    const receiver = await startReceiver();
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET] }),
      webhookDelivery: { ...FAST, timeoutMs: 200 },
    });
    // connected: 500, 429, a hang past the timeout, then accepted.
    receiver.answer = (_request, index) => ([500, 429, 'hang'] as const)[index] ?? 204;
    await connectVisitor(server, 'alice');
    await until(() => receiver.received.length === 4, 'four attempts');
    await until(() => metric(server, 'beckon_webhooks_delivered_total') === 1, 'the delivery');
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // Later attempts are signed afresh, each verifying on its own.
    for (const request of receiver.received)
      await verifyWebhook(SECRET, request.body, request.headers);
    expect(metric(server, 'beckon_webhook_retries_total')).toBe(3);
    // Each retry waited longer than the one before it (backoff), beyond the hang's timeout.
    const gaps = receiver.received
      .slice(1)
      .map((r, i) => r.at - (receiver.received[i] as Received).at);
    expect(gaps[0]).toBeGreaterThanOrEqual(10);

    receiver.answer = () => 400;
    const before = receiver.received.length;
    await connectVisitor(server, 'bob');
    await until(() => metric(server, 'beckon_webhooks_failed_total') === 1, 'the refusal');
    await delay(150);
    expect(receiver.received.length).toBe(before + 1);
    expect(server.metrics.render()).toContain(
      'beckon_webhooks_failed_total{group="shop",reason="refused"} 1',
    );
  });

  it('gives up after maxAttempts and counts it', async () => {
    const receiver = await startReceiver();
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET] }),
      webhookDelivery: { ...FAST, maxAttempts: 3 },
    });
    receiver.answer = () => 503;
    await connectVisitor(server, 'alice');
    await until(() => metric(server, 'beckon_webhooks_failed_total') === 1, 'giving up');
    expect(receiver.received).toHaveLength(3);
    expect(server.metrics.render()).toContain('reason="exhausted"');
  });

  it('a receiver that never answers fills a bounded queue; the rest is dropped and counted, the service goes on', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => 'hang';
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET], events: ['visitor.presence'] }),
      webhookDelivery: { ...FAST, timeoutMs: 60_000, queueSize: 5, concurrency: 2 },
    });
    const visitors = await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) => connectVisitor(server, id)),
    );
    for (const visitor of visitors) visitor.send({ type: 'presence', data: { url: '/p0' } });
    // Two in flight (different visitors), two waiting behind them.
    await until(() => receiver.received.length === 2, 'two attempts in flight');
    for (let i = 1; i < 10; i += 1) {
      for (const visitor of visitors) visitor.send({ type: 'presence', data: { url: `/p${i}` } });
    }
    await until(() => metric(server, 'beckon_webhooks_dropped_total') === 35, '35 drops');
    expect(metric(server, 'beckon_webhook_queue')).toBe(5);
    await delay(100);
    expect(receiver.received).toHaveLength(2);
    // The hot path does not wait for the receiver: an agent still reads the group at once.
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('loses no event while the receiver is healthy, and keeps each visitor’s order', async () => {
    const receiver = await startReceiver();
    const server = await startServer({
      groups: groupsWith({ url: receiver.url, secrets: [SECRET], events: ['visitor.presence'] }),
      webhookDelivery: FAST,
    });
    const ids = ['v1', 'v2', 'v3', 'v4', 'v5'];
    const visitors = await Promise.all(ids.map((id) => connectVisitor(server, id)));
    const perVisitor = 30;
    for (let i = 0; i < perVisitor; i += 1) {
      for (const visitor of visitors) visitor.send({ type: 'presence', data: { url: `/${i}` } });
    }
    const total = ids.length * perVisitor;
    await until(() => receiver.received.length >= total, `${total} webhooks`, 10_000);
    await delay(100);
    expect(receiver.received).toHaveLength(total);
    for (const id of ids) {
      const urls = events(receiver)
        .filter((e) => e.data.visitorId === id)
        .map((e) => (e.data as { data: { url: string } }).data.url);
      expect(urls).toEqual(Array.from({ length: perVisitor }, (_, i) => `/${i}`));
    }
    expect(metric(server, 'beckon_webhooks_dropped_total')).toBe(0);
  });

  it('two hubs sharing a bus deliver each event once', async () => {
    const receiver = await startReceiver();
    const registry = createMemoryRegistry();
    const bus = createMemoryBus();
    const options = {
      groups: groupsWith({ url: receiver.url, secrets: [SECRET] }),
      webhookDelivery: FAST,
      registry,
      bus,
    };
    const a = await startServer(options);
    const b = await startServer(options);
    const alice = await connectVisitor(a, 'alice');
    const bob = await connectVisitor(b, 'bob');
    alice.send({ type: 'signal', name: 'terms', properties: { status: 'displayed' } });
    bob.send({ type: 'signal', name: 'terms', properties: { status: 'declined' } });
    // alice also opens a tab on the other process: one visitor, still one connected event.
    await connectVisitor(b, 'alice');
    await until(() => receiver.received.length >= 4, 'four webhooks');
    await delay(200);
    const seen = events(receiver).map((e) => `${e.data.visitorId} ${e.type}`);
    expect(seen.sort()).toEqual([
      'alice visitor.connected',
      'alice visitor.terms',
      'bob visitor.connected',
      'bob visitor.terms',
    ]);
  });
});

describe('webhook configuration', () => {
  it('refuses a bad endpoint or secret at startup, naming the field', async () => {
    const { parseGroupsConfig } = await import('../src/index.js');
    const group = (webhook: unknown) => ({
      shop: { presence: true, agentSecrets: [AGENT_SECRET], webhooks: [webhook] },
    });
    expect(() => parseGroupsConfig(group({ url: 'ftp://x', secrets: [SECRET] }))).toThrow(
      /groups\.shop\.webhooks\.0\.url/,
    );
    expect(() =>
      parseGroupsConfig(group({ url: 'https://x.example', secrets: ['s3cret'] })),
    ).toThrow(/webhooks\.0\.secrets\.0: must be "whsec_"/);
    expect(() => parseGroupsConfig(group({ url: 'https://x.example', secrets: [] }))).toThrow(
      /at least one secret/,
    );
    expect(() =>
      parseGroupsConfig(
        group({ url: 'https://x.example', secrets: [SECRET], events: ['visitor.typing'] }),
      ),
    ).toThrow(/webhooks\.0\.events\.0/);
    await expect(startServer({ webhookDelivery: { timeoutMs: 0 } })).rejects.toThrow(
      /webhookDelivery\.timeoutMs/,
    );
  });
});
