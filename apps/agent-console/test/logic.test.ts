import { AgentRequestError, type VisitorSummary } from '@beckon/core/agent';
import { describe, expect, it } from 'vitest';
import { deliveryStateFromError } from '../src/deliveryState.js';
import { describeTimelineEntry } from '../src/describeTimelineEntry.js';
import { explainRefusal } from '../src/explainRefusal.js';
import { formatRelativeTime, shortId } from '../src/format.js';
import {
  createVisitorSearch,
  customFields,
  matchesQuery,
  searchVisitors,
} from '../src/searchVisitors.js';
import {
  appendTimelineEntry,
  MAX_TIMELINE_ENTRIES,
  type TimelineEntry,
  timelineEntryFromEvent,
} from '../src/timeline.js';

const visitor = (visitorId: string, fields: Partial<VisitorSummary> = {}): VisitorSummary => ({
  visitorId,
  present: true,
  visibility: 'visible',
  presence: { url: '/' },
  connections: 1,
  epoch: 1,
  lastActiveAt: 1_000,
  ...fields,
});

describe('searchVisitors', () => {
  const list = [
    visitor('alice-42', { presence: { url: '/cart', c_tier: 'Gold', title: 'Cart page' } }),
    visitor('bob-7', { visibility: 'hidden', presence: { url: '/checkout' } }),
    visitor('carol', { visibility: 'away', presence: {} }),
  ];
  const ids = (l: readonly VisitorSummary[]) => l.map((v) => v.visitorId);

  it('matches the ID, the url and c_ fields, case-insensitively, every word', () => {
    expect(ids(searchVisitors(list, { query: 'ALICE', visibility: 'all' }))).toEqual(['alice-42']);
    expect(ids(searchVisitors(list, { query: 'check', visibility: 'all' }))).toEqual(['bob-7']);
    expect(ids(searchVisitors(list, { query: 'gold', visibility: 'all' }))).toEqual(['alice-42']);
    expect(ids(searchVisitors(list, { query: 'c_tier', visibility: 'all' }))).toEqual(['alice-42']);
    expect(ids(searchVisitors(list, { query: 'cart gold', visibility: 'all' }))).toEqual([
      'alice-42',
    ]);
    expect(ids(searchVisitors(list, { query: 'cart bob', visibility: 'all' }))).toEqual([]);
  });

  it('ignores presence fields that are neither url nor c_', () => {
    expect(matchesQuery(list[0] as VisitorSummary, 'page')).toBe(false);
  });

  it('filters by visibility, combined with the search', () => {
    expect(ids(searchVisitors(list, { query: '', visibility: 'hidden' }))).toEqual(['bob-7']);
    expect(ids(searchVisitors(list, { query: '', visibility: 'away' }))).toEqual(['carol']);
    expect(ids(searchVisitors(list, { query: 'alice', visibility: 'hidden' }))).toEqual([]);
  });

  it('returns the same array when nothing is filtered out', () => {
    expect(searchVisitors(list, { query: '  ', visibility: 'all' })).toBe(list);
  });

  it('a remembered search narrows while the query grows, and starts over otherwise', () => {
    const search = createVisitorSearch();
    // Reads are counted through the presence objects the search touches.
    let reads = 0;
    const counted = list.map((v) => ({
      ...v,
      presence: new Proxy(v.presence, {
        get(target, key) {
          reads += 1;
          return Reflect.get(target, key);
        },
      }),
    }));
    const all = { visibility: 'all' as const };
    expect(ids(search(counted, { query: 'c', ...all }))).toEqual(['alice-42', 'bob-7', 'carol']);
    expect(ids(search(counted, { query: 'ca', ...all }))).toEqual(['alice-42', 'carol']);
    reads = 0;
    expect(ids(search(counted, { query: 'cart', ...all }))).toEqual(['alice-42']);
    const narrowed = reads;
    reads = 0;
    expect(ids(createVisitorSearch()(counted, { query: 'cart', ...all }))).toEqual(['alice-42']);
    // The fresh search also reads bob-7 ("/checkout"), whom "ca" had already ruled out.
    expect(narrowed).toBeLessThan(reads);
    expect(ids(search(counted, { query: 'car gold', ...all }))).toEqual(['alice-42']);
    // bob-7 was already out: not read again.
    expect(ids(search(counted, { query: 'bob', ...all }))).toEqual(['bob-7']);
    // Same answer as a fresh search whatever the history.
    expect(ids(search(counted, { query: 'bob', visibility: 'hidden' }))).toEqual(['bob-7']);
    expect(ids(search(counted, { query: '', ...all }))).toEqual(ids(list));
  });

  it('lists custom fields in order', () => {
    expect(customFields({ url: '/', c_b: '2', x: 'y', c_a: '1' })).toEqual([
      ['c_b', '2'],
      ['c_a', '1'],
    ]);
  });
});

