import { createECDH } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { AGENT_SECRET, CONFIG } from '../../server/test/e2e/targets.js';
import { type PushServiceStub, startPushServiceStub } from '../../server/test/pushServiceStub.js';
import { openAgent, openVisitor } from './rawClients.js';
import {
  type ServiceProcess,
  startService,
  TEST_REDIS_TIMINGS,
  writeConfig,
} from './serviceProcess.js';

// Push across processes on Redis: the subscription saved through one process, the agent's
// request owned by another, the visitor coming back to a third. The push goes out once, from
// the agent's process, and the request reaches the visitor wherever it returns.
describe('Web Push wake-up across beckon-server processes on one Redis', () => {
  let redis: RedisServer;
  let stub: PushServiceStub;
  let processes: ServiceProcess[] = [];

  beforeAll(async () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const vapid = {
      publicKey: ecdh.getPublicKey().toString('base64url'),
      privateKey: ecdh.getPrivateKey().toString('base64url'),
      subject: 'mailto:ops@shop.test',
    };
    redis = await startRedisServer();
    stub = await startPushServiceStub({ vapidPublicKey: vapid.publicKey });
    const config = writeConfig({
      ...CONFIG,
      groups: {
        ...CONFIG.groups,
        acme: {
          presence: true,
          agentSecrets: [AGENT_SECRET],
          push: { vapid, pushServices: [stub.origin] },
        },
      },
      graceMs: 200,
      pushWaitMs: 5_000,
      redis: { url: redis.url, prefix: 'push:', ...TEST_REDIS_TIMINGS },
    });
    processes = await Promise.all([0, 1, 2].map(() => startService(config)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await stub?.close();
    await redis?.dispose();
  });

  it('sends one push from the agent’s process and delivers on the visitor’s return elsewhere', async () => {
    const [a, b, c] = processes as [ServiceProcess, ServiceProcess, ServiceProcess];
    const agent = await openAgent(b.url, AGENT_SECRET, 'acme');
    const subscription = stub.subscribe();
    const visitor = await openVisitor(a.url, 'alice', 'acme');
    await visitor.take('welcome');
    visitor.send({ type: 'pushSubscribe', subscription });
    await visitor.take('pushSubscribed');
    visitor.ws.close();
    await agent.take('visitorDisconnected', () => true, 5_000);

    agent.send({ type: 'showTerms', id: 90, visitorId: 'alice' });
    const push = await stub.next(subscription, 5_000);
    expect(JSON.parse(push.text)).toMatchObject({ type: 'beckon.wake' });
    expect(await agent.take('push', (f) => f.status === 'sent')).toMatchObject({ devices: 1 });

    const back = await openVisitor(c.url, 'alice', 'acme');
    const shown = await back.take('showTerms', () => true, 5_000);
    back.send({ type: 'ack', id: shown.id });
    expect(
      await agent.takeWhere((f) => f.type === 'delivered' && f.id === 90, 'delivered', 5_000),
    ).toMatchObject({ woken: true });
    expect(stub.received).toHaveLength(1);
    expect(stub.refused).toEqual([]);
  });
});
