import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { AGENT_SECRET, CONFIG, OTHER_SECRET } from '../../server/test/e2e/targets.js';
import { openAgent, openVisitor } from './rawClients.js';
import { writeConfig } from './serviceProcess.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'dist', 'cli.js');

/** Runs `beckon-server` with `args` and `env` until `/healthz` says ok, or until it exits. */
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, '--log-level', 'silent', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, stderr: () => stderr };
}

describe('beckon-server with Redis', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(() => redis?.dispose());

  it('refuses a bad Redis URL, and a prefix without Redis, with exit code 2', async () => {
    const bad = run(['--redis', 'http://localhost:6379', '--port', '0']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--redis must be a redis:// or rediss:// URL');
    const lonely = run(['--redis-prefix', 'x:', '--port', '0']);
    expect(await lonely.exited).toBe(2);
    expect(lonely.stderr()).toContain('--redis-prefix needs --redis');
    const file = run(['--config', writeConfig({ ...CONFIG, redis: { url: 'nope' } })]);
    expect(await file.exited).toBe(2);
    expect(file.stderr()).toContain('redis.url');
  });

  it('takes the URL and prefix from the environment, and keeps groups apart', async () => {
    const port = await freePort();
    const service = run(['--config', writeConfig(CONFIG), '--port', String(port)], {
      BECKON_REDIS_URL: redis.url,
      BECKON_REDIS_PREFIX: 'from-env:',
    });
    try {
      await expect
        .poll(
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status,
          { timeout: 15_000 },
        )
        .toBe(200);
      const url = `ws://127.0.0.1:${port}/`;
      const alice = await openVisitor(url, 'alice');
      await alice.take('welcome');
      const client = await createClient({ url: redis.url }).connect();
      try {
        expect(await client.exists('from-env:v:shop:alice')).toBe(1);
        expect(await client.exists('beckon:v:shop:alice')).toBe(0);
      } finally {
        await client.close();
      }
      // The same visitor ID in another group is another visitor; neither group sees the other.
      const shopAgent = await openAgent(url, AGENT_SECRET, 'shop');
      const otherAgent = await openAgent(url, OTHER_SECRET, 'other');
      expect((await otherAgent.request({ type: 'list' })).visitors).toEqual([]);
      expect((await otherAgent.request({ type: 'lookup', visitorId: 'alice' })).visitor).toBeNull();
      const otherAlice = await openVisitor(url, 'alice', 'other');
      await otherAlice.take('welcome');
      otherAlice.send({ type: 'presence', data: { url: '/other' } });
      await otherAgent.take('presence', (f) => f.data.url === '/other');
      const shopView = (await shopAgent.request({ type: 'lookup', visitorId: 'alice' })).visitor;
      expect(shopView).toMatchObject({ connections: 1, presence: {} });
      expect(shopAgent.types()).not.toContain('presence');
    } finally {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }, 60_000);
});
