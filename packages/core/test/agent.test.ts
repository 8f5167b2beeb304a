import { describe, expect, it } from 'vitest';
import { AgentRequestError } from '../src/agent/index.js';
import { CloseCode, PROTOCOL_VERSION, type VisitorSummary } from '../src/wire/index.js';
import { flush, outcome, startAgent } from './utils/agentHarness.js';

const alice: VisitorSummary = {
  visitorId: 'alice-42',
  present: true,
  visibility: 'visible',
  presence: { url: '/cart' },
  connections: 1,
  focusedConnectionId: 'v-1',
  epoch: 3,
  lastActiveAt: 1_000,
};

describe('handshake', () => {
  it('says hello as an agent once the transport opens, and is connected after welcome', () => {
    const { agent, peer, of } = startAgent();
    expect(agent.getSnapshot().status).toBe('idle');
    agent.connect();
    expect(agent.getSnapshot().status).toBe('connecting');
    const conn = peer.current;
    expect(conn.sent).toEqual([]);
    conn.open();
    expect(conn.take()).toEqual([
      { type: 'hello', v: PROTOCOL_VERSION, role: 'agent', groupId: 'acme', token: 'agent-jwt' },
    ]);
    expect(of('connected')).toEqual([]);
    conn.welcome({ connectionId: 'agent-7' });
    expect(agent.getSnapshot()).toMatchObject({ status: 'connected', connectionId: 'agent-7' });
    expect(of('connected')).toEqual([
      { type: 'connected', connectionId: 'agent-7', groupId: 'acme', reconnected: false },
    ]);
    expect(conn.invalid).toEqual([]);
  });

  it('getSnapshot is already current inside event listeners', () => {
    const { agent, peer } = startAgent();
    const seen: string[] = [];
    agent.on('connected', () => seen.push(agent.getSnapshot().status));
    agent.connect();
    peer.current.open();
    peer.current.welcome({ connectionId: 'agent-8' });
    expect(seen).toEqual(['connected']);
  });

  it('connecting twice opens one connection', () => {
    const { agent, peer, online } = startAgent();
    online();
    agent.connect();
    agent.connect();
    expect(peer.connections).toHaveLength(1);
    expect(agent.getSnapshot().status).toBe('connected');
  });

  it('fetches a fresh token from a token function for every attempt', async () => {
    let n = 0;
    const { agent, peer, clock } = startAgent({ token: async () => `token-${++n}` });
    agent.connect();
    await flush();
    peer.current.open();
    expect(peer.current.last('hello').token).toBe('token-1');
    peer.current.drop();
    clock.increment(250);
    await flush();
    peer.current.open();
    expect(peer.current.last('hello').token).toBe('token-2');
  });

  it('retries when the token function throws, and is refused when it returns no token', async () => {
    const { agent, of } = startAgent({
      token: () => {
        throw new Error('token service down');
      },
    });
    agent.connect();
    await flush();
    expect(agent.getSnapshot().status).toBe('reconnecting');
    expect(of('connectFail')[0]).toMatchObject({
      code: 1006,
      willRetry: true,
      reason: expect.stringContaining('token service down'),
    });

    const empty = startAgent({ token: async () => '' });
    empty.agent.connect();
    await flush();
    expect(empty.agent.getSnapshot().status).toBe('refused');
    expect(empty.of('connectFail')[0]).toMatchObject({
      code: CloseCode.unauthorized,
      willRetry: false,
    });
    expect(empty.peer.connections).toHaveLength(0);
  });

  it('gives up on a silent handshake and retries', () => {
    const { agent, peer, clock, of } = startAgent({ handshakeTimeoutMs: 5_000 });
    agent.connect();
    peer.current.open();
    clock.increment(4_999);
    expect(agent.getSnapshot().status).toBe('connecting');
    clock.increment(1);
    expect(agent.getSnapshot().status).toBe('reconnecting');
    expect(peer.connections[0]?.closedBy).toBe('client');
    expect(of('connectFail')[0]).toMatchObject({
      code: CloseCode.handshakeTimeout,
      willRetry: true,
    });
  });

  it('sends hello when the transport opens before it returns the connection', () => {
    const { agent, peer } = startAgent({
      transport: (handlers) => {
        handlers.open();
        let state: 'open' | 'closed' = 'open';
        return {
          get readyState() {
            return state;
          },
          send: (data) => {
            sent.push(data);
            return state === 'open';
          },
          close: () => {
            state = 'closed';
          },
        };
      },
    });
    const sent: string[] = [];
    agent.connect();
    expect(sent.map((s) => JSON.parse(s).type)).toEqual(['hello']);
    expect(peer.connections).toHaveLength(0);
  });

  it('reports a transport that throws as a failed attempt', () => {
    const { agent, of } = startAgent({
      transport: () => {
        throw new SyntaxError('bad URL');
      },
    });
    agent.connect();
    expect(agent.getSnapshot().status).toBe('reconnecting');
    expect(of('connectFail')[0]?.reason).toContain('bad URL');
  });
});

