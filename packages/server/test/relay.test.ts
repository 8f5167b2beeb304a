import { describe, expect, it } from 'vitest';
import { connectAgent, connectVisitor, delay, openVisitor, startServer } from './utils.js';

const lifecycle = (types: string[]) =>
  types.filter((t) => t === 'visitorConnected' || t === 'visitorDisconnected');

describe('relay to agents', () => {
  it('relays presence, signals, terms, sessions and visitor errors to watching agents', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'presence', data: { url: '/cart', c_plan: 'pro' } });
    alice.send({ type: 'signal', name: 'terms', properties: { status: 'displayed' } });
    alice.send({ type: 'signal', name: 'c_cart', properties: { items: '3' } });
    alice.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    alice.send({ type: 'sessionEnd', reason: 'agent left' });
    alice.send({ type: 'error', code: 'conndrop', msg: 'Connect failed', params: { c_a: 'b' } });
    const base = { visitorId: 'alice', at: expect.any(Number) };
    expect(await agent.take('presence')).toEqual({
      type: 'presence',
      ...base,
      data: { url: '/cart', c_plan: 'pro' },
    });
    expect(await agent.take('terms')).toEqual({ type: 'terms', ...base, status: 'displayed' });
    expect(await agent.take('signal')).toEqual({
      type: 'signal',
      ...base,
      name: 'c_cart',
      properties: { items: '3' },
    });
    expect(await agent.take('sessionStart')).toEqual({
      type: 'sessionStart',
      ...base,
      sessionKey: 'alice',
    });
    expect(await agent.take('sessionEnd')).toEqual({
      type: 'sessionEnd',
      ...base,
      reason: 'agent left',
    });
    expect(await agent.take('visitorError')).toEqual({
      type: 'visitorError',
      ...base,
      code: 'conndrop',
      msg: 'Connect failed',
      params: { c_a: 'b' },
    });
  });

  it('refuses presence over the limits with invalidParameter and does not relay it', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c_p${i}`, 'x']));
    alice.send({ type: 'presence', data: tooMany });
    expect(await alice.take('error')).toMatchObject({ code: 'invalidParameter', param: 'data' });
    alice.send({ type: 'presence', data: { url: 'x'.repeat(2_001) } });
    expect(await alice.take('error')).toMatchObject({
      code: 'invalidParameter',
      param: 'data.url',
    });
    alice.send({ type: 'presence', data: { plan: 'no prefix' } });
    expect(await alice.take('error')).toMatchObject({
      code: 'invalidParameter',
      param: 'data.plan',
    });
    alice.send({ type: 'presence', data: { url: '/ok' } });
    // Frames are relayed in order, so the first presence the agent sees must be the valid one.
    expect((await agent.take('presence')).data).toEqual({ url: '/ok' });
    expect(agent.types().filter((t) => t === 'presence')).toHaveLength(1);
  });

  it('sends events only to agents of the same group that watch the visitor or the group', async () => {
    const server = await startServer({
      groups: {
        shop: { presence: true, agentSecrets: ['s'.repeat(32)] },
        other: { presence: true, agentSecrets: ['o'.repeat(32)] },
      },
    });
    const { mintAgentToken } = await import('../src/index.js');
    const token = (groupId: string, secret: string) =>
      mintAgentToken({ groupId, agentId: 'a', secret, expiresIn: 60 });
    const watchesGroup = await connectAgent(server, { token: await token('shop', 's'.repeat(32)) });
    const watchesBob = await connectAgent(server, {
      token: await token('shop', 's'.repeat(32)),
      watch: false,
    });
    expect((await watchesBob.request({ type: 'watch', visitorId: 'bob' })).type).toBe('ok');
    const watchesNothing = await connectAgent(server, {
      token: await token('shop', 's'.repeat(32)),
      watch: false,
    });
    const otherGroup = await connectAgent(server, {
      groupId: 'other',
      token: await token('other', 'o'.repeat(32)),
    });

    const alice = await connectVisitor(server, 'alice');
    const bob = await connectVisitor(server, 'bob');
    alice.send({ type: 'presence', data: { url: '/alice' } });
    bob.send({ type: 'presence', data: { url: '/bob' } });
    expect((await watchesGroup.take('presence', (f) => f.visitorId === 'bob')).data.url).toBe(
      '/bob',
    );
    expect((await watchesGroup.take('presence', (f) => f.visitorId === 'alice')).data.url).toBe(
      '/alice',
    );
    expect((await watchesBob.take('presence')).visitorId).toBe('bob');
    // Barrier: a reply to a later request proves earlier events would have arrived.
    await watchesBob.request({ type: 'list' });
    await watchesNothing.request({ type: 'list' });
    await otherGroup.request({ type: 'list' });
    expect(watchesBob.frames.filter((f) => f.visitorId === 'alice')).toEqual([]);
    expect(watchesNothing.frames.filter((f) => 'visitorId' in f)).toEqual([]);
    expect(otherGroup.frames.filter((f) => 'visitorId' in f)).toEqual([]);

    // unwatch stops the flow.
    await watchesGroup.request({ type: 'unwatch' });
    alice.send({ type: 'presence', data: { url: '/later' } });
    // Frames of one connection are handled in order: the pong means the presence was handled.
    alice.send({ type: 'ping' });
    await alice.take('pong');
    await watchesGroup.request({ type: 'list' });
    expect(
      watchesGroup.frames.filter((f) => f.type === 'presence' && f.data.url === '/later'),
    ).toEqual([]);
  });

  it('list and lookup describe the visitors of the own group only', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'presence', data: { url: '/cart' } });
    await agent.take('presence');
    // A visitor of another group (refused here for lack of a token) never shows up.
    await (await openVisitor(server, 'mallory', { groupId: 'secure' })).closeInfo();
    const list = await agent.request({ type: 'list' });
    expect(list.visitors).toEqual([
      {
        visitorId: 'alice',
        present: true,
        visibility: 'visible',
        presence: { url: '/cart' },
        connections: 1,
        focusedConnectionId: alice.welcome.connectionId,
        epoch: alice.welcome.epoch,
        lastActiveAt: expect.any(Number),
      },
    ]);
    expect((await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor).toMatchObject({
      visitorId: 'alice',
      connections: 1,
    });
    expect(await agent.request({ type: 'lookup', visitorId: 'nobody' })).toMatchObject({
      type: 'visitor',
      visitor: null,
    });
  });

  it('debounces visitorConnected / visitorDisconnected across a quick reconnect', async () => {
    const server = await startServer({ graceMs: 600 });
    const agent = await connectAgent(server);
    const first = await connectVisitor(server, 'alice');
    expect(await agent.take('visitorConnected')).toMatchObject({
      visitorId: 'alice',
      connections: 1,
    });
    first.ws.close();
    await first.closed;
    const again = await connectVisitor(server, 'alice');
    again.send({ type: 'presence', data: { url: '/reloaded' } });
    await agent.take('presence', (f) => f.data.url === '/reloaded');
    // Still one visitor: the reload was not a leave, so no disconnect and no second connect.
    expect(lifecycle(agent.types())).toEqual(['visitorConnected']);
    // Within the grace window the visitor still counts as present.
    again.ws.close();
    await again.closed;
    const during = await agent.request({ type: 'lookup', visitorId: 'alice' });
    expect(during.visitor).toMatchObject({ present: true, connections: 0 });
    expect(await agent.take('visitorDisconnected', () => true, 3_000)).toMatchObject({
      visitorId: 'alice',
    });
    expect(lifecycle(agent.types())).toEqual(['visitorConnected', 'visitorDisconnected']);
    expect((await agent.request({ type: 'list' })).visitors).toEqual([]);
  });

  it('reports hidden, then away after awayAfterMs, and visible again', async () => {
    const server = await startServer({ awayAfterMs: 150 });
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'visibility', visible: false });
    expect(await agent.take('visibility')).toMatchObject({
      visitorId: 'alice',
      visibility: 'hidden',
    });
    expect(await agent.take('visibility')).toMatchObject({
      visitorId: 'alice',
      visibility: 'away',
    });
    const looked = await agent.request({ type: 'lookup', visitorId: 'alice' });
    expect(looked.visitor).toMatchObject({ present: false, visibility: 'away' });
    // Still listed, but not present.
    expect((await agent.request({ type: 'list' })).visitors).toMatchObject([
      { visitorId: 'alice', present: false, visibility: 'away', connections: 1 },
    ]);
    const failed = await agent.request({ type: 'showTerms', visitorId: 'alice' });
    expect(failed).toMatchObject({ type: 'failed', code: 'visitorNotPresent' });
    alice.send({ type: 'visibility', visible: true });
    expect(await agent.take('visibility')).toMatchObject({ visibility: 'visible' });
  });

  it("uses the hello's visible flag as the initial visibility", async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    await connectVisitor(server, 'alice', { visible: false });
    expect(await agent.take('visibility')).toMatchObject({
      visitorId: 'alice',
      visibility: 'hidden',
    });
    const looked = await agent.request({ type: 'lookup', visitorId: 'alice' });
    expect(looked.visitor).toMatchObject({ present: true, visibility: 'hidden' });
  });

  it('does not turn a visitor away while it is visible', async () => {
    const server = await startServer({ awayAfterMs: 100 });
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'visibility', visible: false });
    await agent.take('visibility', (f) => f.visibility === 'hidden');
    alice.send({ type: 'visibility', visible: true });
    await agent.take('visibility', (f) => f.visibility === 'visible');
    await delay(200);
    const looked = await agent.request({ type: 'lookup', visitorId: 'alice' });
    expect(looked.visitor).toMatchObject({ visibility: 'visible', present: true });
  });
});
