import type { VisitorSummary } from '@beckon/core/agent';
import { describe, expect, it } from 'vitest';
import { sortVisitors } from '../src/sortVisitors.js';

const summary = (visitorId: string, lastActiveAt: number): VisitorSummary => ({
  visitorId,
  present: true,
  visibility: 'visible',
  presence: {},
  connections: 1,
  epoch: 1,
  lastActiveAt,
});

const bySort = (map: ReadonlyMap<string, VisitorSummary>) =>
  [...map.values()].sort(
    (a, b) =>
      b.lastActiveAt - a.lastActiveAt ||
      (a.visitorId < b.visitorId ? -1 : a.visitorId > b.visitorId ? 1 : 0),
  );

describe('sortVisitors', () => {
  it('gives what a full sort gives, one small change or many at a time', () => {
    // A seeded walk: visitors come, go, and become active (ties included).
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    let map = new Map<string, VisitorSummary>();
    for (let step = 0; step < 600; step++) {
      const next = new Map(map);
      const changes = step % 50 === 0 ? 80 : 1 + random(3);
      for (let c = 0; c < changes; c++) {
        const id = `v${random(300)}`;
        if (random(5) === 0) next.delete(id);
        else next.set(id, summary(id, random(40)));
      }
      map = next;
      const list = sortVisitors(map);
      expect(list.map((v) => v.visitorId)).toEqual(bySort(map).map((v) => v.visitorId));
      expect(list.every((v) => map.get(v.visitorId) === v)).toBe(true);
      expect(sortVisitors(map)).toBe(list);
    }
  });
});
