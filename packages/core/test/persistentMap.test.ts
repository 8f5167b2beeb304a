import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../src/agent/PersistentMap.js';

describe('PersistentMap', () => {
  it('behaves like a Map that is copied on every change, whatever the changes', () => {
    const key = fc.string({ maxLength: 4 });
    const change = fc.tuple(key, fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }));
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 6 }), { maxLength: 40 }), (batches) => {
        let map = PersistentMap.empty<number>();
        let model = new Map<string, number>();
        const versions: [PersistentMap<number>, Map<string, number>][] = [];
        for (const batch of batches) {
          const before = map;
          const next = new Map(model);
          for (const [k, v] of batch) {
            if (v === undefined) next.delete(k);
            else next.set(k, v);
          }
          map =
            batch.length === 1
              ? batch[0]?.[1] === undefined
                ? map.delete(batch[0]?.[0] as string)
                : map.set(batch[0]?.[0] as string, batch[0]?.[1] as number)
              : map.update(batch);
          const same =
            next.size === model.size &&
            [...next].every(([k, v]) => model.get(k) === v && model.has(k));
          // A change makes a new map; a change that changes nothing keeps the very same one
          // (a batch that undoes itself may still make a new, equal map).
          if (map === before) expect(same).toBe(true);
          if (batch.length === 1) expect(map === before).toBe(same);
          model = next;
          versions.push([map, model]);
        }
        // Every version still reads as it did: nothing was changed in place.
        for (const [m, want] of versions) {
          expect(m.size).toBe(want.size);
          expect(new Map(m)).toEqual(want);
          for (const [k, v] of want) {
            expect(m.get(k)).toBe(v);
            expect(m.has(k)).toBe(true);
          }
          expect([...m.keys()].sort()).toEqual([...want.keys()].sort());
          expect([...m.values()].length).toBe(want.size);
          const seen: string[] = [];
          m.forEach((_v, k, self) => {
            seen.push(k);
            expect(self).toBe(m);
          });
          expect(seen.length).toBe(want.size);
        }
      }),
    );
  });

  it('copies one bucket per change, not the whole map', () => {
    let map = PersistentMap.empty<number>();
    for (let i = 0; i < 20_000; i++) map = map.set(`v${i}`, i);
    const next = map.set('v7', -1);
    expect(next.get('v7')).toBe(-1);
    expect(map.get('v7')).toBe(7);
    expect(PersistentMap.from([...next]).size).toBe(20_000);
  });
});