describe('timeline', () => {
  const at = 1_700_000_000_000;
  it('maps every live event to its kind', () => {
    const cases = [
      [{ type: 'presence', visitorId: 'a', at, data: { url: '/x' } }, 'presence'],
      [{ type: 'visibility', visitorId: 'a', at, visibility: 'hidden' }, 'visibility'],
      [{ type: 'focus', visitorId: 'a', at, connectionId: 'c1', epoch: 3 }, 'focus'],
      [{ type: 'terms', visitorId: 'a', at, status: 'declined' }, 'terms'],
      [{ type: 'sessionStart', visitorId: 'a', at, sessionKey: 'a' }, 'sessionStart'],
      [{ type: 'sessionEnd', visitorId: 'a', at }, 'sessionEnd'],
      [{ type: 'visitorError', visitorId: 'a', at, code: 'conndrop', msg: 'm' }, 'visitorError'],
      [{ type: 'visitorConnected', visitorId: 'a', at, connections: 1 }, 'connected'],
      [{ type: 'visitorDisconnected', visitorId: 'a', at }, 'disconnected'],
      [{ type: 'signal', visitorId: 'a', at, name: 'c_x', properties: {} }, 'signal'],
    ] as const;
    for (const [event, kind] of cases) {
      const entry = timelineEntryFromEvent(event, 7);
      expect(entry).toMatchObject({ kind, seq: 7, visitorId: 'a', at });
    }
    expect(
      timelineEntryFromEvent({ type: 'terms', visitorId: 'a', at, status: 'declined' }, 1),
    ).toMatchObject({ status: 'declined' });
  });

  it('copies event data, so later changes to the event do not leak in', () => {
    const data = { url: '/x' };
    const entry = timelineEntryFromEvent({ type: 'presence', visitorId: 'a', at, data }, 1);
    data.url = '/changed';
    expect(entry).toMatchObject({ data: { url: '/x' } });
  });

  it('appends without changing the input and keeps the last max entries', () => {
    const entry = (seq: number): TimelineEntry => ({
      seq,
      visitorId: 'a',
      at,
      kind: 'disconnected',
    });
    let list: readonly TimelineEntry[] = [];
    for (let i = 1; i <= MAX_TIMELINE_ENTRIES + 25; i++) {
      const before = list;
      list = appendTimelineEntry(list, entry(i));
      expect(list).not.toBe(before);
    }
    expect(list).toHaveLength(MAX_TIMELINE_ENTRIES);
    expect(list[0]?.seq).toBe(26);
    expect(list.at(-1)?.seq).toBe(MAX_TIMELINE_ENTRIES + 25);
    const small = appendTimelineEntry([entry(1), entry(2), entry(3)], entry(4), 2);
    expect(small.map((e) => e.seq)).toEqual([3, 4]);
  });

  it('describes entries in words', () => {
    const base = { seq: 1, visitorId: 'a', at };
    expect(describeTimelineEntry({ ...base, kind: 'terms', status: 'accepted' })).toMatchObject({
      title: 'Terms accepted',
      tone: 'good',
    });
    expect(
      describeTimelineEntry({ ...base, kind: 'presence', data: { url: '/cart', c_tier: 'gold' } }),
    ).toEqual({ title: 'Presence: /cart', detail: 'c_tier=gold', tone: 'neutral' });
    expect(
      describeTimelineEntry({
        ...base,
        kind: 'focus',
        connectionId: '3f2a9c1e-8b7d-4c1a-9e2f-0a1b2c3d4e5f',
        epoch: 4,
      }).title,
    ).toBe('Focus moved to instance 3f2a9c1e');
    expect(
      describeTimelineEntry({
        ...base,
        kind: 'visitorError',
        code: 'conndrop',
        msg: 'Connect failed',
        params: { n: '1' },
      }),
    ).toMatchObject({
      title: 'Visitor error: conndrop',
      detail: 'Connect failed (n=1)',
      tone: 'bad',
    });
    expect(describeTimelineEntry({ ...base, kind: 'push', status: 'sent', devices: 2 })).toEqual({
      title: 'Asleep: a notification was sent to wake the visitor',
      detail: '2 devices',
      tone: 'info',
    });
    expect(
      describeTimelineEntry({ ...base, kind: 'push', status: 'answered', devices: 1 }),
    ).toMatchObject({
      title: 'The visitor came back through the notification',
      tone: 'good',
    });
    expect(
      describeTimelineEntry({ ...base, kind: 'push', status: 'unanswered', devices: 1 }),
    ).toEqual({
      title: 'The notification went unanswered',
      detail: '1 device',
      tone: 'warn',
    });
  });
});

