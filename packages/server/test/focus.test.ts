import { describe, expect, it } from 'vitest';
import { connectAgent, connectVisitor, startServer } from './utils.js';

describe('focus', () => {
  it('the later connection takes focus, the earlier is blurred, activity takes it back', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const first = await connectVisitor(server, 'alice');
    const e1 = first.welcome.epoch as number;
    await agent.take('focus', (f) => f.connectionId === first.welcome.connectionId);

    const second = await connectVisitor(server, 'alice');
    const e2 = second.welcome.epoch as number;
    expect(second.welcome.focused).toBe(true);
    expect(e2).toBeGreaterThan(e1);
    expect(await first.take('blur')).toEqual({ type: 'blur', epoch: e2 });
    expect(
      await agent.take('focus', (f) => f.connectionId === second.welcome.connectionId),
    ).toMatchObject({
      visitorId: 'alice',
      epoch: e2,
      at: expect.any(Number),
    });

    // presence() on the blurred instance takes focus back.
    first.send({ type: 'presence', data: { url: '/back' } });
    const refocus = await first.take('focus');
    expect(refocus.epoch).toBeGreaterThan(e2);
    expect(await second.take('blur')).toEqual({ type: 'blur', epoch: refocus.epoch });
    expect(
      await agent.take('focus', (f) => f.connectionId === first.welcome.connectionId),
    ).toMatchObject({
      epoch: refocus.epoch,
    });

    // signal and visibility are activity too.
    second.send({ type: 'signal', name: 'c_clicked', properties: {} });
    const e4 = (await second.take('focus')).epoch;
    expect(e4).toBeGreaterThan(refocus.epoch);
    expect((await first.take('blur')).epoch).toBe(e4);
    first.send({ type: 'visibility', visible: true });
    const e5 = (await first.take('focus')).epoch;
    expect(e5).toBeGreaterThan(e4);

    // Activity on the focused connection does not move focus again.
    first.send({ type: 'presence', data: { url: '/same' } });
    await agent.take('presence', (f) => f.data.url === '/same');
    expect(first.types().filter((t) => t === 'focus')).toHaveLength(2);
  });

  it('when the focused connection closes, the most recently active one gets focus', async () => {
    const server = await startServer();
    const a = await connectVisitor(server, 'alice');
    const b = await connectVisitor(server, 'alice');
    const c = await connectVisitor(server, 'alice');
    await b.take('blur');
    a.send({ type: 'presence', data: { url: '/a' } });
    await a.take('focus');
    c.send({ type: 'presence', data: { url: '/c' } });
    const cFocus = await c.take('focus');
    c.ws.close();
    const next = await a.take('focus');
    expect(next.epoch).toBeGreaterThan(cFocus.epoch);
    expect(b.types()).not.toContain('focus');
  });

  it('visitors with the same ID in different groups do not share focus', async () => {
    const server = await startServer({
      groups: {
        shop: { presence: true, agentSecrets: ['a'.repeat(32)] },
        other: { presence: true, agentSecrets: ['b'.repeat(32)] },
      },
    });
    const inShop = await connectVisitor(server, 'alice');
    const inOther = await connectVisitor(server, 'alice', { groupId: 'other' });
    expect(inOther.welcome.focused).toBe(true);
    // Prove the blur would have arrived by now: the shop visitor's ping is answered after it.
    inShop.send({ type: 'ping' });
    await inShop.take('pong');
    expect(inShop.types()).not.toContain('blur');
  });
});
