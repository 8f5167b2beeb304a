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
