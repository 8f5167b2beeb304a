// Promises of docs/server.md that no other test holds the service to (docs/reliability.md
// maps every promise of that page to its test).
import { CloseCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createMemoryRegistry,
  createMetrics,
  METRIC_NAMES,
  type PresenceRegistry,
} from '../src/index.js';
import { rawSocket } from './rawSocket.js';
import {
  AGENT_SECRET,
  ALLOWED_ORIGIN,
  agentToken,
  connectAgent,
  connectVisitor,
  delay,
  httpGet,
  openVisitor,
  startServer,
  TestClient,
  VISITOR_SECRET,
} from './utils.js';

describe('a handler that throws', () => {
  it('is counted, answered with internal, and takes down neither the process nor anyone else', async () => {
    const base = createMemoryRegistry();
    // A registry that fails for one visitor, as a broken store or a bug would.
    const registry: PresenceRegistry = {
      ...base,
      async get(key) {
        if (key.visitorId === 'cursed') throw new Error('registry down');
        return base.get(key);
      },
      async setPresence(input) {
        if (input.visitorId === 'cursed') throw new Error('registry down');
        return base.setPresence(input);
      },
      async recordPresence(input) {
        if (input.visitorId === 'cursed') throw new Error('registry down');
        return base.recordPresence(input);
      },
    };
    const server = await startServer({ registry });
    const agent = await connectAgent(server);
    const cursed = await connectVisitor(server, 'cursed');
    const alice = await connectVisitor(server, 'alice');

    // An agent's request: `failed internal` under its id.
    expect(await agent.request({ type: 'showTerms', visitorId: 'cursed' })).toMatchObject({
      type: 'failed',
      code: 'internal',
    });
    expect(await agent.request({ type: 'lookup', visitorId: 'cursed' })).toMatchObject({
      type: 'failed',
      code: 'internal',
    });
    // A visitor's frame: an `error internal`, and the connection stays.
    cursed.send({ type: 'presence', data: { url: '/x' } });
    expect(await cursed.take('error')).toMatchObject({ code: 'internal' });
    cursed.send({ type: 'ping' });
    await cursed.take('pong');

    expect(server.metrics.get(METRIC_NAMES.internalErrors)).toBe(3);
    // Everyone else is served as before.
    alice.send({ type: 'presence', data: { url: '/fine' } });
    expect((await agent.take('presence', (f) => f.visitorId === 'alice')).data.url).toBe('/fine');
    const shown = agent.request({ type: 'showTerms', visitorId: 'alice' });
    const request = await alice.take('showTerms');
    alice.send({ type: 'ack', id: request.id });
    expect(await shown).toMatchObject({ type: 'delivered' });
  });
});