describe('requests and replies', () => {
  it('lists visitors', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const listing = agent.listVisitors();
    const { id } = conn.last('list');
    expect(conn.take()).toEqual([{ type: 'list', id }]);
    conn.push({ type: 'visitors', id, visitors: [alice] });
    await expect(listing).resolves.toEqual([alice]);
  });

  it('looks up a visitor, present or not', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const found = agent.lookupVisitor('alice-42');
    const missing = agent.lookupVisitor('bob');
    const [a, b] = conn.all('lookup');
    expect(a).toMatchObject({ type: 'lookup', visitorId: 'alice-42' });
    expect(b).toMatchObject({ type: 'lookup', visitorId: 'bob' });
    expect(a?.id).not.toBe(b?.id);
    // Replies may come in any order; ids pair them up.
    conn.push({ type: 'visitor', id: b!.id, visitor: null });
    conn.push({ type: 'visitor', id: a!.id, visitor: alice });
    await expect(found).resolves.toEqual(alice);
    await expect(missing).resolves.toBeNull();
  });

  it('watches and unwatches a visitor and the group', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const one = agent.watch('alice-42');
    const all = agent.watch();
    const [w1, w2] = conn.all('watch');
    expect(w1).toEqual({ type: 'watch', id: w1!.id, visitorId: 'alice-42' });
    expect(w2).toEqual({ type: 'watch', id: w2!.id });
    conn.push({ type: 'ok', id: w1!.id });
    conn.push({ type: 'ok', id: w2!.id });
    // Each resolves once the view holds what it watches: the visitor's lookup, the group's
    // listing (which the agent asks for by itself).
    const one$ = outcome(one);
    const all$ = outcome(all);
    await flush();
    expect([one$.settled, all$.settled]).toEqual([false, false]);
    expect(agent.getSnapshot().syncing).toBe(true);
    conn.push({ type: 'visitor', id: conn.last('lookup').id, visitor: alice });
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [alice] });
    await expect(one).resolves.toBeUndefined();
    await expect(all).resolves.toBeUndefined();
    expect(agent.getSnapshot()).toMatchObject({
      watchingGroup: true,
      syncing: false,
      watchedVisitors: ['alice-42'],
    });

    const off = agent.unwatch();
    const u = conn.last('unwatch');
    expect(u).toEqual({ type: 'unwatch', id: u.id });
    conn.push({ type: 'ok', id: u.id });
    await expect(off).resolves.toBeUndefined();
    expect(agent.getSnapshot()).toMatchObject({
      watchingGroup: false,
      watchedVisitors: ['alice-42'],
    });
  });

  it('shows terms and resolves with the acknowledging connection', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const plain = agent.showTerms('alice-42');
    const custom = agent.showTerms('alice-42', {
      sessionKey: 'case-9',
      termsUrl: 'https://example.com/terms',
    });
    const [p, c] = conn.all('showTerms');
    expect(p).toEqual({ type: 'showTerms', id: p!.id, visitorId: 'alice-42' });
    expect(c).toEqual({
      type: 'showTerms',
      id: c!.id,
      visitorId: 'alice-42',
      sessionKey: 'case-9',
      termsUrl: 'https://example.com/terms',
    });
    conn.push({ type: 'delivered', id: p!.id, connectionId: 'v-1', epoch: 3 });
    conn.push({ type: 'delivered', id: c!.id, connectionId: 'v-2', epoch: 4 });
    await expect(plain).resolves.toEqual({ connectionId: 'v-1', epoch: 3 });
    await expect(custom).resolves.toEqual({ connectionId: 'v-2', epoch: 4 });
  });

  it('signals a visitor', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const withProps = agent.signalVisitor('alice-42', 'c_coupon', { c_code: 'SAVE10' });
    const bare = agent.signalVisitor('alice-42', 'c_ping');
    const [s1, s2] = conn.all('signal');
    expect(s1).toEqual({
      type: 'signal',
      id: s1!.id,
      visitorId: 'alice-42',
      name: 'c_coupon',
      properties: { c_code: 'SAVE10' },
    });
    expect(s2).toMatchObject({ name: 'c_ping', properties: {} });
    conn.push({ type: 'delivered', id: s1!.id, connectionId: 'v-1', epoch: 1 });
    conn.push({ type: 'delivered', id: s2!.id, connectionId: 'v-1', epoch: 1 });
    await expect(withProps).resolves.toEqual({ connectionId: 'v-1', epoch: 1 });
    await expect(bare).resolves.toEqual({ connectionId: 'v-1', epoch: 1 });
  });

  it('turns failed replies into typed rejections', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const absent = agent.showTerms('ghost');
    const busy = agent.showTerms('alice-42');
    const slow = agent.signalVisitor('alice-42', 'c_x');
    const limited = agent.signalVisitor('bob', 'c_y');
    const refused = agent.lookupVisitor('alice-42');
    conn.push({
      type: 'failed',
      id: conn.last('showTerms').id - 1,
      code: 'visitorNotPresent',
      message: 'ghost is not present',
    });
    conn.push({
      type: 'failed',
      id: conn.last('showTerms').id,
      code: 'busy',
      message: 'in a session',
    });
    conn.push({
      type: 'failed',
      id: conn.last('signal').id - 1,
      code: 'timeout',
      message: 'no ack',
    });
    conn.push({
      type: 'failed',
      id: conn.last('signal').id,
      code: 'rateLimited',
      message: 'slow down',
      retryAfter: 1_500,
    });
    conn.push({
      type: 'failed',
      id: conn.last('lookup').id,
      code: 'invalidParameter',
      message: 'visitorId is bad',
      param: 'visitorId',
    });
    await expect(absent).rejects.toBeInstanceOf(AgentRequestError);
    await expect(absent).rejects.toMatchObject({
      name: 'AgentRequestError',
      code: 'visitorNotPresent',
      message: 'ghost is not present',
    });
    await expect(busy).rejects.toMatchObject({ code: 'busy' });
    await expect(slow).rejects.toMatchObject({ code: 'timeout', message: 'no ack' });
    await expect(limited).rejects.toMatchObject({ code: 'rateLimited', retryAfter: 1_500 });
    await expect(refused).rejects.toMatchObject({ code: 'invalidParameter', param: 'visitorId' });
  });

  it('refuses a reply of the wrong kind, and one about another visitor', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const list = agent.listVisitors();
    conn.push({ type: 'ok', id: conn.last('list').id });
    await expect(list).rejects.toMatchObject({ code: 'invalidMessage' });
    const lookup = agent.lookupVisitor('bob');
    conn.push({ type: 'visitor', id: conn.last('lookup').id, visitor: alice });
    await expect(lookup).rejects.toMatchObject({ code: 'invalidMessage' });
  });

  it('ignores replies to nothing, and settles each request once', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    conn.push({ type: 'ok', id: 999 });
    const watching = agent.watch('alice-42');
    const { id } = conn.last('watch');
    conn.push({ type: 'ok', id });
    conn.push({ type: 'failed', id, code: 'internal', message: 'late duplicate' });
    conn.push({ type: 'visitor', id: conn.last('lookup').id, visitor: null });
    await expect(watching).resolves.toBeUndefined();
    expect(agent.getSnapshot().status).toBe('connected');
  });

  it('times out on the simulated clock, and ignores the late reply', async () => {
    const { agent, clock, online } = startAgent({ requestTimeoutMs: 2_000 });
    const conn = online();
    const result = outcome(agent.showTerms('alice-42'));
    clock.increment(1_999);
    await flush();
    expect(result.settled).toBe(false);
    clock.increment(1);
    await flush();
    expect(result.error).toBeInstanceOf(AgentRequestError);
    expect(result.error).toMatchObject({ code: 'timeout' });
    conn.push({ type: 'delivered', id: conn.last('showTerms').id, connectionId: 'v-1', epoch: 1 });
    expect(agent.getSnapshot().status).toBe('connected');
  });

  it('defaults to a 15 s request timeout', async () => {
    const { agent, clock, online } = startAgent();
    online();
    const result = outcome(agent.listVisitors());
    clock.increment(14_999);
    await flush();
    expect(result.settled).toBe(false);
    clock.increment(1);
    await flush();
    expect(result.error).toMatchObject({ code: 'timeout' });
  });

  it('waits for a visitor the service woke with a push: the request lives on, then says so', async () => {
    const { agent, clock, online } = startAgent();
    const conn = online();
    const waking: unknown[] = [];
    agent.on('waking', (event) => waking.push(event));
    const result = outcome(agent.showTerms('alice-42'));
    const [request] = conn.all('showTerms');
    conn.push({ type: 'waking', id: request!.id, devices: 2, waitMs: 30_000 });
    await flush();
    expect(waking).toEqual([{ type: 'waking', visitorId: 'alice-42', devices: 2, waitMs: 30_000 }]);
    // Past the usual 15 s, within the service's wait and the usual allowance after it.
    clock.increment(44_999);
    await flush();
    expect(result.settled).toBe(false);
    conn.push({ type: 'delivered', id: request!.id, connectionId: 'v-9', epoch: 7, woken: true });
    await flush();
    expect(result.value).toEqual({ connectionId: 'v-9', epoch: 7, woken: true });
    // Without an answer the extended deadline still ends it.
    const late = outcome(agent.signalVisitor('bob', 'c_x'));
    const [signal] = conn.all('signal');
    conn.push({ type: 'waking', id: signal!.id, devices: 1, waitMs: 1_000 });
    clock.increment(16_000);
    await flush();
    expect(late.error).toMatchObject({ code: 'timeout' });
  });

  it('fails a request at once when the transport refuses the frame', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    conn.refuseSends = true;
    await expect(agent.listVisitors()).rejects.toMatchObject({ code: 'notConnected' });
  });
});

