import { createVisitor, type Transport, type Visitor } from '@beckon/core';
import { type Agent, AgentRequestError, createAgent } from '@beckon/core/agent';
import { mintAgentToken } from '@beckon/server';
import { webSocketTransport } from '@beckon/transport-ws';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RedisServer, startRedisServer } from '../../../scripts/redisServer.mjs';
import { AGENT_SECRET, CONFIG } from '../../server/test/e2e/targets.js';
import { nodeOf } from '../src/index.js';
import { openVisitor } from './rawClients.js';
import {
  type ServiceProcess,
  startService,
  TEST_REDIS_TIMINGS,
  writeConfig,
} from './serviceProcess.js';

// Node 20 has no global WebSocket.
const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
const VISITORS = 30;
const PREFIX = 'failover:';

describe('one of three processes killed with -9 under load', () => {
  let redis: RedisServer;
  let processes: ServiceProcess[] = [];
  const killed = new Set<ServiceProcess>();
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    // A grace window long enough for every visitor to come back before it runs out.
    const config = writeConfig({
      ...CONFIG,
      graceMs: 5_000,
      redis: { url: redis.url, prefix: PREFIX, ...TEST_REDIS_TIMINGS },
    });
    processes = await Promise.all([0, 1, 2].map(() => startService(config)));
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops) stop();
    await Promise.all(processes.map((p) => p.kill()));
    await redis?.dispose();
  });

  /** A load balancer of sorts: each connection attempt goes to the next live process. */
  function rotating(start: number): Transport {
    let next = start;
    return (handlers) => {
      const live = processes.filter((p) => !killed.has(p));
      const process = live[next++ % live.length]!;
      return webSocketTransport({ url: process.url, WebSocket: NodeWebSocket })(handlers);
    };
  }

  it('its visitors come back on the others, agents end with the right set, no request is lost', async () => {
    const [first, , doomed] = processes as [ServiceProcess, ServiceProcess, ServiceProcess];
    const agent: Agent = createAgent({
      transport: webSocketTransport({ url: first.url, WebSocket: NodeWebSocket }),
      groupId: 'shop',
      token: await mintAgentToken({
        groupId: 'shop',
        agentId: 'ann',
        secret: AGENT_SECRET,
        expiresIn: '5m',
      }),
      // Longer than the test: a request the service never answers would stay unsettled.
      requestTimeoutMs: 120_000,
    });
    stops.push(() => agent.actor.stop());
    const left: string[] = [];
    agent.on('visitorDisconnected', (e) => left.push(e.visitorId));
    const agentReady = new Promise<void>((resolve) => agent.on('connected', () => resolve()));
    agent.connect();
    await agentReady;
    await agent.watch();

    // Visitors spread over the three processes, each a tab that keeps reporting where it is.
    const visitors: Visitor[] = [];
    const ids = Array.from({ length: VISITORS }, (_, i) => `load-${i}`);
    await Promise.all(
      ids.map(async (visitorId, i) => {
        const v = createVisitor({
          transport: rotating(i),
          reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
        });
        stops.push(() => v.actor.stop());
        visitors.push(v);
        const connected = new Promise<void>((resolve) => v.on('connected', () => resolve()));
        v.init({ groupId: 'shop', visitorId });
        v.connect();
        await connected;
      }),
    );
    await expect.poll(() => agent.getSnapshot().visitors.size, { timeout: 10_000 }).toBe(VISITORS);
    // The process to kill, as named in its connection IDs.
    const probe = await openVisitor(doomed.url, 'probe');
    const doomedNode = nodeOf((await probe.take('welcome')).connectionId as string);
    probe.ws.close();
    expect(doomedNode).toBeDefined();
    const onDoomed = (await Promise.all(ids.map((id) => agent.lookupVisitor(id)))).filter(
      (s) => nodeOf(s?.focusedConnectionId ?? '') === doomedNode,
    );
    expect(onDoomed).toHaveLength(VISITORS / 3);

    // Load: presence from every visitor, signals from the agent to random visitors.
    const requests: Promise<string>[] = [];
    let running = true;
    let tick = 0;
    const load = setInterval(() => {
      if (!running) return;
      tick += 1;
      for (const [i, v] of visitors.entries()) {
        if (v.getSnapshot().connection === 'connected' && (tick + i) % 8 === 0) {
          v.presence({ url: `/page/${tick}` });
        }
      }
      // About 13 a second: within the agent connection's rate limit.
      if (tick % 3 !== 0) return;
      const target = ids[(tick / 3) % VISITORS]!;
      requests.push(
        agent.signalVisitor(target, 'c_ping', { n: String(tick) }).then(
          () => 'delivered',
          (error: unknown) =>
            error instanceof AgentRequestError ? error.code : `untyped: ${String(error)}`,
        ),
      );
    }, 25);
    stops.push(() => clearInterval(load));

    await new Promise((r) => setTimeout(r, 1_000));
    killed.add(doomed);
    await doomed.kill();
    await new Promise((r) => setTimeout(r, 2_500));
    running = false;
    clearInterval(load);

    // Every visitor is connected again, to a process that lives.
    await expect
      .poll(() => visitors.filter((v) => v.getSnapshot().connection === 'connected').length, {
        timeout: 15_000,
      })
      .toBe(VISITORS);

    // The agent ends with exactly these visitors, one live connection each; none of them
    // ever left in between.
    await expect
      .poll(
        async () =>
          (await agent.listVisitors())
            .map((s) => `${s.visitorId}:${s.connections}:${s.present}`)
            .sort(),
        { timeout: 15_000, interval: 200 },
      )
      .toEqual(ids.map((id) => `${id}:1:true`).sort());
    await expect
      .poll(
        () =>
          [...agent.getSnapshot().visitors.values()].every(
            (s) => s.connections === 1 && nodeOf(s.focusedConnectionId ?? '') !== doomedNode,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(left.filter((id) => ids.includes(id))).toEqual([]);
    // The probe left the doomed process before it died, within its grace window, so its
    // grace timer died too: a survivor forgets it instead.
    await expect.poll(() => left, { timeout: 15_000 }).toContain('probe');

    // Every request was answered: delivered, or failed with a reason the service gave.
    const outcomes = await Promise.race([
      Promise.all(requests),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('some requests were never answered')), 20_000),
      ),
    ]);
    const tally = new Map<string, number>();
    for (const o of outcomes) tally.set(o, (tally.get(o) ?? 0) + 1);
    for (const code of tally.keys()) {
      expect(['delivered', 'visitorNotPresent', 'timeout']).toContain(code);
    }
    expect(tally.get('delivered') ?? 0).toBeGreaterThan(outcomes.length / 2);

    // Redis keeps nothing of the dead process.
    const client = await createClient({ url: redis.url }).connect();
    try {
      await expect
        .poll(
          async () => ({
            index: await client.exists(`${PREFIX}n:${doomedNode}`),
            member: await client.zScore(`${PREFIX}nodes`, doomedNode!),
            connections: Number(await client.get(`${PREFIX}count`)),
          }),
          { timeout: 10_000 },
        )
        .toEqual({ index: 0, member: null, connections: VISITORS });
    } finally {
      await client.close();
    }
  }, 120_000);
});
