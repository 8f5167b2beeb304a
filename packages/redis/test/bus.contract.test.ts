import { busContract } from '@beckon/server/testing';
import { createClient } from '@redis/client';
import { afterAll, beforeAll } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { createRedisBus, type RedisBus } from '../src/index.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(() => redis?.dispose());

/** A bus with connections of its own, as a process would have; closing it closes them. */
async function processBus(): Promise<RedisBus> {
  const client = await createClient({ url: redis.url }).connect();
  const subscriber = await client.duplicate().connect();
  const bus = createRedisBus({ client, subscriber, prefix: 'bus:' });
  await bus.ready();
  const close = bus.close;
  return Object.assign(bus, {
    close: async () => {
      await close();
      if (client.isOpen) await client.close();
      if (subscriber.isOpen) await subscriber.close();
    },
  });
}

busContract('redis, two processes', async () => ({
  sender: await processBus(),
  receiver: await processBus(),
}));

busContract('redis, one process', async () => {
  const bus = await processBus();
  return { sender: bus, receiver: bus };
});
