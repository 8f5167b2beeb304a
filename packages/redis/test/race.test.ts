import { PROTOCOL_VERSION } from '@beckon/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { AGENT_SECRET, CONFIG } from '../../server/test/e2e/targets.js';
import { believesFocused, openAgent, TestClient } from './rawClients.js';
import {
  type ServiceProcess,
  startService,
  TEST_REDIS_TIMINGS,
  writeConfig,
} from './serviceProcess.js';

const ROUNDS = 12;
const INSTANCES = 6;

describe('many instances of one visitor connecting to three processes at once', () => {
  let redis: RedisServer;
  let processes: ServiceProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const config = writeConfig({
      ...CONFIG,
      redis: { url: redis.url, prefix: 'race:', ...TEST_REDIS_TIMINGS },
    });
    processes = await Promise.all([0, 1, 2].map(() => startService(config)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await redis?.dispose();
  });

  it('ends with exactly one focused instance, the newest epoch, and signals reach only it', async () => {
    const agent = await openAgent(processes[0]!.url, AGENT_SECRET);
    for (let round = 0; round < ROUNDS; round++) {
      const visitorId = `race-${round}`;
      // All sockets first, then every hello in one go: the joins race in three processes.
      const instances = await Promise.all(
        Array.from({ length: INSTANCES }, (_, i) =>
          TestClient.open(processes[i % processes.length]!.url),
        ),
      );
      for (const client of instances) {
        client.send({
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'visitor',
          groupId: 'shop',
          visitorId,
          visible: true,
        });
      }
      const welcomes = await Promise.all(instances.map((c) => c.take('welcome')));
      const ids = welcomes.map((w) => w.connectionId as string);
      expect(new Set(ids).size).toBe(INSTANCES);

      // The registry's view, once every instance has heard all about its focus.
      let focusedId = '';
      await expect
        .poll(
          async () => {
            const { visitor } = await agent.request({ type: 'lookup', visitorId });
            focusedId = visitor.focusedConnectionId;
            const beliefs = instances.map(believesFocused);
            const maxEpoch = Math.max(...beliefs.map((b) => b.epoch));
            return {
              connections: visitor.connections,
              focusedBelievers: beliefs.filter((b) => b.focused).length,
              believerIsFocused: beliefs[ids.indexOf(focusedId)]?.focused,
              newestEpochIsRegistry: maxEpoch === visitor.epoch,
            };
          },
          { timeout: 10_000, interval: 50 },
        )
        .toEqual({
          connections: INSTANCES,
          focusedBelievers: 1,
          believerIsFocused: true,
          newestEpochIsRegistry: true,
        });

      // A signal from the agent (on the first process) reaches the focused instance alone.
      const focused = instances[ids.indexOf(focusedId)]!;
      const answer = agent.request({ type: 'signal', visitorId, name: 'c_ping', properties: {} });
      const signal = await focused.take('signal');
      focused.send({ type: 'ack', id: signal.id });
      expect(await answer).toMatchObject({ type: 'delivered', connectionId: focusedId });
      for (const other of instances) {
        other.send({ type: 'ping' });
        await other.take('pong');
        if (other !== focused) expect(other.types()).not.toContain('signal');
      }
      for (const client of instances) client.ws.terminate();
    }
  }, 120_000);
});
