import type { Clock } from '@beckon/core';

/** Time that moves only when told to, for the service's timers. */
export interface ManualClock {
  readonly clock: Clock;
  now(): number;
  /**
   * Moves time forward by `ms`, firing the timers that fall due in order, each at its own
   * time, with `settle` awaited after each (so what a timer starts finishes first).
   */
  advance(ms: number, settle: () => Promise<void>): Promise<void>;
}

/**
 * A clock for the hub's `clock` and `now` options that a test drives.
 *
 * @example
 * const time = createManualClock();
 * const hub = createPresenceHub({ groups, clock: time.clock, now: time.now });
 * await time.advance(5_000, () => new Promise((r) => setImmediate(r)));
 */
export function createManualClock(): ManualClock {
  let at = 0;
  let ids = 0;
  const timers = new Map<number, { due: number; fn: () => void }>();
  return {
    clock: {
      setTimeout(fn, ms) {
        const id = ++ids;
        timers.set(id, { due: at + Math.max(0, ms), fn });
        return id;
      },
      clearTimeout(id) {
        timers.delete(id as number);
      },
    },
    now: () => at,
    async advance(ms, settle) {
      const end = at + ms;
      for (;;) {
        let next: [number, { due: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].due <= end && (!next || entry[1].due < next[1].due)) next = entry;
        }
        if (!next) break;
        timers.delete(next[0]);
        at = Math.max(at, next[1].due);
        next[1].fn();
        await settle();
      }
      at = end;
    },
  };
}
