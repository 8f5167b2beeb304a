import { type Agent, createAgent } from '@beckon/core/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleStore, createConsoleStore } from '../src/createConsoleStore.js';
import { GROUP_ID, startBackend, type TestBackend, until } from './utils/backend.js';

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(
  storeOptions: Parameters<typeof createConsoleStore>[1] = {},
  backendOptions: Parameters<typeof startBackend>[0] = {},
): Promise<{ backend: TestBackend; agent: Agent; store: ConsoleStore }> {
  const backend = await startBackend(backendOptions);
  const agent = createAgent({
    transport: backend.transport,
    groupId: GROUP_ID,
    token: backend.token,
  });
  const store = createConsoleStore(agent, storeOptions);
  cleanups.push(
    () => backend.close(),
    () => {
      store.dispose();
      agent.disconnect();
      agent.actor.stop();
    },
  );
  return { backend, agent, store };
}

const kinds = (store: ConsoleStore, visitorId: string) =>
  (store.getSnapshot().timelines.get(visitorId) ?? []).map((e) =>
    e.kind === 'terms' ? `terms:${e.status}` : e.kind,
  );

describe('createConsoleStore', () => {
  it('watches the group once connected and marks the list loaded with the visitors already there', async () => {
    const { backend, agent, store } = await setup();
    await backend.visitor('early-bird');
    expect(store.getSnapshot().loaded).toBe(false);
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    expect(agent.getSnapshot().watchingGroup).toBe(true);
    expect([...agent.getSnapshot().visitors.keys()]).toEqual(['early-bird']);
  });

  it('records every kind of live event in the visitor’s timeline, oldest first', async () => {
    const { backend, agent, store } = await setup();
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    const alice = await backend.visitor('alice');
    alice.send({ type: 'presence', data: { url: '/cart', c_tier: 'gold' } });
    alice.send({ type: 'visibility', visible: false });
    alice.send({ type: 'visibility', visible: true });
    alice.send({ type: 'signal', name: 'terms', properties: { status: 'displayed' } });
    alice.send({ type: 'signal', name: 'terms', properties: { status: 'accepted' } });
    alice.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    alice.send({ type: 'sessionEnd', reason: 'done' });
    alice.send({ type: 'error', code: 'conndrop', msg: 'Connect failed' });
    alice.send({ type: 'signal', name: 'c_wave', properties: { hand: 'left' } });
    alice.close();
    await until(() => kinds(store, 'alice').includes('disconnected'), 'alice leaving');
    expect(kinds(store, 'alice')).toEqual([
      'connected',
      'focus',
      'presence',
      'visibility',
      'visibility',
      'terms:displayed',
      'terms:accepted',
      'sessionStart',
      'sessionEnd',
      'visitorError',
      'signal',
      'disconnected',
    ]);
    const entries = store.getSnapshot().timelines.get('alice') ?? [];
    expect(entries.find((e) => e.kind === 'presence')).toMatchObject({
      data: { url: '/cart', c_tier: 'gold' },
    });
    expect(entries.find((e) => e.kind === 'sessionStart')).toMatchObject({ sessionKey: 'alice' });
    expect(entries.find((e) => e.kind === 'visitorError')).toMatchObject({
      code: 'conndrop',
      msg: 'Connect failed',
    });
    expect(entries.filter((e) => e.kind === 'visibility').map((e) => e.visibility)).toEqual([
      'hidden',
      'visible',
    ]);
    // Sequence numbers are unique and increasing: stable keys, arrival order.
    const seqs = entries.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(store.getSnapshot().timelines.has('bob')).toBe(false);
  });

  it('keeps only the last entries per visitor, and only the most recently active visitors', async () => {
    const { backend, agent, store } = await setup({ maxEntries: 3, maxVisitors: 2 });
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    const alice = await backend.visitor('alice');
    for (let i = 1; i <= 6; i++) alice.send({ type: 'presence', data: { url: `/p${i}` } });
    await until(
      () =>
        store.getSnapshot().timelines.get('alice')?.at(-1)?.kind === 'presence' &&
        JSON.stringify(store.getSnapshot().timelines.get('alice')?.at(-1)).includes('/p6'),
      'the sixth presence',
    );
    const urls = (store.getSnapshot().timelines.get('alice') ?? []).map((e) =>
      e.kind === 'presence' ? e.data.url : e.kind,
    );
    expect(urls).toEqual(['/p4', '/p5', '/p6']);

    await backend.visitor('bob');
    await backend.visitor('carol');
    await until(() => store.getSnapshot().timelines.has('carol'), 'carol’s timeline');
    expect([...store.getSnapshot().timelines.keys()]).toEqual(['bob', 'carol']);
  });

  it('counts a visitor’s second instance and follows focus (the live events carry no count)', async () => {
    const { backend, agent, store } = await setup();
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    await backend.visitor('alice');
    await until(() => agent.getSnapshot().visitors.get('alice')?.connections === 1, 'one instance');
    const second = await backend.visitor('alice');
    await until(
      () => agent.getSnapshot().visitors.get('alice')?.connections === 2,
      'two instances',
    );
    expect(agent.getSnapshot().visitors.get('alice')?.focusedConnectionId).toBe(
      second.connectionId,
    );
  });

  it('counts off an unfocused instance that closed, from the live connections event', async () => {
    const { backend, agent, store } = await setup();
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    const first = await backend.visitor('alice');
    await backend.visitor('alice');
    await until(() => agent.getSnapshot().visitors.get('alice')?.connections === 2, 'two');
    first.close(); // not focused: no focus event, but the count follows
    await until(() => agent.getSnapshot().visitors.get('alice')?.connections === 1, 'back to one');
  });

  describe('oneClickConnect', () => {
    it('is delivered to the focused instance, reporting sending first', async () => {
      const { backend, agent, store } = await setup();
      agent.connect();
      await until(() => store.getSnapshot().loaded, 'loaded');
      await backend.visitor('alice');
      const focused = await backend.visitor('alice');
      const pending = store.oneClickConnect('alice');
      expect(store.getSnapshot().deliveries.get('alice')?.state).toBe('sending');
      expect(store.oneClickConnect('alice')).toBe(pending); // one request at a time
      const result = await pending;
      expect(result).toMatchObject({ state: 'delivered', connectionId: focused.connectionId });
      expect(store.getSnapshot().deliveries.get('alice')).toBe(result);
      expect(focused.received.filter((f) => f.type === 'showTerms')).toHaveLength(1);
    });

    it.each([
      ['visitorNotPresent', 'nobody-here', {}],
      ['timeout', 'slow', { ack: false }],
      ['busy', 'sharing', { ack: 'busy' }],
    ] as const)('reports %s', async (state, visitorId, visitorOptions) => {
      const { backend, agent, store } = await setup();
      agent.connect();
      await until(() => store.getSnapshot().loaded, 'loaded');
      if (visitorId !== 'nobody-here') await backend.visitor(visitorId, visitorOptions);
      const result = await store.oneClickConnect(visitorId);
      expect(result.state).toBe(state);
      expect(store.getSnapshot().deliveries.get(visitorId)?.state).toBe(state);
    });

    it('reports other failures as error with their code', async () => {
      const { store } = await setup();
      // Never connected: the agent refuses at once.
      expect(await store.oneClickConnect('alice')).toMatchObject({
        state: 'error',
        code: 'notConnected',
      });
      expect(await store.oneClickConnect('not a valid id!')).toMatchObject({
        state: 'error',
        code: 'invalidParameter',
      });
    });
  });

  it('tracks the connection failure while reconnecting and recovers the list after', async () => {
    const { backend, agent, store } = await setup();
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    await backend.visitor('alice');
    await until(() => agent.getSnapshot().visitors.has('alice'), 'alice listed');
    backend.transport.dropAll('network down');
    await until(() => store.getSnapshot().lastFailure !== undefined, 'the failure');
    expect(store.getSnapshot().lastFailure).toMatchObject({
      reason: 'network down',
      willRetry: true,
    });
    await until(() => agent.getSnapshot().status === 'connected', 'reconnected', 5000);
    await until(() => store.getSnapshot().lastFailure === undefined, 'failure cleared');
    expect(store.getSnapshot().loaded).toBe(true);
    expect(agent.getSnapshot().watchingGroup).toBe(true);
    // The group watch survived: new visitors still show up.
    await backend.visitor('bob');
    await until(() => agent.getSnapshot().visitors.has('bob'), 'bob listed');
  });

  it('stops recording once disposed', async () => {
    const { backend, agent, store } = await setup();
    agent.connect();
    await until(() => store.getSnapshot().loaded, 'loaded');
    let notified = 0;
    store.subscribe(() => {
      notified += 1;
    });
    store.dispose();
    await backend.visitor('alice');
    await until(() => agent.getSnapshot().visitors.has('alice'), 'alice listed');
    expect(store.getSnapshot().timelines.size).toBe(0);
    expect(notified).toBe(0);
  });
});
