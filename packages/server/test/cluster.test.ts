import { describe, expect, it } from 'vitest';
import {
  createMemoryBus,
  createMemoryRegistry,
  createMemorySessionStore,
  type PresenceServer,
  type PresenceServerOptions,
} from '../src/index.js';
import { connectAgent, connectVisitor, type Frame, startServer, TestClient } from './utils.js';

/**
 * A cluster in one process: several servers sharing ONE registry and ONE bus, as processes
 * would share a Redis. Each server only knows its own sockets, so anything that reaches
 * another connection without the bus fails here. The bus copies every message through JSON,
 * as a bus between processes would.
 */
async function cluster(size: number, options: Partial<PresenceServerOptions> = {}) {
  const registry = createMemoryRegistry();
  const bus = createMemoryBus({ serialize: true });
  const sessions = createMemorySessionStore();
  const servers: PresenceServer[] = [];
  for (let i = 0; i < size; i++) {
    servers.push(await startServer({ registry, bus, sessions, ...options }));
  }
  return servers;
}

/** A round trip on the connection: whatever was sent to it before has arrived. */
async function settle(client: TestClient) {
  client.send({ type: 'ping' });
  await client.take('pong');
}

const count = (client: TestClient, match: (f: Frame) => boolean) =>
  client.frames.filter(match).length;

