import type { Clock } from '@beckon/core';

/** The hub's timers: every one is tracked, so closing the hub stops them all. */
export interface HubTimers {
  /** Runs `fn` after `ms` (at once if negative). A throw or rejection counts as an internal error at `where`. */
  timer(ms: number, fn: () => void | Promise<void>, where: string): unknown;
  /** Cancels a timer; `undefined` is ignored. */
  cancel(handle: unknown): void;
  /** Cancels every timer still pending. */
  cancelAll(): void;
}

/**
 * Tracks the timers the hub sets on `clock`, and reports what their callbacks throw.
 *
 * @example
 * const timers = createHubTimers(systemClock, (error, where) => log.error({ err: error, where }));
 * const handle = timers.timer(5_000, () => expire(visitor), 'grace');
 * timers.cancel(handle);
 */
export function createHubTimers(
  clock: Clock,
  onError: (error: unknown, where: string) => void,
): HubTimers {
  const live = new Set<unknown>();
  const cancel = (handle: unknown) => {
    if (handle === undefined) return;
    clock.clearTimeout(handle);
    live.delete(handle);
  };
  return {
    timer(ms, fn, where) {
      const handle = clock.setTimeout(
        () => {
          live.delete(handle);
          try {
            const result = fn();
            if (result instanceof Promise) result.catch((e) => onError(e, where));
          } catch (error) {
            onError(error, where);
          }
        },
        Math.max(0, ms),
      );
      live.add(handle);
      return handle;
    },
    cancel,
    cancelAll() {
      for (const handle of [...live]) cancel(handle);
    },
  };
}
