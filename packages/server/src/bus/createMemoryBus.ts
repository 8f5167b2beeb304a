import { randomUUID } from 'node:crypto';
import type { BusMessage } from './BusMessage.js';
import type { ConnectionHandler, PresenceBus, TopicHandler } from './PresenceBus.js';

/** Options of {@link createMemoryBus}. */
export interface MemoryBusOptions {
  /**
   * Hands every receiver its own JSON copy of each message, as a bus between processes
   * would. Costs a round trip per delivery: for tests that check nothing depends on
   * sharing objects.
   */
  serialize?: boolean;
  /** A handler threw. Default: `console.error`. The bus carries on with the next receiver. */
  onError?: (error: unknown, message: BusMessage) => void;
}

interface Subscription {
  handler: TopicHandler;
  active: boolean;
}

// Answers of `sendTo`, made once: delivery is synchronous, so nothing is left to wait for.
const TAKEN = Promise.resolve(true);
const NOT_TAKEN = Promise.resolve(false);
const READY = Promise.resolve();

/**
 * The bus of a single process: delivery is synchronous (a handler runs before `sendTo` or
 * `publish` returns), which gives per-sender order trivially, and by default a message is
 * handed over as is, without copying. Several hubs in one process may share it.
 *
 * @example
 * const bus = createMemoryBus();
 * const registry = createMemoryRegistry();
 * // Two hubs serving the same visitors and agents, as two processes would over Redis.
 * const a = createPresenceHub({ groups, registry, bus });
 * const b = createPresenceHub({ groups, registry, bus });
 */
export function createMemoryBus(options: MemoryBusOptions = {}): PresenceBus {
  const serialize = options.serialize === true;
  const copy = (message: BusMessage): BusMessage =>
    serialize ? (JSON.parse(JSON.stringify(message)) as BusMessage) : message;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('PresenceBus: a handler failed', error);
    });
  const attached = new Map<string, ConnectionHandler>();
  // Replaced, never changed in place, so a publish walks a stable list while handlers
  // subscribe and unsubscribe; `active` stops delivery to one unsubscribed mid-walk.
  const topics = new Map<string, readonly Subscription[]>();
  let closed = false;

  return {
    createConnectionId: () => randomUUID(),

    attach(connectionId, handler) {
      if (closed) return;
      if (attached.has(connectionId)) {
        throw new Error(`PresenceBus: connection ${connectionId} is already attached`);
      }
      attached.set(connectionId, handler);
    },

    detach(connectionId) {
      attached.delete(connectionId);
    },

    sendTo(connectionId, message) {
      const handler = closed ? undefined : attached.get(connectionId);
      if (!handler) return NOT_TAKEN;
      const delivered = copy(message);
      try {
        handler(delivered, connectionId);
      } catch (error) {
        onError(error, delivered);
      }
      return TAKEN;
    },

    publish(topic, message) {
      if (closed) return;
      const subscriptions = topics.get(topic);
      if (!subscriptions) return;
      for (const s of subscriptions) {
        if (!s.active) continue;
        const delivered = copy(message);
        try {
          s.handler(delivered);
        } catch (error) {
          onError(error, delivered);
        }
      }
    },

    subscribe(topic, handler) {
      if (closed) return () => {};
      const subscription: Subscription = { handler, active: true };
      topics.set(topic, [...(topics.get(topic) ?? []), subscription]);
      return () => {
        if (!subscription.active) return;
        subscription.active = false;
        const rest = (topics.get(topic) ?? []).filter((s) => s !== subscription);
        if (rest.length > 0) topics.set(topic, rest);
        else topics.delete(topic);
      };
    },

    ready: () => READY,

    async close() {
      closed = true;
      attached.clear();
      for (const subscriptions of topics.values()) {
        for (const s of subscriptions) s.active = false;
      }
      topics.clear();
    },
  };
}
