import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVisitor, type Visitor } from '@beckon/core';
import { type Agent, createAgent } from '@beckon/core/agent';
import { mintAgentToken } from '@beckon/server';
import { webSocketTransport } from '@beckon/transport-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NGINX_EXAMPLE, type Nginx, startNginx } from '../../../scripts/nginx.mjs';
import { freePort, type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { AGENT_SECRET, CONFIG } from '../../server/test/e2e/targets.js';
import {
  type ServiceProcess,
  startService,
  TEST_REDIS_TIMINGS,
  writeConfig,
} from './serviceProcess.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'scaling.md');
const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;

const connections = async (p: ServiceProcess) =>
  (JSON.parse((await p.get('/healthz')).body) as { connections: number }).connections;

describe('nginx in front of two processes, with the config of docs/scaling.md', () => {
  let redis: RedisServer;
  let processes: ServiceProcess[] = [];
  let nginx: Nginx;
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const config = writeConfig({
      ...CONFIG,
      graceMs: 5_000,
      redis: { url: redis.url, prefix: 'nginx:', ...TEST_REDIS_TIMINGS },
    });
    processes = await Promise.all([0, 1].map(() => startService(config)));
    nginx = await startNginx({ port: await freePort(), upstreams: processes.map((p) => p.port) });
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops) stop();
    await nginx?.stop();
    await Promise.all(processes.map((p) => p.kill()));
    await redis?.dispose();
  });

  it('is the config the docs show', () => {
    const block = /```nginx\n([\s\S]*?)```/.exec(readFileSync(docs, 'utf8'))?.[1];
    expect(block).toBe(readFileSync(NGINX_EXAMPLE, 'utf8'));
  });

  it('carries a visitor and an agent to different processes, and moves them on a drain', async () => {
    const health = await fetch(`http://127.0.0.1:${nginx.port}/healthz`);
    expect(health.status).toBe(200);

    const transport = () => webSocketTransport({ url: nginx.url, WebSocket: NodeWebSocket });
    const agent: Agent = createAgent({
      transport: transport(),
      groupId: 'shop',
      token: await mintAgentToken({
        groupId: 'shop',
        agentId: 'ann',
        secret: AGENT_SECRET,
        expiresIn: '5m',
      }),
      reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
    });
    stops.push(() => agent.actor.stop());
    const left: string[] = [];
    agent.on('visitorDisconnected', (e) => left.push(e.visitorId));
    const agentUp = new Promise<void>((resolve) => agent.on('connected', () => resolve()));
    agent.connect();
    await agentUp;
    await agent.watch();

    const tab = async () => {
      const v: Visitor = createVisitor({
        transport: transport(),
        reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      });
      stops.push(() => v.actor.stop());
      v.setDefaultUI(false);
      v.on('connected', () => v.presence({ url: '/shop' }));
      const up = new Promise<void>((resolve) => v.on('connected', () => resolve()));
      v.init({ groupId: 'shop', visitorId: 'alice' });
      v.connect();
      await up;
      return v;
    };
    const first = await tab();
    const second = await tab();
    // Round robin: the three connections are spread over both processes.
    for (const p of processes) expect(await connections(p)).toBeGreaterThan(0);
    await expect
      .poll(() => agent.getSnapshot().visitors.get('alice')?.connections, { timeout: 5_000 })
      .toBe(2);

    // One-Click Connect across processes: only the focused tab is asked.
    let firstAsked = 0;
    first.on('showTerms', () => {
      firstAsked += 1;
    });
    const asked = new Promise<void>((resolve) => second.on('showTerms', () => resolve()));
    const delivery = await agent.showTerms('alice');
    await asked;
    expect(delivery.connectionId).toBe((await agent.lookupVisitor('alice'))?.focusedConnectionId);
    expect(firstAsked).toBe(0);

    // Deploy: one process drains (SIGTERM); its clients come back through nginx to the
    // other, and alice never leaves.
    const [draining, staying] = processes as [ServiceProcess, ServiceProcess];
    await draining.stop();
    await expect.poll(async () => connections(staying), { timeout: 15_000 }).toBe(3);
    await expect
      .poll(async () => (await agent.lookupVisitor('alice'))?.connections, { timeout: 10_000 })
      .toBe(2);
    expect(left).toEqual([]);
    const again = await agent.signalVisitor('alice', 'c_after_deploy');
    expect(again.connectionId).toBe((await agent.lookupVisitor('alice'))?.focusedConnectionId);
  }, 60_000);
});

describe('nginx as a trusted proxy: the per-address cap counts its clients', () => {
  let service: ServiceProcess;
  let nginx: Nginx;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    // The test's clients all come from 127.0.0.1; each names a client further out, as a
    // load balancer in front of nginx would, and nginx appends the address it saw.
    service = await startService(
      writeConfig({ ...CONFIG, maxConnectionsPerAddress: 2, trustedProxies: ['127.0.0.1'] }),
    );
    nginx = await startNginx({ port: await freePort(), upstreams: [service.port] });
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await nginx?.stop();
    await service?.kill();
  });

  /** Opens a WebSocket through nginx as `client`; resolves with 'open' or the HTTP status. */
  const open = (client: string) =>
    new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(nginx.url, { headers: { 'x-forwarded-for': client } });
      sockets.push(ws);
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => {});
    });

  it('admits two sockets of one client, refuses its third with 429, and admits another client', async () => {
    expect(await open('203.0.113.7')).toBe('open');
    expect(await open('203.0.113.7')).toBe('open');
    expect(await open('203.0.113.7')).toBe(429);
    expect(await open('203.0.113.8')).toBe('open');
    const metrics = (await service.get('/metrics')).body;
    expect(metrics).toMatch(/beckon_rejections_total\{reason="tooManyConnections"\} 1\b/);
  });
});
