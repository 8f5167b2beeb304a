import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { AGENT_SECRET, CONFIG } from '../../server/test/e2e/targets.js';
import { openAgent, openVisitor, TestClient } from './rawClients.js';
import {
  type ServiceProcess,
  startService,
  TEST_REDIS_TIMINGS,
  writeConfig,
} from './serviceProcess.js';

const health = async (p: ServiceProcess) => {
  const { status, body } = await p.get('/healthz');
  return { http: status, ...(JSON.parse(body) as { status: string; reason?: string }) };
};

const gauge = async (p: ServiceProcess) =>
  /^beckon_store_available (\d)$/m.exec((await p.get('/metrics')).body)?.[1];

describe('Redis stopped and started again, empty, under two running processes', () => {
  let redis: RedisServer;
  let processes: ServiceProcess[] = [];
  let config: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    config = writeConfig({
      ...CONFIG,
      graceMs: 5_000,
      redis: { url: redis.url, prefix: 'restart:', ...TEST_REDIS_TIMINGS },
    });
    processes = await Promise.all([0, 1].map(() => startService(config)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await redis?.dispose();
  });

  it('reports it, refuses newcomers with 4503, and recovers by itself with its connections', async () => {
    const [a, b] = processes as [ServiceProcess, ServiceProcess];
    const agent = await openAgent(a.url, AGENT_SECRET);
    const alice = await openVisitor(b.url, 'alice');
    const before = await alice.take('welcome');
    alice.send({ type: 'presence', data: { url: '/cart' } });
    await agent.take('presence', (f) => f.visitorId === 'alice');
    const bob = await openVisitor(a.url, 'bob');
    await bob.take('welcome');
    bob.send({ type: 'visibility', visible: false });
    await agent.take('visibility', (f) => f.visitorId === 'bob' && f.visibility === 'hidden');

    await redis.stop();

    // Both processes say so, on /healthz and /metrics.
    for (const p of processes) {
      await expect
        .poll(() => health(p), { timeout: 10_000 })
        .toMatchObject({
          http: 503,
          status: 'unavailable',
          reason: expect.stringContaining('redis'),
        });
      expect(await gauge(p)).toBe('0');
    }
    // A newcomer is refused with the retryable code; those connected stay.
    const newcomer = await TestClient.open(a.url);
    expect((await newcomer.closeInfo(5_000)).code).toBe(4503);
    expect(alice.ws.readyState).toBe(alice.ws.OPEN);
    expect(agent.ws.readyState).toBe(agent.ws.OPEN);

    await redis.start();

    for (const p of processes) {
      await expect
        .poll(() => health(p), { timeout: 15_000 })
        .toMatchObject({ http: 200, status: 'ok' });
      expect(await gauge(p)).toBe('1');
    }
    // Both visitors are registered again, as they were, without reconnecting.
    await expect
      .poll(async () => (await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor, {
        timeout: 10_000,
      })
      .toMatchObject({
        connections: 1,
        present: true,
        presence: { url: '/cart' },
        focusedConnectionId: before.connectionId,
      });
    await expect
      .poll(async () => (await agent.request({ type: 'lookup', visitorId: 'bob' })).visitor, {
        timeout: 10_000,
      })
      .toMatchObject({ connections: 1, visibility: 'hidden' });
    // Focus epochs went on growing, though Redis started from nothing.
    const refocus = await alice.take('focus');
    expect(refocus.epoch).toBeGreaterThan(before.epoch);

    // Routing and events work across the processes again.
    const answer = agent.request({
      type: 'signal',
      visitorId: 'alice',
      name: 'c_back',
      properties: {},
    });
    const signal = await alice.take('signal');
    alice.send({ type: 'ack', id: signal.id });
    expect(await answer).toMatchObject({ type: 'delivered', connectionId: before.connectionId });
    alice.send({ type: 'presence', data: { url: '/checkout' } });
    await agent.take('presence', (f) => f.visitorId === 'alice' && f.data.url === '/checkout');
    const carol = await openVisitor(b.url, 'carol');
    await carol.take('welcome');
    await agent.take('visitorConnected', (f) => f.visitorId === 'carol');
  }, 90_000);

  it('a process started while Redis is down joins the others once it comes up', async () => {
    await redis.stop();
    const late = await startService(config, [], { listening: true });
    processes.push(late);
    expect(await health(late)).toMatchObject({ http: 503, status: 'unavailable' });
    await redis.start();
    await expect
      .poll(() => health(late), { timeout: 15_000 })
      .toMatchObject({ http: 200, status: 'ok' });
    // Its own channel listens: a signal from an agent on another process reaches it.
    const [a] = processes as [ServiceProcess];
    await expect.poll(async () => (await health(a)).status, { timeout: 15_000 }).toBe('ok');
    const agent = await openAgent(a.url, AGENT_SECRET);
    const dave = await openVisitor(late.url, 'dave');
    const welcome = await dave.take('welcome');
    const answer = agent.request({
      type: 'signal',
      visitorId: 'dave',
      name: 'c_hi',
      properties: {},
    });
    const signal = await dave.take('signal');
    dave.send({ type: 'ack', id: signal.id });
    expect(await answer).toMatchObject({ type: 'delivered', connectionId: welcome.connectionId });
  }, 60_000);
});
