import type { Peer } from '@beckon/core';
import { type Agent, createAgent } from '@beckon/core/agent';
import { checkPresence, LIMITS } from '@beckon/core/protocol';
import { createLinkedTransport } from '@beckon/transport-mock';
import { webSocketTransport } from '@beckon/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodePage, REPLY_BYTES_PER_TOKEN } from '../src/hub/visitorPages.js';
import { createMemoryRegistry, type PresenceRegistry, type VisitorRecord } from '../src/index.js';
import {
  AGENT_SECRET,
  agentToken,
  connectAgent,
  connectVisitor,
  delay,
  startServer,
} from './utils.js';

const GROUP = 'big';
const SIZE = 20_000;

/**
 * The largest presence data the spec allows: 20 properties, four of them 2,000 characters
 * long, 10,000 characters of names and values in all. `kind` picks what the characters
 * cost on the wire: one byte, three (`€`), or six (control characters JSON escapes).
 */
function maximalPresence(seed: number, kind: 'ascii' | 'utf8' | 'escaped'): Record<string, string> {
  const fill = kind === 'ascii' ? 'x' : kind === 'utf8' ? '€' : '\u0001';
  const long = (n: number) => `${seed}:`.padEnd(n, fill).slice(0, n);
  const data: Record<string, string> = {
    url: long(2_000),
    title: long(2_000),
    referrer: long(2_000),
    c_a: long(2_000),
  };
  for (let i = 0; i < 16; i++) data[`c_${String.fromCharCode(98 + i)}`] = long(120);
  return data;
}

/** `count` visitors, each with maximal presence data, put straight into the registry. */
async function fillGroup(registry: PresenceRegistry, count: number): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const visitorId = `v${String(i).padStart(6, '0')}`;
    // One in a hundred costs six bytes a character: a page then holds one visitor.
    const kind = i % 100 === 7 ? 'escaped' : i % 10 === 3 ? 'utf8' : 'ascii';
    const data = maximalPresence(i, kind);
    await registry.connect({
      groupId: GROUP,
      visitorId,
      connectionId: `c-${i}`,
      visible: i % 4 !== 0,
      at: 1_000 + i,
    });
    await registry.setPresence({ groupId: GROUP, visitorId, data, at: 1_000 + i });
    urls.set(visitorId, data.url as string);
  }
  return urls;
}

const GROUPS = {
  [GROUP]: {
    presence: true,
    agentSecrets: [AGENT_SECRET],
    // Listing 200 MB is paced by the agent's rate limit; this group lets its agents go fast.
    agentRateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
  },
  slow: {
    presence: true,
    agentSecrets: [AGENT_SECRET],
    agentRateLimit: { perSecond: 40, burst: 10 },
  },
};

// Frames cross on the next turn of the event loop, in order, without the 1 ms floor of a
// 0 ms timer: thousands of page round trips would otherwise mostly wait.
const NEXT_TURN = {
  setTimeout: (fn: () => void) => setImmediate(fn),
  clearTimeout: (handle: unknown) => clearImmediate(handle as NodeJS.Immediate),
};

const agents: Agent[] = [];
afterEach(() => {
  for (const a of agents.splice(0)) a.disconnect();
});

function sameData(summaryUrl: string | undefined, expected: string | undefined) {
  return summaryUrl === expected;
}

