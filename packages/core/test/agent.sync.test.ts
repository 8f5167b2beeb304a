import { describe, expect, it } from 'vitest';
import type { ToAgent, VisitorSummary } from '../src/wire/protocol.js';
import { flush, outcome, startAgent } from './utils/agentHarness.js';

const summary = (visitorId: string, fields: Partial<VisitorSummary> = {}): VisitorSummary => ({
  visitorId,
  present: true,
  visibility: 'visible',
  presence: { url: '/' },
  connections: 1,
  epoch: 1,
  lastActiveAt: 1_000,
  ...fields,
});

const ids = (agent: ReturnType<typeof startAgent>['agent']) =>
  [...agent.getSnapshot().visitors.keys()].sort();

describe('listing in pages', () => {
  it('listVisitors() follows next until the last page', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const listing = agent.listVisitors();
    const first = conn.last('list');
    expect(first).toEqual({ type: 'list', id: first.id });
    conn.push({ type: 'visitors', id: first.id, visitors: [summary('a')], next: 'a' });
    await flush();
    const second = conn.last('list');
    expect(second).toEqual({ type: 'list', id: second.id, after: 'a' });
    conn.push({ type: 'visitors', id: second.id, visitors: [summary('b'), summary('c')] });
    await expect(listing).resolves.toEqual([summary('a'), summary('b'), summary('c')]);
  });

  it('waits out the pacing of a large listing on the agent clock, then goes on', async () => {
    const { agent, clock, online } = startAgent();
    const conn = online();
    const listing = outcome(agent.listVisitors());
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [summary('a')], next: 'a' });
    await flush();
    const paced = conn.last('list');
    conn.push({
      type: 'failed',
      id: paced.id,
      code: 'rateLimited',
      message: 'slow down',
      retryAfter: 300,
    });
    await flush();
    clock.increment(299);
    await flush();
    expect(conn.last('list').id).toBe(paced.id);
    clock.increment(1);
    await flush();
    const again = conn.last('list');
    expect(again).toEqual({ type: 'list', id: again.id, after: 'a' });
    conn.push({ type: 'visitors', id: again.id, visitors: [summary('b')] });
    await flush();
    expect(listing.value).toEqual([summary('a'), summary('b')]);
  });

  it('visitorPages() yields page by page and passes its limit', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const pages = agent.visitorPages({ limit: 2 });
    const first = pages.next();
    expect(conn.last('list')).toMatchObject({ limit: 2 });
    conn.push({
      type: 'visitors',
      id: conn.last('list').id,
      visitors: [summary('a'), summary('b')],
      next: 'b',
    });
    expect((await first).value).toEqual([summary('a'), summary('b')]);
    const second = pages.next();
    expect(conn.last('list')).toMatchObject({ after: 'b', limit: 2 });
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [] });
    expect((await second).value).toEqual([]);
    expect((await pages.next()).done).toBe(true);
  });

  it('refuses a bad cursor or limit before sending anything', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    conn.take();
    const pages = agent.visitorPages({ limit: 0 });
    await expect(pages.next()).rejects.toMatchObject({ code: 'invalidParameter', param: 'limit' });
    await expect(agent.visitorPages({ limit: 1_001 }).next()).rejects.toMatchObject({
      param: 'limit',
    });
    expect(conn.take()).toEqual([]);
  });
});