describe('the handshake', () => {
  it('handles frames sent right after hello once the welcome is out', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: 'shop',
      visitorId: 'eager',
      visible: true,
    });
    client.send({ type: 'ping' });
    client.send({ type: 'presence', data: { url: '/first' } });
    await client.take('pong');
    expect(client.types().slice(0, 2)).toEqual(['welcome', 'pong']);
    await expect
      .poll(
        async () => (await server.registry.get({ groupId: 'shop', visitorId: 'eager' }))?.presence,
      )
      .toEqual({ url: '/first' });
  });

  it('accepts only HS256 tokens, and does not cut an open connection when its token expires', async () => {
    const server = await startServer();
    const hs512 = await new SignJWT({ grp: 'shop' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('agent-1')
      .setAudience('beckon:agent')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(AGENT_SECRET));
    const refused = await TestClient.open(server.url);
    refused.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'agent',
      groupId: 'shop',
      token: hs512,
    });
    expect((await refused.closeInfo()).code).toBe(CloseCode.unauthorized);

    const shortLived = await connectAgent(server, {
      token: await agentToken('shop', { expiresIn: 1 }),
    });
    await delay(1_300);
    expect((await shortLived.request({ type: 'list' })).type).toBe('visitors');
  });

  it('with visitor tokens optional, a visitor without one is welcome, and one that shows one has it checked', async () => {
    const server = await startServer({
      groups: {
        rollout: {
          presence: true,
          agentSecrets: [AGENT_SECRET],
          visitorTokens: { required: false, secrets: [VISITOR_SECRET] },
        },
      },
    });
    const { mintVisitorToken } = await import('../src/index.js');
    expect((await connectVisitor(server, 'plain', { groupId: 'rollout' })).welcome.focused).toBe(
      true,
    );
    const good = await mintVisitorToken({
      groupId: 'rollout',
      visitorId: 'signed',
      secret: VISITOR_SECRET,
      expiresIn: 60,
    });
    expect(
      (await connectVisitor(server, 'signed', { groupId: 'rollout', token: good })).welcome,
    ).toBeDefined();
    const forged = await openVisitor(server, 'forged', { groupId: 'rollout', token: `${good}x` });
    expect((await forged.closeInfo()).code).toBe(CloseCode.unauthorized);
  });

  it('with an origin list, refuses a visitor without Origin; agents are not subject to it', async () => {
    const server = await startServer();
    const { mintVisitorToken } = await import('../src/index.js');
    const token = await mintVisitorToken({
      groupId: 'secure',
      visitorId: 'v',
      secret: 'shop-visitor-secret-0123456789abcdef',
      expiresIn: 60,
    });
    const noOrigin = await openVisitor(server, 'v', { groupId: 'secure', token });
    expect((await noOrigin.closeInfo()).code).toBe(CloseCode.forbidden);
    const allowed = await connectVisitor(server, 'v', {
      groupId: 'secure',
      token,
      origin: ALLOWED_ORIGIN,
    });
    expect(allowed.welcome.focused).toBe(true);
    const agent = await connectAgent(server, {
      groupId: 'secure',
      token: await agentToken('secure', { secret: 'other-agent-secret-0123456789abcdef' }),
    });
    expect((await agent.request({ type: 'list' })).visitors).toHaveLength(1);
  });
});

describe('requests to visitors', () => {
  it('a request whose target closes three times before acknowledging fails with visitorNotPresent', async () => {
    const server = await startServer();
    // Four tabs that never acknowledge; the last opened holds focus.
    const tabs = [];
    for (let i = 0; i < 4; i++) tabs.push(await connectVisitor(server, 'alice'));
    const agent = await connectAgent(server, { watch: false });
    agent.send({ type: 'showTerms', id: 7, visitorId: 'alice' });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const target = tabs.pop() as Awaited<ReturnType<typeof connectVisitor>>;
      await target.take('showTerms');
      target.ws.close();
    }
    expect(await agent.take('failed', (f) => f.id === 7)).toMatchObject({
      code: 'visitorNotPresent',
    });
    // The fourth tab never saw it.
    expect(tabs[0]?.frames.some((f) => f.type === 'showTerms')).toBe(false);
  });
});

describe('limits per agent', () => {
  it('at most 10,000 visitors watched one by one', async () => {
    const server = await startServer({ agentRateLimit: { perSecond: 1e6, burst: 1e6 } });
    const agent = await connectAgent(server, { watch: false });
    // Ids far from those `request` numbers from 1.
    for (let i = 0; i < 10_000; i++) agent.send({ type: 'watch', id: 1e6 + i, visitorId: `v${i}` });
    await agent.take('ok', (f) => f.id === 1e6 + 9_999, 20_000);
    expect(await agent.request({ type: 'watch', visitorId: 'one-too-many' })).toMatchObject({
      type: 'failed',
      code: 'invalidParameter',
      param: 'visitorId',
    });
    // Watching one already watched, or the group, still works.
    expect((await agent.request({ type: 'watch', visitorId: 'v0' })).type).toBe('ok');
    expect((await agent.request({ type: 'watch' })).type).toBe('ok');
  }, 30_000);

  it('at most 256 requests waiting for visitors; the next is refused as rateLimited', async () => {
    const server = await startServer({ agentRateLimit: { perSecond: 1e6, burst: 1e6 } });
    const mute = await connectVisitor(server, 'mute'); // never acknowledges
    const agent = await connectAgent(server, { watch: false });
    for (let id = 1; id <= 257; id++) agent.send({ type: 'showTerms', id, visitorId: 'mute' });
    const refused = await agent.take('failed', (f) => f.id === 257);
    expect(refused).toMatchObject({ code: 'rateLimited', retryAfter: expect.any(Number) });
    expect(server.metrics.get(METRIC_NAMES.rejections, { reason: 'tooManyPending' })).toBe(1);
    expect(mute.frames.filter((f) => f.type === 'showTerms')).toHaveLength(256);
  });
});