describe('a group of 20,000 visitors with maximal presence data', () => {
  it('the largest visitor summary fits one frame with room to spare', () => {
    for (const kind of ['ascii', 'utf8', 'escaped'] as const) {
      const data = maximalPresence(1, kind);
      expect(checkPresence(data)).toBeUndefined();
      const record: VisitorRecord = {
        groupId: GROUP,
        visitorId: 'v'.repeat(LIMITS.maxIdLength),
        connections: [{ connectionId: 'c', visible: true, connectedAt: 1, lastActiveAt: 1 }],
        focusedConnectionId: '00000000-0000-0000-0000-000000000000',
        epoch: Number.MAX_SAFE_INTEGER,
        presence: data,
        visibility: 'visible',
        lastActiveAt: Number.MAX_SAFE_INTEGER,
        sessionKey: 's'.repeat(LIMITS.maxIdLength),
      };
      const page = encodePage(Number.MAX_SAFE_INTEGER, [record, record], 'zzz');
      expect(page.count).toBe(kind === 'escaped' ? 1 : 2);
      expect(page.bytes).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
      expect(JSON.parse(page.text)).toMatchObject({
        type: 'visitors',
        next: page.count === 2 ? 'zzz' : record.visitorId,
      });
    }
  });

  it('lists and watches completely in frames of at most 64 KiB, in process', async () => {
    const server = await startServer({ groups: GROUPS });
    const urls = await fillGroup(server.registry, SIZE);
    let largest = 0;
    let frames = 0;
    // The service's end of each linked connection, measured frame by frame.
    const transport = createLinkedTransport({
      clock: NEXT_TURN,
      accept: (peer) => {
        const send = peer.send.bind(peer);
        const measured: Peer = Object.assign(Object.create(peer) as Peer, {
          send(text: string) {
            frames += 1;
            largest = Math.max(largest, Buffer.byteLength(text));
            send(text);
          },
        });
        server.accept(measured);
      },
    });
    const agent = createAgent({ transport, groupId: GROUP, token: await agentToken(GROUP) });
    agents.push(agent);
    agent.connect();
    await expect.poll(() => agent.getSnapshot().status).toBe('connected');

    const listed = await agent.listVisitors();
    expect(listed).toHaveLength(SIZE);
    expect(new Set(listed.map((v) => v.visitorId)).size).toBe(SIZE);
    expect(listed.every((v) => sameData(v.presence.url, urls.get(v.visitorId)))).toBe(true);
    expect(Object.keys(listed[0]?.presence ?? {})).toHaveLength(20);

    await agent.watch();
    const view = agent.getSnapshot().visitors;
    expect(view.size).toBe(SIZE);
    expect([...view.values()].every((v) => sameData(v.presence.url, urls.get(v.visitorId)))).toBe(
      true,
    );
    expect(largest).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
    // Pages are full: far fewer frames than visitors, but several per request's bound.
    expect(frames).toBeGreaterThan((2 * SIZE) / 10);
    expect(agent.getSnapshot().invalidFrames).toBe(0);
  }, 120_000);

  it('lists and watches completely over a real socket', async () => {
    const server = await startServer({ groups: GROUPS });
    const urls = await fillGroup(server.registry, SIZE);
    const agent = createAgent({
      transport: webSocketTransport({
        url: server.url,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      }),
      groupId: GROUP,
      token: await agentToken(GROUP),
    });
    agents.push(agent);
    agent.connect();
    await expect.poll(() => agent.getSnapshot().status).toBe('connected');
    await agent.watch();
    const view = agent.getSnapshot().visitors;
    expect(view.size).toBe(SIZE);
    expect([...view.values()].every((v) => sameData(v.presence.url, urls.get(v.visitorId)))).toBe(
      true,
    );
    // The client refuses a frame over the limit: none came.
    expect(agent.getSnapshot().invalidFrames).toBe(0);
  }, 120_000);
});