describe('format', () => {
  const now = 1_700_000_000_000;
  it('says how long ago', () => {
    expect(formatRelativeTime(now - 1_000, now)).toBe('just now');
    expect(formatRelativeTime(now + 3_000, now)).toBe('just now'); // clock skew
    expect(formatRelativeTime(now - 42_000, now)).toBe('42 s ago');
    expect(formatRelativeTime(now - 90_000, now)).toBe('1 min ago');
    expect(formatRelativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatRelativeTime(now - 3 * 86_400_000, now)).toBe('3 d ago');
    expect(formatRelativeTime(Number.NaN, now)).toBe('—');
  });
  it('shortens IDs to 8 characters', () => {
    expect(shortId('3f2a9c1e-8b7d-4c1a-9e2f-0a1b2c3d4e5f')).toBe('3f2a9c1e');
    expect(shortId('c1')).toBe('c1');
    // A cluster process's connections share the start of their IDs: the number tells them apart.
    expect(shortId('k3j9x0a2m1q7.1f')).toBe('k3j9….1f');
    expect(shortId('k3j9x0a2m1q7.20')).not.toBe(shortId('k3j9x0a2m1q7.1f'));
  });
});

describe('deliveryStateFromError', () => {
  it('gives the expected answers their own states and everything else error', () => {
    for (const code of ['visitorNotPresent', 'visitorAsleep', 'timeout', 'busy'] as const) {
      expect(deliveryStateFromError(new AgentRequestError(code, 'm'), 5)).toEqual({
        state: code,
        message: 'm',
        at: 5,
      });
    }
    expect(deliveryStateFromError(new AgentRequestError('rateLimited', 'slow down'), 5)).toEqual({
      state: 'error',
      code: 'rateLimited',
      message: 'slow down',
      at: 5,
    });
    expect(deliveryStateFromError(new Error('boom'), 5)).toMatchObject({
      state: 'error',
      code: 'unknown',
      message: 'boom',
    });
    expect(deliveryStateFromError('odd', 5)).toMatchObject({ state: 'error', message: 'odd' });
  });
});

describe('explainRefusal', () => {
  it('explains each final close code', () => {
    expect(explainRefusal({ code: 4001, reason: 'token expired' }, 'demo')).toMatch(
      /invalid or has expired \(token expired\)/,
    );
    expect(explainRefusal({ code: 4004, reason: '' }, 'shop')).toMatch(
      /not configured for group “shop”/,
    );
    expect(explainRefusal({ code: 4003, reason: '' }, 'shop')).toMatch(/may not be used/);
    expect(explainRefusal({ code: 4099, reason: 'x' }, 'shop')).toMatch(/code 4099 \(x\)/);
    expect(explainRefusal(undefined, 'shop')).toMatch(/refused/);
  });
});
