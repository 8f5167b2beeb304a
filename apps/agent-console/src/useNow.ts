import { useSyncExternalStore } from 'react';

// One shared ticker for every relative time on the page, running only while something
// shows one: a list of 500 visitors costs one interval, not 500.
const TICK_MS = 1000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of [...listeners]) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const getNow = () => now;

/**
 * The current time in ms, updated every second while the component is mounted, for
 * "5 s ago" labels that keep counting.
 *
 * @example
 * const now = useNow();
 * return <span>{formatRelativeTime(visitor.lastActiveAt, now)}</span>;
 */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getNow, getNow);
}
