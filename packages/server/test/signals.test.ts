import { describe, expect, it } from 'vitest';
import { connectAgent, connectVisitor, startServer } from './utils.js';

describe('requests from agents to visitors', () => {
  it('showTerms reaches only the focused connection; its ack becomes delivered', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const older = await connectVisitor(server, 'alice');
    const focused = await connectVisitor(server, 'alice');
    agent.send({ type: 'showTerms', id: 7, visitorId: 'alice', sessionKey: 'alice' });
    const shown = await focused.take('showTerms');
    // The group's default terms URL fills in when the agent gives none.
    expect(shown).toEqual({
      type: 'showTerms',
      id: expect.any(Number),
      sessionKey: 'alice',
      termsUrl: '/terms',
    });
    focused.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toEqual({
      type: 'delivered',
      id: 7,
      connectionId: focused.welcome.connectionId,
      epoch: focused.welcome.epoch,
    });
    older.send({ type: 'ping' });
    await older.take('pong');
    expect(older.types()).not.toContain('showTerms');
    expect(server.metrics.get('beckon_signals_delivered_total', { kind: 'showTerms' })).toBe(1);
  });

  it('an agent termsUrl overrides the default; custom signals carry their properties', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    agent.send({ type: 'showTerms', id: 1, visitorId: 'alice', termsUrl: 'https://x.example/t' });
    const shown = await alice.take('showTerms');
    expect(shown.termsUrl).toBe('https://x.example/t');
    expect(shown).not.toHaveProperty('sessionKey');
    agent.send({
      type: 'signal',
      id: 2,
      visitorId: 'alice',
      name: 'c_hint',
      properties: { text: 'hi' },
    });
    const signal = await alice.take('signal');
    expect(signal).toEqual({
      type: 'signal',
      id: expect.any(Number),
      name: 'c_hint',
      properties: { text: 'hi' },
    });
    expect(signal.id).not.toBe(shown.id);
    alice.send({ type: 'ack', id: signal.id });
    alice.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered', (f) => f.id === 2)).toMatchObject({
      connectionId: alice.welcome.connectionId,
    });
    expect(await agent.take('delivered', (f) => f.id === 1)).toBeTruthy();
  });

  it('a busy ack fails the request with busy', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    agent.send({ type: 'showTerms', id: 3, visitorId: 'alice' });
    const shown = await alice.take('showTerms');
    alice.send({ type: 'ack', id: shown.id, status: 'busy' });
    expect(await agent.take('failed')).toMatchObject({ id: 3, code: 'busy' });
  });

  it('no ack within ackTimeoutMs fails with timeout, and a late ack changes nothing', async () => {
    const server = await startServer({ ackTimeoutMs: 150 });
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    agent.send({ type: 'showTerms', id: 4, visitorId: 'alice' });
    const shown = await alice.take('showTerms');
    expect(await agent.take('failed')).toMatchObject({ id: 4, code: 'timeout' });
    alice.send({ type: 'ack', id: shown.id });
    alice.send({ type: 'ping' });
    await alice.take('pong');
    await agent.request({ type: 'list' });
    expect(agent.types()).not.toContain('delivered');
    expect(server.metrics.get('beckon_signals_failed_total', { code: 'timeout' })).toBe(1);
  });

  it('an ack from another connection does not count', async () => {
    const server = await startServer({ ackTimeoutMs: 300 });
    const agent = await connectAgent(server);
    const other = await connectVisitor(server, 'mallory');
    const alice = await connectVisitor(server, 'alice');
    agent.send({ type: 'showTerms', id: 5, visitorId: 'alice' });
    const shown = await alice.take('showTerms');
    other.send({ type: 'ack', id: shown.id });
    expect(await agent.take('failed')).toMatchObject({ id: 5, code: 'timeout' });
  });

  it('fails with visitorNotPresent for a visitor that is not connected', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    expect(await agent.request({ type: 'showTerms', visitorId: 'ghost' })).toMatchObject({
      type: 'failed',
      code: 'visitorNotPresent',
    });
    expect(
      await agent.request({ type: 'signal', visitorId: 'ghost', name: 'c_x', properties: {} }),
    ).toMatchObject({ type: 'failed', code: 'visitorNotPresent' });
  });

  it('holds a request for a reconnecting visitor and delivers it when it returns', async () => {
    const server = await startServer({ graceMs: 2_000 });
    const agent = await connectAgent(server);
    const before = await connectVisitor(server, 'alice');
    before.ws.close();
    await before.closed;
    agent.send({ type: 'showTerms', id: 9, visitorId: 'alice' });
    // Let the request reach the server while nobody is connected.
    await agent.request({ type: 'list' });
    const after = await connectVisitor(server, 'alice');
    const shown = await after.take('showTerms');
    after.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toMatchObject({
      id: 9,
      connectionId: after.welcome.connectionId,
      epoch: after.welcome.epoch,
    });
  });

  it('fails a held request with visitorNotPresent when the visitor does not return', async () => {
    const server = await startServer({ graceMs: 200 });
    const agent = await connectAgent(server);
    const before = await connectVisitor(server, 'alice');
    before.ws.close();
    await before.closed;
    expect(await agent.request({ type: 'showTerms', visitorId: 'alice' })).toMatchObject({
      type: 'failed',
      code: 'visitorNotPresent',
    });
  });

  it('re-sends to the newly focused connection when the target closes before acking', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const a = await connectVisitor(server, 'alice');
    const b = await connectVisitor(server, 'alice');
    agent.send({ type: 'showTerms', id: 11, visitorId: 'alice' });
    const first = await b.take('showTerms');
    b.ws.close();
    const focus = await a.take('focus');
    const again = await a.take('showTerms');
    expect(again.id).toBe(first.id);
    a.send({ type: 'ack', id: again.id });
    expect(await agent.take('delivered')).toMatchObject({
      id: 11,
      connectionId: a.welcome.connectionId,
      epoch: focus.epoch,
    });
  });

  it('a hidden visitor is still signalable', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice', { visible: false });
    agent.send({ type: 'showTerms', id: 12, visitorId: 'alice' });
    const shown = await alice.take('showTerms');
    alice.send({ type: 'ack', id: shown.id });
    expect(await agent.take('delivered')).toMatchObject({ id: 12 });
  });

  it('answers invalid agent requests under their id', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    agent.send({ type: 'signal', id: 13, visitorId: 'alice', name: 'no_prefix', properties: {} });
    expect(await agent.take('failed')).toMatchObject({
      id: 13,
      code: 'invalidParameter',
      param: 'name',
    });
  });

  it('drops an agent’s waiting requests when the agent leaves, without disturbing others', async () => {
    const server = await startServer({ ackTimeoutMs: 300 });
    const leaving = await connectAgent(server);
    const staying = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    leaving.send({ type: 'showTerms', id: 1, visitorId: 'alice' });
    const orphan = await alice.take('showTerms');
    leaving.ws.close();
    await leaving.closed;
    alice.send({ type: 'ack', id: orphan.id });
    staying.send({ type: 'showTerms', id: 2, visitorId: 'alice' });
    const shown = await alice.take('showTerms');
    alice.send({ type: 'ack', id: shown.id });
    expect(await staying.take('delivered')).toMatchObject({ id: 2 });
  });
});