describe('requests while not connected', () => {
  it('reject at once with notConnected and send nothing, in every offline state', async () => {
    const { agent, peer, clock } = startAgent();
    await expect(agent.listVisitors()).rejects.toMatchObject({ code: 'notConnected' });
    agent.connect();
    expect(agent.getSnapshot().status).toBe('connecting');
    await expect(agent.showTerms('alice-42')).rejects.toMatchObject({ code: 'notConnected' });
    peer.current.open();
    await expect(agent.watch()).rejects.toMatchObject({ code: 'notConnected' });
    peer.current.drop();
    expect(agent.getSnapshot().status).toBe('reconnecting');
    await expect(agent.signalVisitor('alice-42', 'c_x')).rejects.toMatchObject({
      code: 'notConnected',
    });
    clock.increment(250);
    peer.current.close(CloseCode.unauthorized);
    expect(agent.getSnapshot().status).toBe('refused');
    await expect(agent.lookupVisitor('alice-42')).rejects.toMatchObject({ code: 'notConnected' });
    expect(peer.connections.flatMap((c) => c.sent.map((m) => m.type))).toEqual(['hello']);
    // …and nothing was queued for later.
    agent.connect();
    const conn = peer.current;
    conn.welcome();
    expect(conn.sent.map((m) => m.type)).toEqual(['hello']);
  });

  it('reject the requests in flight when the connection drops', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const a = agent.showTerms('alice-42');
    const b = agent.listVisitors();
    conn.drop();
    await expect(a).rejects.toMatchObject({ code: 'notConnected', message: 'connection lost' });
    await expect(b).rejects.toMatchObject({ code: 'notConnected' });
  });

  it('reject the requests in flight on disconnect()', async () => {
    const { agent, online, of } = startAgent();
    const conn = online();
    const a = agent.listVisitors();
    agent.disconnect();
    await expect(a).rejects.toMatchObject({
      code: 'notConnected',
      message: 'disconnected by the app',
    });
    expect(agent.getSnapshot().status).toBe('disconnected');
    expect(of('disconnected')).toHaveLength(1);
    expect(conn.closedBy).toBe('client');
    expect(conn.closeInfo?.code).toBe(1000);
  });

  it('reject when the actor was stopped', async () => {
    const { agent, online } = startAgent();
    online();
    agent.actor.stop();
    await expect(agent.listVisitors()).rejects.toMatchObject({ code: 'notConnected' });
  });
});

