import type { Clock } from '@beckon/core';
import type { DeliveryQueue } from './deliveryQueue.js';

interface InFlight {
  ready: boolean;
  timer: unknown;
  run: () => void;
  lost: () => void;
}

/**
 * One direction of a connection, with optional latency. Items leave in the order they
 * entered, like frames on a WebSocket: an item whose delay is over waits behind older ones
 * (head-of-line blocking). This also keeps order when the clock fires equal deadlines out
 * of order, as XState's `SimulatedClock` may.
 */
export class OrderedPipe {
  readonly #queue: DeliveryQueue;
  readonly #clock: () => Clock | undefined;
  #items: InFlight[] = [];

  constructor(queue: DeliveryQueue, clock: () => Clock | undefined) {
    this.#queue = queue;
    this.#clock = clock;
  }

  /** Sends `run` down the pipe; `lost` is called instead if the pipe is discarded first. */
  send(delayMs: number, run: () => void, lost: () => void): void {
    const item: InFlight = { ready: delayMs === 0, timer: undefined, run, lost };
    this.#items.push(item);
    if (!item.ready) {
      const clock = this.#clock();
      if (!clock) throw new TypeError('@beckon/transport-mock: a delay needs a clock');
      item.timer = clock.setTimeout(() => {
        item.ready = true;
        item.timer = undefined;
        this.#release();
        this.#queue.drain();
      }, delayMs);
    }
    this.#release();
  }

  /** Throws away everything in flight (the link died), cancelling its timers. */
  discard(): void {
    const items = this.#items;
    this.#items = [];
    for (const item of items) {
      if (item.timer !== undefined) this.#clock()?.clearTimeout(item.timer);
      item.lost();
    }
  }

  #release(): void {
    while (this.#items[0]?.ready) {
      const item = this.#items.shift() as InFlight;
      this.#queue.enqueue(item.run);
    }
  }
}
