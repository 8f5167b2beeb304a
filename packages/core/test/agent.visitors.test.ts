import { describe, expect, it } from 'vitest';
import type { AgentState } from '../src/agent/index.js';
import type { ToAgent, VisitorSummary } from '../src/wire/protocol.js';
import { startAgent } from './utils/agentHarness.js';
import type { ScriptedConnection } from './utils/scriptedPeer.js';

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

// Watches the group and answers the seed listing the agent sends after the watch; the
// watch resolves once the listing is in.
async function watchGroup(
  agent: ReturnType<typeof startAgent>['agent'],
  conn: ScriptedConnection,
  listing: VisitorSummary[],
) {
  const watching = agent.watch();
  conn.push({ type: 'ok', id: conn.last('watch').id });
  const seed = conn.last('list');
  conn.push({ type: 'visitors', id: seed.id, visitors: listing });
  await watching;
}

describe('the live visitor map', () => {
  it('fills from the listing the agent requests after watching the group', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice'), summary('bob')]);
    expect([...agent.getSnapshot().visitors.keys()].sort()).toEqual(['alice', 'bob']);
    expect(agent.getSnapshot().visitors.get('alice')).toEqual(summary('alice'));
  });

  it('follows live events, with a new object only for what changed', async () => {
    const { agent, online, of } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice'), summary('bob')]);
    const seen: AgentState[] = [];
    agent.subscribe((state) => seen.push(state));
    const s0 = agent.getSnapshot();

    conn.push({ type: 'presence', visitorId: 'alice', at: 2_000, data: { url: '/cart' } });
    const s1 = agent.getSnapshot();
    expect(s1).not.toBe(s0);
    expect(s1.visitors).not.toBe(s0.visitors);
    expect(s1.visitors.get('alice')).toMatchObject({
      presence: { url: '/cart' },
      lastActiveAt: 2_000,
    });
    expect(s1.visitors.get('bob')).toBe(s0.visitors.get('bob'));
    expect(of('presence')).toEqual([
      { type: 'presence', visitorId: 'alice', at: 2_000, data: { url: '/cart' } },
    ]);

    conn.push({ type: 'visibility', visitorId: 'bob', at: 2_100, visibility: 'hidden' });
    const s2 = agent.getSnapshot();
    expect(s2.visitors.get('bob')?.visibility).toBe('hidden');
    expect(s2.visitors.get('alice')).toBe(s1.visitors.get('alice'));

    // Events that change nothing keep the snapshot, but still reach listeners.
    conn.push({ type: 'visibility', visitorId: 'bob', at: 2_200, visibility: 'hidden' });
    conn.push({ type: 'terms', visitorId: 'alice', at: 2_300, status: 'displayed' });
    conn.push({ type: 'visitorError', visitorId: 'alice', at: 2_300, code: 'conndrop', msg: 'x' });
    conn.push({ type: 'signal', visitorId: 'alice', at: 2_300, name: 'c_cart', properties: {} });
    expect(agent.getSnapshot()).toBe(s2);
    expect(of('visibility')).toHaveLength(2);
    expect(of('terms')).toEqual([
      { type: 'terms', visitorId: 'alice', at: 2_300, status: 'displayed' },
    ]);
    expect(of('visitorError')).toHaveLength(1);
    expect(of('signal')).toHaveLength(1);
    expect(seen).toEqual([s1, s2]);
  });

  it('tracks connections, focus and sessions, and drops visitors that leave', async () => {
    const { agent, online, of } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice', { epoch: 5 })]);
    const events: ToAgent[] = [
      { type: 'visitorConnected', visitorId: 'carol', at: 3_000, connections: 1 },
      { type: 'visitorConnected', visitorId: 'alice', at: 3_001, connections: 2 },
      { type: 'focus', visitorId: 'alice', at: 3_002, connectionId: 'v-9', epoch: 6 },
      // Older than what we know: ignored.
      { type: 'focus', visitorId: 'alice', at: 3_003, connectionId: 'v-1', epoch: 4 },
      { type: 'sessionStart', visitorId: 'alice', at: 3_004, sessionKey: 'alice' },
    ];
    for (const e of events) conn.push(e);
    let visitors = agent.getSnapshot().visitors;
    expect(visitors.get('carol')).toMatchObject({
      present: true,
      connections: 1,
      lastActiveAt: 3_000,
    });
    expect(visitors.get('alice')).toMatchObject({
      connections: 2,
      focusedConnectionId: 'v-9',
      epoch: 6,
      sessionKey: 'alice',
    });
    expect(of('focus')).toHaveLength(2);
    expect(of('sessionStart')).toEqual([
      { type: 'sessionStart', visitorId: 'alice', at: 3_004, sessionKey: 'alice' },
    ]);

    // Another tab of alice closes: the count follows, the visitor stays.
    conn.push({ type: 'connections', visitorId: 'alice', at: 3_004, connections: 1 });
    expect(agent.getSnapshot().visitors.get('alice')?.connections).toBe(1);
    expect(of('connections')).toHaveLength(1);

    conn.push({ type: 'sessionEnd', visitorId: 'alice', at: 3_005, reason: 'done' });
    conn.push({ type: 'visitorDisconnected', visitorId: 'carol', at: 3_006 });
    visitors = agent.getSnapshot().visitors;
    expect(visitors.get('alice')?.sessionKey).toBeUndefined();
    expect(visitors.has('carol')).toBe(false);
    expect(of('sessionEnd')).toHaveLength(1);
    expect(of('visitorDisconnected')).toEqual([
      { type: 'visitorDisconnected', visitorId: 'carol', at: 3_006 },
    ]);
    // A second leave changes nothing.
    const before = agent.getSnapshot();
    conn.push({ type: 'visitorDisconnected', visitorId: 'carol', at: 3_007 });
    expect(agent.getSnapshot()).toBe(before);
  });

  it('keeps single watches live, and only them, when the group is not watched', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    const watching = agent.watch('alice');
    conn.push({ type: 'ok', id: conn.last('watch').id });
    // The agent seeds the entry with a lookup; the watch resolves once it is in.
    const seed = conn.last('lookup');
    expect(seed.visitorId).toBe('alice');
    conn.push({ type: 'visitor', id: seed.id, visitor: summary('alice') });
    await watching;
    expect([...agent.getSnapshot().visitors.keys()]).toEqual(['alice']);

    // An event for someone not watched, and a listing of everyone, stay out of the map.
    conn.push({ type: 'presence', visitorId: 'bob', at: 5, data: {} });
    const listing = agent.listVisitors();
    conn.push({
      type: 'visitors',
      id: conn.last('list').id,
      visitors: [summary('alice'), summary('bob')],
    });
    await expect(listing).resolves.toHaveLength(2);
    expect([...agent.getSnapshot().visitors.keys()]).toEqual(['alice']);

    const stop = agent.unwatch('alice');
    conn.push({ type: 'ok', id: conn.last('unwatch').id });
    await stop;
    expect(agent.getSnapshot()).toMatchObject({ watchedVisitors: [] });
    expect(agent.getSnapshot().visitors.size).toBe(0);
  });

  it('updates or removes an entry from a lookup of a watched visitor', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice')]);
    const found = agent.lookupVisitor('alice');
    conn.push({
      type: 'visitor',
      id: conn.last('lookup').id,
      visitor: summary('alice', { connections: 3 }),
    });
    await found;
    expect(agent.getSnapshot().visitors.get('alice')?.connections).toBe(3);
    const gone = agent.lookupVisitor('alice');
    conn.push({ type: 'visitor', id: conn.last('lookup').id, visitor: null });
    await gone;
    expect(agent.getSnapshot().visitors.size).toBe(0);
  });

  it('keeps identity when a fresh listing says the same', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice'), summary('bob')]);
    const before = agent.getSnapshot().visitors;
    // Watching again lists the group again.
    await watchGroup(agent, conn, [summary('alice'), summary('bob')]);
    expect(agent.getSnapshot().visitors).toBe(before);
    // The app's own listing leaves the view alone, whatever it says.
    const listing = agent.listVisitors();
    conn.push({ type: 'visitors', id: conn.last('list').id, visitors: [summary('carol')] });
    await expect(listing).resolves.toEqual([summary('carol')]);
    expect(agent.getSnapshot().visitors).toBe(before);
  });

  it('refreshes after a reconnect: visitors who left meanwhile disappear', async () => {
    const { agent, peer, clock, online } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice'), summary('bob')]);
    conn.drop();
    // Stale, but still shown while reconnecting.
    expect(agent.getSnapshot().visitors.size).toBe(2);
    clock.increment(250);
    peer.current.welcome();
    peer.current.push({ type: 'ok', id: peer.current.last('watch').id });
    peer.current.push({
      type: 'visitors',
      id: peer.current.last('list').id,
      visitors: [summary('bob')],
    });
    expect([...agent.getSnapshot().visitors.keys()]).toEqual(['bob']);
  });

  it('empties on disconnect()', async () => {
    const { agent, online } = startAgent();
    const conn = online();
    await watchGroup(agent, conn, [summary('alice')]);
    agent.disconnect();
    expect(agent.getSnapshot()).toMatchObject({
      status: 'disconnected',
      watchingGroup: false,
      watchedVisitors: [],
    });
    expect(agent.getSnapshot().visitors.size).toBe(0);
  });

  it('hands listeners a new state only when something changed', () => {
    const { agent, peer } = startAgent();
    const seen: AgentState[] = [];
    const stop = agent.subscribe((state) => seen.push(state));
    agent.connect();
    peer.current.open();
    peer.current.welcome();
    peer.current.push({ type: 'ping' });
    expect(seen.map((s) => s.status)).toEqual(['connecting', 'connected']);
    stop();
    peer.current.drop();
    expect(seen).toHaveLength(2);
    expect(agent.getSnapshot().status).toBe('reconnecting');
  });
});