describe('invalid input', () => {
  const cases: Array<
    [string, (a: ReturnType<typeof startAgent>['agent']) => Promise<unknown>, string]
  > = [
    ['lookup with a bad ID', (a) => a.lookupVisitor('a b'), 'visitorId'],
    ['lookup with no ID', (a) => a.lookupVisitor(undefined as unknown as string), 'visitorId'],
    ['watch with a too-long ID', (a) => a.watch('x'.repeat(63)), 'visitorId'],
    ['unwatch with a number', (a) => a.unwatch(7 as unknown as string), 'visitorId'],
    ['showTerms with an empty ID', (a) => a.showTerms(''), 'visitorId'],
    [
      'showTerms with a bad session key',
      (a) => a.showTerms('v', { sessionKey: 'a/b' }),
      'options.sessionKey',
    ],
    [
      'showTerms with a long terms URL',
      (a) => a.showTerms('v', { termsUrl: 'x'.repeat(2_001) }),
      'options.termsUrl',
    ],
    [
      'showTerms with a misspelt option',
      (a) => a.showTerms('v', { sessionkey: 'k' } as never),
      'options.sessionkey',
    ],
    [
      'showTerms with options that are not an object',
      (a) => a.showTerms('v', 'k' as never),
      'options',
    ],
    ['signal without the c_ prefix', (a) => a.signalVisitor('v', 'coupon'), 'name'],
    [
      'signal with a non-string property',
      (a) => a.signalVisitor('v', 'c_x', { c_n: 1 as unknown as string }),
      'properties.c_n',
    ],
    [
      'signal with a value too long',
      (a) => a.signalVisitor('v', 'c_x', { c_v: 'x'.repeat(2_001) }),
      'properties.c_v',
    ],
    [
      'signal with too many properties',
      (a) =>
        a.signalVisitor(
          'v',
          'c_x',
          Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c_${i}`, 'v'])),
        ),
      'properties',
    ],
    [
      'signal with properties that throw when read',
      (a) =>
        a.signalVisitor(
          'v',
          'c_x',
          new Proxy(
            {},
            {
              ownKeys: () => {
                throw new Error('boom');
              },
            },
          ) as Record<string, string>,
        ),
      'arguments',
    ],
  ];

  for (const [name, call, param] of cases) {
    it(`rejects ${name} with invalidParameter and sends nothing`, async () => {
      const { agent, online } = startAgent();
      const conn = online();
      const error = await call(agent).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AgentRequestError);
      expect(error).toMatchObject({ code: 'invalidParameter', param });
      expect(conn.take()).toEqual([]);
      expect(agent.getSnapshot().status).toBe('connected');
    });
  }

  it('reports invalid input as such even while offline', async () => {
    const { agent } = startAgent();
    await expect(agent.lookupVisitor('a b')).rejects.toMatchObject({ code: 'invalidParameter' });
  });

  it('throws on setup mistakes, naming the option', () => {
    const transport = startAgent().peer.transport;
    const base = { transport, groupId: 'acme', token: 't' };
    expect(() => startAgent({ ...base, groupId: 'a b' })).toThrow(/groupId/);
    expect(() => startAgent({ ...base, token: '' })).toThrow(/token/);
    expect(() => startAgent({ ...base, transport: 'ws://x' as never })).toThrow(/transport/);
    expect(() => startAgent({ ...base, requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => startAgent({ ...base, reconnect: { factor: 0.5 } })).toThrow(/factor/);
    expect(() => startAgent({ ...base, ...{ tokn: 'x' } })).toThrow(/unknown option "tokn"/);
  });
});

describe('reconnecting', () => {
  it('reconnects with backoff after a drop and re-sends its watches', async () => {
    const { agent, peer, clock, online, of } = startAgent();
    const conn = online();
    const group = agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [] });
    await group;
    const one = agent.watch('bob');
    conn.push({ type: 'ok', id: conn.last('watch').id });
    await one;

    conn.drop();
    expect(agent.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1 });
    expect(of('connectFail')).toEqual([
      {
        type: 'connectFail',
        code: 1006,
        reason: 'connection lost',
        willRetry: true,
        retryInMs: 250,
      },
    ]);
    clock.increment(249);
    expect(peer.connections).toHaveLength(1);
    clock.increment(1);
    expect(peer.connections).toHaveLength(2);
    // The second attempt fails too: the ceiling doubles.
    peer.current.drop();
    expect(of('connectFail')[1]).toMatchObject({ retryInMs: 500 });
    clock.increment(500);
    const again = peer.current;
    again.welcome({ connectionId: 'agent-9' });
    expect(of('connected').at(-1)).toEqual({
      type: 'connected',
      connectionId: 'agent-9',
      groupId: 'acme',
      reconnected: true,
    });
    expect(agent.getSnapshot()).toMatchObject({
      status: 'connected',
      attempt: 0,
      error: undefined,
    });
    const resent = again.take().map((m) => ({ ...m, id: undefined }));
    expect(resent).toEqual([
      expect.objectContaining({ type: 'hello' }),
      { type: 'watch' },
      { type: 'watch', visitorId: 'bob' },
      { type: 'list' },
    ]);
  });

  it('waits as long as a restarting or throttling service asks', () => {
    const { clock, peer, online, of } = startAgent();
    online().close(CloseCode.reconnect, '1234');
    expect(of('connectFail')[0]).toMatchObject({ code: 4100, retryInMs: 1234, willRetry: true });
    clock.increment(1233);
    expect(peer.connections).toHaveLength(1);
    clock.increment(1);
    expect(peer.connections).toHaveLength(2);
    peer.current.welcome();
    peer.current.close(CloseCode.rateLimited, '800');
    expect(of('connectFail')[1]).toMatchObject({ code: 4129, retryInMs: 800 });
  });

  it('stops on a final close code, keeps the reason, and retries only when asked', async () => {
    const { agent, peer, clock, online, of } = startAgent();
    const conn = online();
    const watching = agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [] });
    await watching;
    conn.close(CloseCode.unauthorized, 'token expired');
    expect(agent.getSnapshot()).toMatchObject({
      status: 'refused',
      error: { code: 4001, reason: 'token expired' },
    });
    expect(of('connectFail')).toEqual([
      { type: 'connectFail', code: 4001, reason: 'token expired', willRetry: false },
    ]);
    clock.increment(10 * 60_000);
    expect(peer.connections).toHaveLength(1);
    agent.connect();
    expect(peer.connections).toHaveLength(2);
    peer.current.welcome();
    expect(peer.current.all('watch').map(({ id: _, ...m }) => m)).toEqual([{ type: 'watch' }]);
  });

  it('gives up after maxAttempts', () => {
    const { agent, peer, clock, of } = startAgent({
      reconnect: { maxAttempts: 2, random: () => 0 },
    });
    agent.connect();
    peer.current.drop();
    clock.increment(0);
    peer.current.drop();
    clock.increment(0);
    peer.current.drop();
    expect(peer.connections).toHaveLength(3);
    expect(agent.getSnapshot().status).toBe('disconnected');
    expect(of('connectFail').map((e) => e.willRetry)).toEqual([true, true, false]);
  });

  it('disconnect() stops reconnecting and forgets watches', async () => {
    const { agent, peer, clock, online } = startAgent();
    const conn = online();
    const watching = agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [] });
    await watching;
    conn.drop();
    agent.disconnect();
    clock.increment(60_000);
    expect(peer.connections).toHaveLength(1);
    expect(agent.getSnapshot()).toMatchObject({ status: 'disconnected', watchingGroup: false });
    agent.connect();
    peer.current.welcome();
    expect(peer.current.sent.map((m) => m.type)).toEqual(['hello']);
  });

  it('reports a re-watch the service refuses through error', async () => {
    const { agent, peer, clock, online, of } = startAgent();
    const conn = online();
    // It waits for its lookup, which the drop ends: notConnected, the watch stays on record.
    const watching = outcome(agent.watch('bob'));
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.drop();
    clock.increment(250);
    peer.current.welcome();
    const rewatch = peer.current.last('watch');
    peer.current.push({ type: 'failed', id: rewatch.id, code: 'forbidden', message: 'not yours' });
    await flush();
    expect(watching.error).toMatchObject({ code: 'notConnected' });
    expect(of('error')).toEqual([
      { type: 'error', source: 'sync', code: 'forbidden', message: 'watch for bob: not yours' },
    ]);
    expect(agent.getSnapshot().status).toBe('connected');
  });
});

describe('heartbeat', () => {
  it('pings after one silent interval and drops the link after another', () => {
    const { agent, clock, peer, of } = startAgent();
    agent.connect();
    const conn = peer.current;
    conn.welcome({ heartbeatMs: 1_000 });
    conn.take();
    clock.increment(999);
    expect(conn.take()).toEqual([]);
    clock.increment(1);
    expect(conn.take()).toEqual([{ type: 'ping' }]);
    // Any frame proves the link: the next ping waits a full interval again.
    clock.increment(500);
    conn.push({ type: 'pong' });
    clock.increment(999);
    expect(conn.take()).toEqual([]);
    clock.increment(1);
    expect(conn.take()).toEqual([{ type: 'ping' }]);
    clock.increment(999);
    expect(agent.getSnapshot().status).toBe('connected');
    clock.increment(1);
    expect(agent.getSnapshot().status).toBe('reconnecting');
    expect(conn.closedBy).toBe('client');
    expect(of('connectFail')[0]).toMatchObject({
      code: CloseCode.heartbeatTimeout,
      willRetry: true,
    });
  });

  it("answers the service's ping with pong", () => {
    const { online } = startAgent();
    const conn = online();
    conn.push({ type: 'ping' });
    expect(conn.take()).toEqual([{ type: 'pong' }]);
  });

  it('uses its own interval when the welcome names none', () => {
    const { agent, clock, peer } = startAgent({ heartbeatMs: 5_000 });
    agent.connect();
    peer.current.welcome({ heartbeatMs: 0 });
    peer.current.take();
    clock.increment(4_999);
    expect(peer.current.take()).toEqual([]);
    clock.increment(1);
    expect(peer.current.take()).toEqual([{ type: 'ping' }]);
  });
});

describe('frames from the service', () => {
  it('ignores invalid frames, counts them and reports them through error', async () => {
    const { agent, online, of } = startAgent();
    const conn = online();
    const before = agent.getSnapshot();
    conn.pushRaw('not json');
    conn.pushRaw('{"type":"visitors","id":1}');
    conn.pushRaw(JSON.stringify({ type: 'presence', visitorId: 'a b', at: 1, data: {} }));
    conn.pushRaw('x'.repeat(70_000));
    expect(agent.getSnapshot().invalidFrames).toBe(4);
    expect(agent.getSnapshot()).not.toBe(before);
    expect(of('error').map((e) => [e.source, e.code])).toEqual([
      ['invalidFrame', 'malformed'],
      ['invalidFrame', 'invalidMessage'],
      ['invalidFrame', 'invalidMessage'],
      ['invalidFrame', 'tooLarge'],
    ]);
    expect(agent.getSnapshot().status).toBe('connected');
    const listing = agent.listVisitors();
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [] });
    await expect(listing).resolves.toEqual([]);
  });

  it('reports an error frame that answers no request', () => {
    const { online, of } = startAgent();
    const conn = online();
    conn.push({ type: 'error', code: 'rateLimited', message: 'slow down', retryAfter: 700 });
    expect(of('error')).toEqual([
      {
        type: 'error',
        source: 'service',
        code: 'rateLimited',
        message: 'slow down',
        retryAfter: 700,
      },
    ]);
  });

  it('ignores a second welcome', () => {
    const { agent, online, of } = startAgent();
    const conn = online();
    conn.push({ type: 'welcome', v: 1, connectionId: 'other', groupId: 'acme', heartbeatMs: 1 });
    expect(agent.getSnapshot().connectionId).toBe('conn-1');
    expect(of('connected')).toHaveLength(1);
  });
});