describe('slow readers and compression', () => {
  it('drops a client with more than 4 MiB queued for it, and serves the rest', async () => {
    const server = await startServer({ rateLimit: { perSecond: 1e6, burst: 1e6 } });
    const reader = await connectAgent(server);
    const sleeper = await connectAgent(server);
    // The sleeper stops reading: its socket's buffers fill, then the service's queue grows.
    sleeper.ws.pause();
    const loud = await connectVisitor(server, 'loud');
    const data = { url: '/x', c_pad: 'p'.repeat(1_990) };
    // In batches, so the reader (in this process) gets to read between them.
    const dropped = () => server.metrics.get(METRIC_NAMES.rejections, { reason: 'slowConsumer' });
    for (let batch = 0; batch < 300 && dropped() === 0; batch++) {
      for (let i = 0; i < 100; i++) loud.send({ type: 'presence', data });
      await delay(10);
    }
    expect(dropped()).toBe(1);
    // The sleeper finds its connection gone once it reads again.
    sleeper.ws.resume();
    await sleeper.closeInfo(10_000);
    expect(reader.ws.readyState).toBe(reader.ws.OPEN);
    loud.send({ type: 'ping' });
    await loud.take('pong');
  }, 20_000);

  it('negotiates no compression, so no frame can inflate', async () => {
    const server = await startServer();
    const raw = await rawSocket(server.port);
    raw.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n',
    );
    await raw.waitFor('\r\n\r\n');
    const head = raw.received().toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    expect(head.toLowerCase()).not.toContain('sec-websocket-extensions');
  });
});

describe('shutdown', () => {
  it('during a drain: /healthz says draining with 503, and a new client is sent away with 4100', async () => {
    const server = await startServer({ shutdownTimeoutMs: 1_000, closeTimeoutMs: 30_000 });
    // A client that never completes the close keeps the drain open.
    const stalled = await rawSocket(server.port);
    await stalled.upgrade();
    const draining = server.drain();
    await delay(50);
    const health = await httpGet(server, '/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'draining' });
    const late = await TestClient.open(server.url);
    const { code, reason } = await late.closeInfo();
    expect(code).toBe(CloseCode.reconnect);
    expect(reason).toMatch(/^\d+$/);
    await draining;
  });

  it('close() sends everyone away with 1001 and is idempotent', async () => {
    const server = await startServer();
    const alice = await connectVisitor(server, 'alice');
    const agent = await connectAgent(server);
    await Promise.all([server.close(), server.close()]);
    expect((await alice.closeInfo()).code).toBe(CloseCode.goingAway);
    expect((await agent.closeInfo()).code).toBe(CloseCode.goingAway);
    await server.close();
  });

  it('servers can share one metrics registry', async () => {
    const metrics = createMetrics();
    const a = await startServer({ metrics });
    const b = await startServer({ metrics });
    await connectVisitor(a, 'x');
    await connectVisitor(b, 'y');
    expect(metrics.get(METRIC_NAMES.connectionsTotal, { role: 'visitor' })).toBe(2);
    expect(a.metrics).toBe(b.metrics);
  });
});

describe('events held while a page is read', () => {
  it('an agent whose events pile up behind a stuck read is dropped (1013) and lists again', async () => {
    const base = createMemoryRegistry();
    let stuck = false;
    const registry: PresenceRegistry = {
      ...base,
      async list(groupId, page) {
        while (stuck) await delay(10);
        return base.list(groupId, page);
      },
    };
    const server = await startServer({ registry, rateLimit: { perSecond: 1e6, burst: 1e6 } });
    const agent = await connectAgent(server);
    const loud = await connectVisitor(server, 'loud');
    stuck = true;
    agent.send({ type: 'list', id: 99 });
    await delay(20);
    const data = { url: '/x', c_pad: 'p'.repeat(1_990) };
    for (let i = 0; i < 2_500; i++) loud.send({ type: 'presence', data });
    expect((await agent.closeInfo(10_000)).code).toBe(CloseCode.tryAgainLater);
    stuck = false;
    expect(server.metrics.get(METRIC_NAMES.rejections, { reason: 'slowConsumer' })).toBe(1);
  }, 20_000);
});
