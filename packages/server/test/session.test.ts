import { AgentRequestError } from '@beckon/core/agent';
import { SESSION_LIMITS } from '@beckon/core/protocol';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../src/index.js';
import { frameTap, record, sessionAgent, sessionVisitor, until } from './sessionUtils.js';
import { connectAgent, connectVisitor, OTHER_AGENT_SECRET, startServer } from './utils.js';

describe('sessions through the service', () => {
  it('streams a visitor’s session to an agent: tickets, a chunked message arriving whole, the viewer count both ways', async () => {
    const tap = frameTap();
    const server = await startServer({ onSessionFrame: tap.onSessionFrame });
    const { visitor, provider } = await sessionVisitor(server, 'alice');
    const agent = await sessionAgent(server);

    // Connected and present, but no session: nothing started, nothing relayed.
    expect(provider.starts).toBe(0);
    await expect(agent.joinSession('alice')).rejects.toMatchObject({ code: 'sessionNotFound' });

    visitor.startSession();
    await until(() => provider.of('open').length === 1, 'the session channel to open');
    expect(provider.context?.sessionKey).toBe('alice');
    // No viewer yet: the service relays nothing even if the provider sends.
    expect(tap.frames).toEqual([]);

    const session = await agent.joinSession('alice');
    const seen = record(session);
    expect(session.visitorId).toBe('alice');
    // The host hears the viewer (for its banner) and is asked for a snapshot.
    await until(() => provider.of('resync').length > 0, 'a resync request');
    await until(
      () => visitor.getSnapshot().sessionViewers === 1,
      'the viewer count at the visitor',
    );
    await until(() => session.viewers === 1 && session.hostConnected, 'the count at the agent');

    // A message over one chunk arrives whole, in order with the small one after it.
    const big = 'x'.repeat(SESSION_LIMITS.maxChunkChars * 3 + 17);
    expect(provider.context?.send('snapshot', big)).toBe(true);
    expect(provider.context?.send('delta', 'after')).toBe(true);
    await until(() => seen.filter((e) => e.type === 'message').length === 2, 'both messages');
    const messages = seen.filter((e) => e.type === 'message');
    expect(messages[0]).toMatchObject({ kind: 'snapshot', data: big });
    expect(messages[1]).toMatchObject({ kind: 'delta', data: 'after' });
    expect(tap.frames.map((f) => [f.kind, f.part, f.parts])).toEqual([
      ['snapshot', 0, 4],
      ['snapshot', 1, 4],
      ['snapshot', 2, 4],
      ['snapshot', 3, 4],
      ['delta', 0, 1],
    ]);
    expect(server.metrics.get(METRIC_NAMES.sessionBytesIn)).toBeGreaterThan(big.length);
    expect(server.metrics.get(METRIC_NAMES.sessionsActive)).toBe(1);

    // The agent's pointer reaches the visitor's side.
    expect(session.send('{"p":[10,20]}')).toBe(true);
    await until(() => provider.of('message').length === 1, 'the agent’s message');
    expect(provider.of('message')[0]).toMatchObject({ data: '{"p":[10,20]}', agentId: 'agent-1' });

    // The agent leaves: the count goes back to 0 at the visitor.
    session.leave();
    await until(() => visitor.getSnapshot().sessionViewers === 0, 'the count back to 0');
    expect(session.state).toBe('left');
  });

  it('ends for everyone: the visitor’s Stop reaches the agent, and an agent’s end reaches the visitor', async () => {
    const server = await startServer();
    const { visitor, provider } = await sessionVisitor(server, 'alice');
    const agent = await sessionAgent(server);
    await agent.watch('alice');
    const ends: { reason?: string | undefined }[] = [];
    agent.on('sessionEnd', (e) => ends.push(e));

    // Stop pressed on the visitor's side: the provider ends the session with its reason.
    visitor.startSession();
    await until(() => provider.of('open').length === 1, 'the channel');
    const first = record(await agent.joinSession('alice'));
    provider.context?.end('visitor stopped sharing');
    await until(() => ends.length === 1, 'sessionEnd at the agent');
    expect(ends[0]?.reason).toBe('visitor stopped sharing');
    await until(() => first.some((e) => e.type === 'ended'), 'the handle to end');
    expect(first.find((e) => e.type === 'ended')).toMatchObject({
      reason: 'visitor stopped sharing',
    });
    expect(provider.stops).toBe(1);
    expect(visitor.getSnapshot().terms).toBe('ended');

    // A new session; this time the agent ends it.
    visitor.startSession();
    await until(() => provider.of('open').length === 2, 'the channel again');
    const handle = await agent.joinSession('alice');
    const second = record(handle);
    handle.end('issue solved');
    await until(() => ends.length === 2, 'the second sessionEnd');
    expect(ends[1]?.reason).toBe('ended by agent agent-1: issue solved');
    await until(() => second.some((e) => e.type === 'ended'), 'the handle to end');
    expect(provider.stops).toBe(2);
    await expect(agent.joinSession('alice')).rejects.toMatchObject({ code: 'sessionNotFound' });
  });

  it('keeps other groups out and refuses a wrong key with a typed error', async () => {
    const server = await startServer();
    const { visitor, provider } = await sessionVisitor(server, 'alice');
    visitor.startSession();
    await until(() => provider.of('open').length === 1, 'the channel');
    const stranger = await sessionAgent(server, { groupId: 'secure', secret: OTHER_AGENT_SECRET });
    const error = await stranger.joinSession('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentRequestError);
    expect(error).toMatchObject({ code: 'sessionNotFound', param: 'sessionKey' });
    const agent = await sessionAgent(server);
    await expect(agent.joinSession('bob')).rejects.toMatchObject({ code: 'sessionNotFound' });
    await expect(agent.joinSession('not a key')).rejects.toMatchObject({
      code: 'invalidParameter',
    });
    // The right agent gets in.
    const session = await agent.joinSession('alice');
    expect(session.state).toBe('live');
  });

  it('gives a ticket only to the focused instance that announced the session, and each ticket once', async () => {
    const server = await startServer();
    const tab1 = await connectVisitor(server, 'alice');
    const tab2 = await connectVisitor(server, 'alice');
    await tab1.take('blur');
    // Announced on the blurred tab: its first ticket is refused.
    tab1.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    tab1.send({ type: 'sessionTicket', sessionKey: 'alice' });
    expect(await tab1.take('sessionRefused')).toMatchObject({ code: 'forbidden' });
    // Not announced on this connection: no ticket either.
    tab2.send({ type: 'sessionTicket', sessionKey: 'alice' });
    expect(await tab2.take('sessionRefused')).toMatchObject({ code: 'sessionNotFound' });
    // Announced on the focused tab: a ticket.
    tab2.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    tab2.send({ type: 'sessionTicket', sessionKey: 'alice' });
    const { ticket } = await tab2.take('sessionTicket');
    // Another visitor cannot take the key, and no agent or lookup hears of its attempt.
    const watcher = await connectAgent(server);
    const bob = await connectVisitor(server, 'bob');
    await watcher.take('visitorConnected', (f) => f.visitorId === 'bob');
    bob.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: false });
    expect(await bob.take('sessionRefused')).toMatchObject({ code: 'forbidden' });
    bob.send({ type: 'ping' });
    await bob.take('pong');
    expect(watcher.types()).not.toContain('sessionStart');
    expect((await server.registry.get({ groupId: 'shop', visitorId: 'bob' }))?.sessionKey).toBe(
      undefined,
    );

    const { TestClient } = await import('./utils.js');
    const host = await TestClient.open(server.sessionUrl);
    host.send({ type: 'hello', v: 1, ticket });
    expect(await host.take('welcome')).toMatchObject({
      role: 'host',
      sessionKey: 'alice',
      viewers: 0,
    });
    const replay = await TestClient.open(server.sessionUrl);
    replay.send({ type: 'hello', v: 1, ticket });
    expect(await replay.take('error')).toMatchObject({ code: 'unauthorized' });
    expect((await replay.closeInfo()).code).toBe(4001);
    // A chunk out of order is refused by name.
    host.send({ type: 'chunk', seq: 3, part: 0, parts: 1, kind: 'delta', data: 'x' });
    expect(await host.take('error')).toMatchObject({ code: 'invalidMessage', param: 'part' });
  });
});
