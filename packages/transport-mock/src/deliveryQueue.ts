/**
 * Most deliveries one drain may run. A client and a peer that answer each other forever
 * would otherwise spin without end; a clear error beats a hung test run.
 */
export const MAX_DELIVERIES_PER_DRAIN = 100_000;

/**
 * A non-reentrant FIFO of deliveries, one per mock service. Running every handler call
 * through it keeps ordering exact (a delivery triggered by a handler runs after that
 * handler returns) and the stack depth bounded, without microtasks or timers.
 */
export class DeliveryQueue {
  #items: (() => void)[] = [];
  #head = 0;
  #draining = false;

  /** Whether a drain is running right now, i.e. we are inside some delivery. */
  get draining(): boolean {
    return this.#draining;
  }

  enqueue(delivery: () => void): void {
    this.#items.push(delivery);
  }

  /**
   * Runs queued deliveries until none is left. A no-op when already draining: the running
   * drain picks up whatever was queued. If a delivery throws, the error reaches the caller
   * and the rest stays queued for the next drain.
   */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    let count = 0;
    try {
      while (this.#head < this.#items.length) {
        count += 1;
        if (count > MAX_DELIVERIES_PER_DRAIN) {
          this.#items = [];
          this.#head = 0;
          throw new Error(
            `@beckon/transport-mock: more than ${MAX_DELIVERIES_PER_DRAIN} deliveries in one go; ` +
              'the client and the mock service seem to answer each other forever',
          );
        }
        const delivery = this.#items[this.#head] as () => void;
        this.#head += 1;
        delivery();
      }
    } finally {
      this.#draining = false;
      // Compact so a long-lived service does not keep every delivery it ever ran.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