describe('the cost of listing', () => {
  it('a request of a few bytes never gets more than one frame back', async () => {
    const server = await startServer({ groups: GROUPS });
    await fillGroup(server.registry, 50);
    const agent = await connectAgent(server, { groupId: GROUP, watch: false });
    const page = await agent.request({ type: 'list' });
    expect(page.visitors.length).toBeGreaterThan(0);
    expect(page.visitors.length).toBeLessThan(50);
    expect(page.next).toBe(page.visitors.at(-1).visitorId);
    const raw = JSON.stringify(page);
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
    // A limit makes a smaller page.
    const two = await agent.request({ type: 'list', limit: 2 });
    expect(two.visitors).toHaveLength(2);
    const rest = await agent.request({ type: 'list', after: two.next, limit: 1 });
    expect(rest.visitors[0].visitorId > two.next).toBe(true);
  });

  it('charges replies to the agent by size: a paced listing still completes', async () => {
    const server = await startServer({ groups: GROUPS });
    // ~1 MB of summaries: about 16 full pages at 4 tokens each, against 40 tokens a second.
    const urls = await (async () => {
      const out = new Map<string, string>();
      for (let i = 0; i < 100; i++) {
        const visitorId = `v${i}`;
        const data = maximalPresence(i, 'ascii');
        await server.registry.connect({
          groupId: 'slow',
          visitorId,
          connectionId: `c${i}`,
          visible: true,
          at: 1,
        });
        await server.registry.setPresence({ groupId: 'slow', visitorId, data, at: 1 });
        out.set(visitorId, data.url as string);
      }
      return out;
    })();
    const agent = createAgent({
      transport: createLinkedTransport({ accept: (peer) => server.accept(peer) }),
      groupId: 'slow',
      token: await agentToken('slow'),
    });
    agents.push(agent);
    agent.connect();
    await expect.poll(() => agent.getSnapshot().status).toBe('connected');
    const listed = await agent.listVisitors();
    expect(listed.map((v) => v.visitorId).sort()).toEqual([...urls.keys()].sort());
    // It was told to wait, and waited: pages cost more than the bucket held.
    expect(
      server.metrics.get('beckon_rejections_total', { reason: 'rateLimited' }),
    ).toBeGreaterThan(0);
    expect(REPLY_BYTES_PER_TOKEN).toBe(16 * 1024);
  }, 30_000);

  it("an agent gets its group's own agent limit, not the service's nor the visitors'", async () => {
    const server = await startServer({
      groups: GROUPS,
      rateLimit: { perSecond: 1, burst: 2 },
      agentRateLimit: { perSecond: 1, burst: 30 },
    });
    const agent = await connectAgent(server, { groupId: 'slow', watch: false });
    // The group's own agent limit (burst 10) applies, not the service's (30) nor visitors' (2).
    for (let id = 1; id <= 12; id++) agent.send({ type: 'lookup', id, visitorId: 'nobody' });
    const refused = await agent.take('failed', (f) => f.code === 'rateLimited');
    expect(refused.id).toBe(11);
  });
});

describe('a page whose visitors all left between two reads of a shared store', () => {
  it('still carries the cursor, so the listing goes on', async () => {
    const base = createMemoryRegistry();
    let first = true;
    // As a Redis registry may answer: the page's IDs were read, their records were gone.
    const registry: PresenceRegistry = {
      ...base,
      async list(groupId, page) {
        const result = await base.list(groupId, first ? { limit: 2 } : page);
        if (!first) return result;
        first = false;
        return result.next === undefined ? { visitors: [] } : { visitors: [], next: result.next };
      },
    };
    const server = await startServer({ registry });
    for (let i = 0; i < 5; i++) await connectVisitor(server, `v${i}`);
    const agent = await connectAgent(server, { watch: false });
    const empty = await agent.request({ type: 'list' });
    expect(empty).toMatchObject({ visitors: [], next: 'v1' });
    const rest = await agent.request({ type: 'list', after: empty.next });
    expect(rest.visitors.map((v: { visitorId: string }) => v.visitorId)).toEqual([
      'v2',
      'v3',
      'v4',
    ]);
  });
});

describe('a page and the live events beside it', () => {
  it('an event about a change the page read missed reaches the agent after the page', async () => {
    const base = createMemoryRegistry();
    let release: () => void = () => {};
    let held: Promise<void> | undefined;
    // A registry whose reads take a while, as a remote one does.
    const registry: PresenceRegistry = {
      ...base,
      async list(groupId, page) {
        const result = await base.list(groupId, page);
        await held;
        return result;
      },
    };
    const server = await startServer({ registry });
    const agent = await connectAgent(server);
    const bob = await connectVisitor(server, 'bob');
    await agent.take('focus', (f) => f.visitorId === 'bob');
    held = new Promise((resolve) => {
      release = resolve;
    });
    agent.send({ type: 'list', id: 50 });
    await delay(20);
    bob.send({ type: 'presence', data: { url: '/new' } });
    await delay(20);
    release();
    const page = await agent.take('visitors');
    const event = await agent.take('presence');
    expect(page.visitors[0].presence).toEqual({});
    expect(event.data).toEqual({ url: '/new' });
    // In that order: applying both in arrival order ends on the current state.
    expect(agent.frames.indexOf(page)).toBeLessThan(agent.frames.indexOf(event));
  });
});
