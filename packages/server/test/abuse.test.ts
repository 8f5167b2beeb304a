import { CloseCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { describe, expect, it } from 'vitest';
import { connectAgent, connectVisitor, startServer, TestClient } from './utils.js';

describe('hostile input', () => {
  it('closes a 1 MiB frame with 1009 while another client keeps being served', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    const attacker = await connectVisitor(server, 'mallory');
    attacker.send(JSON.stringify({ type: 'presence', data: { url: 'x'.repeat(1024 * 1024) } }));
    expect((await attacker.closeInfo()).code).toBe(CloseCode.tooLarge);
    alice.send({ type: 'presence', data: { url: '/still-fine' } });
    expect((await agent.take('presence', (f) => f.visitorId === 'alice')).data.url).toBe(
      '/still-fine',
    );
    expect(server.metrics.get('beckon_rejections_total', { reason: 'tooLarge' })).toBe(1);
  });

  it('survives 10,000 garbage frames: the sender is cut off, others are served', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    const attacker = await TestClient.open(server.url);
    const garbage = [
      '{',
      'null',
      '[]',
      '{"type":42}',
      '\u0000\u0001',
      '{"type":"hello"}',
      'x'.repeat(100),
    ];
    for (let i = 0; i < 10_000; i++) attacker.send(garbage[i % garbage.length] as string);
    const { code } = await attacker.closeInfo(10_000);
    expect([CloseCode.badRequest, CloseCode.rateLimited]).toContain(code);
    // The attacker was answered with typed errors before being closed.
    expect(attacker.frames.length).toBeGreaterThan(0);
    expect(attacker.frames.length).toBeLessThan(100);
    expect(attacker.frames.every((f) => f.type === 'error' && typeof f.code === 'string')).toBe(
      true,
    );
    alice.send({ type: 'presence', data: { url: '/ok' } });
    expect((await agent.take('presence')).data.url).toBe('/ok');
  });

  it('closes with 4000 after 10 bad frames within a minute, with a typed error for each', async () => {
    const server = await startServer();
    const alice = await connectVisitor(server, 'alice');
    for (let i = 0; i < 10; i++) alice.send('not json');
    expect((await alice.closeInfo()).code).toBe(CloseCode.badRequest);
    expect(alice.frames.filter((f) => f.type === 'error' && f.code === 'malformed')).toHaveLength(
      10,
    );
    expect(server.metrics.get('beckon_rejections_total', { reason: 'malformed' })).toBe(10);
  });

  it('nine bad frames are tolerated', async () => {
    const server = await startServer();
    const alice = await connectVisitor(server, 'alice');
    for (let i = 0; i < 9; i++) alice.send('{}');
    alice.send({ type: 'ping' });
    await alice.take('pong');
    expect(alice.frames.filter((f) => f.type === 'error')).toHaveLength(9);
    expect(alice.ws.readyState).toBe(alice.ws.OPEN);
  });

  it('refuses binary frames with invalidMessage', async () => {
    const server = await startServer();
    const alice = await connectVisitor(server, 'alice');
    alice.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await alice.take('error')).toMatchObject({ code: 'invalidMessage' });
    expect(server.metrics.get('beckon_rejections_total', { reason: 'binary' })).toBe(1);
  });

  it('rate-limits with a typed error carrying retryAfter, then recovers', async () => {
    const server = await startServer({ rateLimit: { perSecond: 10, burst: 5 } });
    const alice = await connectVisitor(server, 'alice');
    // hello took one token; four pings fit, the rest are refused.
    for (let i = 0; i < 7; i++) alice.send({ type: 'ping' });
    const limited = await alice.take('error');
    expect(limited).toMatchObject({ code: 'rateLimited', retryAfter: expect.any(Number) });
    expect(limited.retryAfter).toBeGreaterThan(0);
    expect(limited.retryAfter).toBeLessThanOrEqual(100);
    await new Promise((resolve) => setTimeout(resolve, limited.retryAfter + 20));
    alice.send({ type: 'ping' });
    await alice.take('pong', () => true);
    expect(alice.ws.readyState).toBe(alice.ws.OPEN);
  });

  it('answers a rate-limited agent request with failed under its id', async () => {
    const server = await startServer({ agentRateLimit: { perSecond: 1, burst: 3 } });
    const agent = await connectAgent(server, { watch: false });
    for (let id = 1; id <= 4; id++) agent.send({ type: 'list', id });
    expect(await agent.take('failed')).toMatchObject({
      code: 'rateLimited',
      retryAfter: expect.any(Number),
    });
  });

  it('closes with 4129 and the wait in ms as reason when a client ignores retryAfter', async () => {
    const server = await startServer({ rateLimit: { perSecond: 2, burst: 4 } });
    const alice = await connectVisitor(server, 'alice');
    for (let i = 0; i < 50; i++) alice.send({ type: 'ping' });
    const { code, reason } = await alice.closeInfo();
    expect(code).toBe(CloseCode.rateLimited);
    expect(reason).toMatch(/^\d+$/);
    expect(Number(reason)).toBeGreaterThan(0);
  });

  it('answers every frame it accepted before a rate-limit close, then closes 4129', async () => {
    const server = await startServer({ rateLimit: { perSecond: 1, burst: 5 } });
    const alice = await connectVisitor(server, 'alice');
    // All in one go: the close lands in the same read as the pings it must still answer.
    for (let i = 0; i < 30; i++) alice.send({ type: 'ping' });
    expect((await alice.closeInfo()).code).toBe(CloseCode.rateLimited);
    const types = alice.types().slice(1);
    // Five accepted (a full bucket), five refused with a typed error, then the close.
    expect(types.filter((t) => t === 'pong')).toHaveLength(5);
    expect(alice.frames.filter((f) => f.code === 'rateLimited')).toHaveLength(5);
    expect(types).toHaveLength(10);
  });

  it("answers an agent's accepted requests before its rate-limit close, the ones waiting for a visitor included", async () => {
    const server = await startServer({ agentRateLimit: { perSecond: 1, burst: 4 } });
    const alice = await connectVisitor(server, 'alice');
    const agent = await connectAgent(server, { watch: false });
    // Accepted: a request alice never acknowledges, a list, a lookup and a watch.
    agent.send({ type: 'showTerms', id: 1, visitorId: 'alice' });
    agent.send({ type: 'list', id: 2 });
    agent.send({ type: 'lookup', id: 3, visitorId: 'alice' });
    agent.send({ type: 'watch', id: 4 });
    // Refused with a typed answer each, and then one too many.
    for (let id = 5; id <= 9; id++) agent.send({ type: 'lookup', id, visitorId: 'alice' });
    await alice.take('showTerms');
    expect((await agent.closeInfo()).code).toBe(CloseCode.rateLimited);
    const byId = new Map(agent.frames.filter((f) => 'id' in f).map((f) => [f.id, f]));
    expect(byId.get(1)).toMatchObject({ type: 'failed', code: 'rateLimited' });
    expect(byId.get(1)?.retryAfter).toBeGreaterThan(0);
    expect(byId.get(2)).toMatchObject({ type: 'visitors' });
    expect(byId.get(3)).toMatchObject({ type: 'visitor', visitor: { visitorId: 'alice' } });
    expect(byId.get(4)).toMatchObject({ type: 'ok' });
    for (let id = 5; id <= 8; id++) {
      expect(byId.get(id)).toMatchObject({ type: 'failed', code: 'rateLimited' });
    }
    // The frame that tipped it over is answered by the close itself.
    expect(byId.has(9)).toBe(false);
  });

  it('terminates a peer that stops answering pings (4101)', async () => {
    const server = await startServer({ heartbeatMs: 80 });
    const ghost = await TestClient.open(server.url, { autoPong: false });
    ghost.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: 'shop',
      visitorId: 'ghost',
      visible: true,
    });
    await ghost.take('welcome');
    const live = await connectVisitor(server, 'alice');
    const { code } = await ghost.closeInfo(3_000);
    expect(code).toBe(CloseCode.heartbeatTimeout);
    expect(server.metrics.get('beckon_rejections_total', { reason: 'heartbeatTimeout' })).toBe(1);
    // A peer that answers pings stays.
    live.send({ type: 'ping' });
    expect(await live.take('pong')).toEqual({ type: 'pong' });
  });

  it('refuses a second hello and messages of the other role', async () => {
    const server = await startServer();
    const alice = await connectVisitor(server, 'alice');
    alice.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: 'shop',
      visitorId: 'bob',
      visible: true,
    });
    expect(await alice.take('error')).toMatchObject({ code: 'invalidMessage' });
    alice.send({ type: 'list', id: 1 });
    expect(await alice.take('error')).toMatchObject({ code: 'invalidMessage', param: 'type' });
    alice.send({ type: 'showTerms', id: 1, visitorId: 'bob' });
    expect(await alice.take('error')).toMatchObject({ code: 'invalidMessage' });
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const server = await startServer({ path: '/presence' });
    expect(server.url).toMatch(/\/presence$/);
    await expect(TestClient.open(server.url.replace('/presence', '/other'))).rejects.toThrow(/404/);
    const alice = await connectVisitor(server, 'alice');
    expect(alice.welcome.focused).toBe(true);
  });
});
