/**
 * The timer source for every delay in core (reconnect backoff, heartbeats, handshake
 * timeouts). It has the shape of XState's clock, so one object drives both; tests pass
 * XState's `SimulatedClock` and advance time by hand.
 */
export interface Clock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The real clock. */
export const systemClock: Clock = {
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