describe('the group listing behind watch()', () => {
  it('reads every page, then resolves watch() with the view complete', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const watching = outcome(agent.watch());
    conn.push({ type: 'ok', id: conn.last('watch').id });
    expect(agent.getSnapshot().syncing).toBe(true);
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [summary('a')], next: 'a' });
    expect(conn.last('list')).toMatchObject({ after: 'a' });
    await flush();
    expect(watching.settled).toBe(false);
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [summary('b')] });
    await flush();
    expect(watching.settled).toBe(true);
    expect(agent.getSnapshot().syncing).toBe(false);
    expect(ids(agent)).toEqual(['a', 'b']);
  });

  it('applies pages and live events in arrival order, whatever interleaves', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    const events: ToAgent[] = [
      // Before its page: the page that follows is newer and wins.
      { type: 'presence', visitorId: 'c', at: 2_000, data: { url: '/old' } },
    ];
    for (const e of events) conn.push(e);
    conn.push({
      type: 'visitors',
      id: conn.last('list').id,
      visitors: [summary('a'), summary('b')],
      next: 'b',
    });
    // After its page: the event is newer and wins, even though the page is not shown yet.
    conn.push({ type: 'presence', visitorId: 'a', at: 2_100, data: { url: '/new' } });
    // A visitor whose page came leaves: gone for good.
    conn.push({ type: 'visitorDisconnected', visitorId: 'b', at: 2_200 });
    // Someone new before the cursor: heard through its events only.
    conn.push({ type: 'visitorConnected', visitorId: 'a0', at: 2_300, connections: 1 });
    conn.push({
      type: 'visitors',
      id: conn.last('list').id,
      visitors: [summary('c', { presence: { url: '/current' } })],
    });
    await flush();
    const v = agent.getSnapshot().visitors;
    expect(ids(agent)).toEqual(['a', 'a0', 'c']);
    expect(v.get('a')?.presence).toEqual({ url: '/new' });
    expect(v.get('c')?.presence).toEqual({ url: '/current' });
    expect(v.get('a0')).toMatchObject({ connections: 1, present: true });
  });

  it('after a reconnect, drops who was neither listed nor heard from', async () => {
    const { agent, peer, clock, online } = startAgent();
    const conn = online();
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({
      type: 'visitors',
      id: conn.last('list').id,
      visitors: [summary('a'), summary('b'), summary('c')],
    });
    conn.drop();
    clock.increment(250);
    const again = peer.current;
    again.welcome();
    expect(agent.getSnapshot().syncing).toBe(true);
    // Heard from during the listing (its page had passed): kept.
    again.push({ type: 'presence', visitorId: 'a', at: 3_000, data: { url: '/still' } });
    again.push({ type: 'visitors', id: again.last('list').id, visitors: [summary('c')] });
    expect(ids(agent)).toEqual(['a', 'c']);
    expect(agent.getSnapshot().syncing).toBe(false);
  });

  it('folds thousands of pages into the view in a few batches', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    const views = new Set<unknown>();
    agent.subscribe((s) => views.add(s.visitors));
    for (let i = 0; i < 2_000; i++) {
      const id = `v${String(i).padStart(5, '0')}`;
      conn.push({
        type: 'visitors',
        id: conn.last('list').id,
        visitors: [summary(id)],
        ...(i < 1_999 && { next: id }),
      });
    }
    expect(agent.getSnapshot().visitors.size).toBe(2_000);
    // Batches double: 200, 400, 800, then the rest: a handful of views, not 2,000.
    expect(views.size).toBeLessThanOrEqual(6);
  });

  it('retries a failed page, waits out rate limits, and gives up after repeated failures', async () => {
    const { agent, clock, online, of } = startAgent();
    const conn = online();
    const watching = outcome(agent.watch());
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({
      type: 'failed',
      id: conn.last('list').id,
      code: 'rateLimited',
      message: 'slow',
      retryAfter: 100,
    });
    const limitedId = conn.last('list').id;
    clock.increment(100);
    expect(conn.last('list').id).not.toBe(limitedId);
    for (let attempt = 1; attempt <= 3; attempt++) {
      conn.push({ type: 'failed', id: conn.last('list').id, code: 'internal', message: 'oops' });
      clock.increment(500 * attempt);
    }
    conn.push({ type: 'failed', id: conn.last('list').id, code: 'internal', message: 'oops' });
    await flush();
    expect(watching.error).toMatchObject({ code: 'internal' });
    expect(of('error').at(-1)).toMatchObject({ source: 'sync', code: 'internal' });
    expect(agent.getSnapshot().syncing).toBe(false);
    // Watching again lists again.
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    expect(agent.getSnapshot().syncing).toBe(true);
  });

  it('a page that times out is asked for again', async () => {
    const { agent, clock, online } = startAgent({ requestTimeoutMs: 1_000 });
    const conn = online();
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    const lost = conn.last('list').id;
    clock.increment(1_000);
    clock.increment(500);
    const again = conn.last('list');
    expect(again.id).not.toBe(lost);
    conn.push({ type: 'visitors', id: again.id, visitors: [summary('a')] });
    expect(ids(agent)).toEqual(['a']);
  });

  it('a drop during the listing rejects watch() with notConnected; the next connection lists again', async () => {
    const { agent, peer, clock, online } = startAgent();
    const conn = online();
    const watching = outcome(agent.watch());
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.drop();
    await flush();
    expect(watching.error).toMatchObject({ code: 'notConnected' });
    clock.increment(250);
    peer.current.welcome();
    expect(peer.current.all('list')).toHaveLength(1);
  });

  it('unwatching the group ends the listing and resolves who waited', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const watching = outcome(agent.watch());
    conn.push({ type: 'ok', id: conn.last('watch').id });
    const off = agent.unwatch();
    conn.push({ type: 'ok', id: conn.last('unwatch').id });
    await off;
    await flush();
    expect(watching.settled).toBe(true);
    expect(watching.error).toBeUndefined();
    expect(agent.getSnapshot()).toMatchObject({ syncing: false, watchingGroup: false });
  });
});

describe('live events keep the view true', () => {
  it('an away visitor is no longer present; a visible one is again', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [summary('a')] });
    conn.push({ type: 'visibility', visitorId: 'a', at: 2, visibility: 'away' });
    expect(agent.getSnapshot().visitors.get('a')).toMatchObject({ present: false });
    conn.push({ type: 'visibility', visitorId: 'a', at: 3, visibility: 'visible' });
    expect(agent.getSnapshot().visitors.get('a')).toMatchObject({ present: true });
  });

  it('with no connection left nothing holds focus; a first connection starts afresh', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    void agent.watch();
    conn.push({ type: 'ok', id: conn.last('watch').id });
    conn.push({
      type: 'visitors',
      id: conn.last('list').id,
      visitors: [summary('a', { focusedConnectionId: 'c1', sessionKey: 'k' })],
    });
    conn.push({ type: 'connections', visitorId: 'a', at: 2, connections: 0 });
    expect(agent.getSnapshot().visitors.get('a')?.focusedConnectionId).toBeUndefined();
    conn.push({ type: 'visitorConnected', visitorId: 'a', at: 3, connections: 1 });
    expect(agent.getSnapshot().visitors.get('a')).toMatchObject({ presence: {}, connections: 1 });
    expect(agent.getSnapshot().visitors.get('a')?.sessionKey).toBeUndefined();
  });
});
