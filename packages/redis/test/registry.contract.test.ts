import { registryContract } from '@beckon/server/testing';
import { createClient } from '@redis/client';
import { afterAll, beforeAll } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { createRedisRegistry } from '../src/index.js';

let redis: RedisServer;
const connect = (url: string) => createClient({ url }).connect();
let client: Awaited<ReturnType<typeof connect>>;
let n = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  client = await connect(redis.url);
});

afterAll(async () => {
  await client?.close();
  await redis?.dispose();
});

// A fresh prefix is a fresh, empty store in the same Redis. Small pages, so that listing
// a large group takes several.
registryContract('redis', () => createRedisRegistry({ client, prefix: `t${++n}:`, pageSize: 100 }));