describe('a cluster of hubs sharing one registry and one bus', () => {
  it('moves focus across hubs, relays a request to the focused tab only, and re-sends it when that tab closes', async () => {
    const [a, b, c] = await cluster(3);
    if (!a || !b || !c) throw new Error('three servers expected');
    const agent = await connectAgent(c);
    const nearAgent = await connectAgent(a);
    const tab1 = await connectVisitor(a, 'alice');
    const id1 = tab1.welcome.connectionId as string;
    await agent.take('visitorConnected', (f) => f.visitorId === 'alice');

    // The second tab, on another hub, takes focus; the first hears it through the bus.
    const tab2 = await connectVisitor(b, 'alice');
    const id2 = tab2.welcome.connectionId as string;
    expect(await tab1.take('blur')).toEqual({ type: 'blur', epoch: tab2.welcome.epoch });
    await agent.take('focus', (f) => f.connectionId === id2 && f.epoch === tab2.welcome.epoch);
    await agent.take('connections', (f) => f.connections === 2);

    // Activity on the first tab takes focus back across hubs.
    tab1.send({ type: 'presence', data: { url: '/from-a' } });
    const refocus = await tab1.take('focus');
    expect(refocus.epoch).toBeGreaterThan(tab2.welcome.epoch);
    expect(await tab2.take('blur')).toEqual({ type: 'blur', epoch: refocus.epoch });
    await agent.take('focus', (f) => f.connectionId === id1 && f.epoch === refocus.epoch);
    // Events from any hub reach agents on every hub.
    expect(await agent.take('presence')).toMatchObject({
      visitorId: 'alice',
      data: { url: '/from-a' },
    });
    expect(await nearAgent.take('presence')).toMatchObject({ data: { url: '/from-a' } });

    // A request from the agent on C reaches only the focused tab on A, and the ack comes back.
    agent.send({ type: 'showTerms', id: 1, visitorId: 'alice' });
    const shown = await tab1.take('showTerms');
    expect(shown).toEqual({ type: 'showTerms', id: expect.any(Number), termsUrl: '/terms' });
    tab1.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toEqual({
      type: 'delivered',
      id: 1,
      connectionId: id1,
      epoch: refocus.epoch,
    });

    // The focused tab closes before acknowledging: the request goes to the other tab.
    agent.send({ type: 'showTerms', id: 2, visitorId: 'alice', sessionKey: 'case-2' });
    const first = await tab1.take('showTerms', (f) => f.sessionKey === 'case-2');
    tab1.ws.close();
    const handedOn = await tab2.take('focus');
    const again = await tab2.take('showTerms');
    expect(again).toEqual({ ...first });
    tab2.send({ type: 'ack', id: again.id });
    expect(await agent.take('delivered', (f) => f.id === 2)).toEqual({
      type: 'delivered',
      id: 2,
      connectionId: id2,
      epoch: handedOn.epoch,
    });
    await agent.take('focus', (f) => f.connectionId === id2 && f.epoch === handedOn.epoch);

    // Events from the tab on B reach the agents too.
    tab2.send({ type: 'presence', data: { url: '/from-b' } });
    expect(await agent.take('presence', (f) => f.data.url === '/from-b')).toMatchObject({
      visitorId: 'alice',
    });
    await nearAgent.take('presence', (f) => f.data.url === '/from-b');

    // Nothing arrived twice, and nothing reached a connection it was not for.
    await settle(tab2);
    await settle(agent);
    await settle(nearAgent);
    expect(count(tab2, (f) => f.type === 'showTerms')).toBe(1);
    expect(count(tab1, (f) => f.type === 'showTerms')).toBe(2);
    expect(tab1.types().filter((t) => t === 'blur' || t === 'focus')).toEqual(['blur', 'focus']);
    expect(tab2.types().filter((t) => t === 'blur' || t === 'focus')).toEqual(['blur', 'focus']);
    for (const watcher of [agent, nearAgent]) {
      expect(count(watcher, (f) => f.type === 'presence' && f.data.url === '/from-a')).toBe(1);
      expect(count(watcher, (f) => f.type === 'presence' && f.data.url === '/from-b')).toBe(1);
      expect(count(watcher, (f) => f.type === 'visitorConnected')).toBe(1);
      expect(count(watcher, (f) => f.type === 'focus' && f.epoch === handedOn.epoch)).toBe(1);
    }
    expect(count(agent, (f) => f.type === 'delivered')).toBe(2);
    expect(count(agent, (f) => f.type === 'failed')).toBe(0);
    expect(count(nearAgent, (f) => f.type === 'delivered' || f.type === 'failed')).toBe(0);
  });

  it('holds a request while the visitor reconnects, and delivers it on whichever hub it returns to', async () => {
    const [a, b] = await cluster(2, { graceMs: 2_000 });
    if (!a || !b) throw new Error('two servers expected');
    const agent = await connectAgent(a);
    const before = await connectVisitor(a, 'alice');
    before.ws.close();
    await agent.take('connections', (f) => f.connections === 0);
    agent.send({ type: 'showTerms', id: 5, visitorId: 'alice' });
    // Let the request reach the service while nobody is connected.
    await agent.request({ type: 'list' });
    const after = await connectVisitor(b, 'alice');
    const shown = await after.take('showTerms');
    after.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toMatchObject({
      id: 5,
      connectionId: after.welcome.connectionId,
      epoch: after.welcome.epoch,
    });
    expect(count(agent, (f) => f.type === 'visitorConnected')).toBe(1);
  });

  it('fails a held request when the visitor does not come back, with visitorDisconnected from its hub', async () => {
    const [a, b] = await cluster(2, { graceMs: 300 });
    if (!a || !b) throw new Error('two servers expected');
    const agent = await connectAgent(a);
    const tab = await connectVisitor(b, 'alice');
    tab.ws.close();
    await agent.take('connections', (f) => f.connections === 0);
    expect(await agent.request({ type: 'showTerms', visitorId: 'alice' })).toMatchObject({
      type: 'failed',
      code: 'visitorNotPresent',
    });
    await agent.take('visitorDisconnected', (f) => f.visitorId === 'alice');
    await settle(agent);
    expect(count(agent, (f) => f.type === 'visitorDisconnected')).toBe(1);
  });

  it('runs a session across hubs: ticket on one, host on another, viewers on a third and the first', async () => {
    const [a, b, c] = await cluster(3);
    if (!a || !b || !c) throw new Error('three servers expected');
    const tab = await connectVisitor(a, 'alice');
    tab.send({ type: 'sessionStart', sessionKey: 'case-7', presenceStart: true });
    tab.send({ type: 'sessionTicket', sessionKey: 'case-7' });
    const { ticket } = await tab.take('sessionTicket');
    const host = await TestClient.open(b.sessionUrl);
    host.send({ type: 'hello', v: 1, ticket });
    expect(await host.take('welcome')).toMatchObject({ role: 'host', sessionKey: 'case-7' });

    // Agents on C and A find the session by its key and watch it from C and A.
    const agentC = await connectAgent(c);
    const agentA = await connectAgent(a);
    const viewers: TestClient[] = [];
    for (const [agent, server] of [
      [agentC, c],
      [agentA, a],
    ] as const) {
      const reply = await agent.request({ type: 'joinSession', sessionKey: 'case-7' });
      expect(reply).toMatchObject({ type: 'sessionTicket', visitorId: 'alice' });
      const viewer = await TestClient.open(server.sessionUrl);
      viewer.send({ type: 'hello', v: 1, ticket: reply.ticket });
      await viewer.take('welcome');
      viewers.push(viewer);
    }
    await host.take('viewers', (f) => f.viewers === 2);
    await host.take('resync');
    for (const viewer of viewers) await viewer.take('viewers', (f) => f.viewers === 2);

    // A two-chunk message from the host on B reaches both, whole and in order.
    host.send({ type: 'chunk', seq: 0, part: 0, parts: 2, kind: 'snapshot', data: 'ab' });
    host.send({ type: 'chunk', seq: 0, part: 1, parts: 2, kind: 'snapshot', data: 'cd' });
    for (const viewer of viewers) {
      expect(await viewer.take('chunk', (f) => f.part === 0)).toMatchObject({ data: 'ab' });
      expect(await viewer.take('chunk', (f) => f.part === 1)).toMatchObject({ data: 'cd' });
    }
    // An agent's end crosses back to the host; the visitor's end closes every viewer.
    viewers[0]?.send({ type: 'end', reason: 'solved' });
    expect(await host.take('end')).toMatchObject({ reason: 'solved', agentId: 'agent-1' });
    tab.send({ type: 'sessionEnd', reason: 'ended by agent agent-1: solved' });
    for (const viewer of viewers) {
      expect(await viewer.take('ended')).toMatchObject({
        reason: 'ended by agent agent-1: solved',
      });
      expect((await viewer.closeInfo()).code).toBe(4010);
    }
    expect((await host.closeInfo()).code).toBe(4010);
  });

  it('a draining hub hands focus on and sends unacknowledged requests again, instead of letting them time out', async () => {
    const [a, b] = await cluster(2);
    if (!a || !b) throw new Error('two servers expected');
    const agent = await connectAgent(b);
    const leaving = await connectVisitor(a, 'alice');
    const staying = await connectVisitor(b, 'alice');
    await leaving.take('blur');
    // The tab on the draining hub takes focus, and is asked, and never answers.
    leaving.send({ type: 'presence', data: { url: '/a' } });
    await leaving.take('focus');
    agent.send({ type: 'showTerms', id: 1, visitorId: 'alice' });
    await leaving.take('showTerms');

    await a.drain();
    expect((await leaving.closeInfo()).code).toBe(4100);
    const handedOn = await staying.take('focus');
    const again = await staying.take('showTerms');
    staying.send({ type: 'ack', id: again.id });
    // Well within ackTimeoutMs: a re-send, not a timeout.
    expect(await agent.take('delivered', () => true, 1_000)).toEqual({
      type: 'delivered',
      id: 1,
      connectionId: staying.welcome.connectionId,
      epoch: handedOn.epoch,
    });
    await agent.take('connections', (f) => f.visitorId === 'alice' && f.connections === 1);
  });

  it('a grace timer of one hub does not forget a visitor that came back elsewhere and left again', async () => {
    const registry = createMemoryRegistry();
    const forgets: { forgotten: boolean; stillKnown: boolean }[] = [];
    const forget = registry.forget.bind(registry);
    registry.forget = async (key) => {
      const forgotten = await forget(key);
      forgets.push({ forgotten, stillKnown: (await registry.get(key)) !== undefined });
      return forgotten;
    };
    const bus = createMemoryBus({ serialize: true });
    const a = await startServer({ registry, bus, graceMs: 400 });
    const b = await startServer({ registry, bus, graceMs: 400 });
    const agent = await connectAgent(b);

    const first = await connectVisitor(a, 'alice');
    first.ws.close();
    await agent.take('connections', (f) => f.connections === 0);
    const back = await connectVisitor(b, 'alice');
    back.ws.close();
    await agent.take('connections', (f) => f.connections === 0);

    // A's timer, for the first departure, runs out first and must spare alice.
    // B's timer, for the last one, forgets her: one visitorDisconnected, no earlier.
    await agent.take('visitorDisconnected', (f) => f.visitorId === 'alice', 2_000);
    expect(forgets).toEqual([
      { forgotten: false, stillKnown: true },
      { forgotten: true, stillKnown: false },
    ]);
    await settle(agent);
    expect(count(agent, (f) => f.type === 'visitorDisconnected')).toBe(1);
  });
});
