import type { BusMessage } from './BusMessage.js';

/** Receives the messages addressed to an attached connection. */
export type ConnectionHandler = (message: BusMessage, connectionId: string) => void;

/** Receives the messages published on a topic. */
export type TopicHandler = (message: BusMessage) => void;

/**
 * Everything that crosses from one connection to another goes through a bus: focus and blur
 * for a visitor's other connections, an agent's request to the visitor's focused connection
 * and its answer back, live events for the agents of a group. The hub never reaches another
 * connection directly, so a bus shared by several processes (say, over Redis pub/sub) lets
 * them serve one set of visitors and agents together; `createMemoryBus` is the bus of a
 * single process.
 *
 * What the hub relies on (and `test/bus.contract.ts` checks):
 *
 * - **At most once.** A message is delivered to each receiver once or not at all.
 * - **Per-sender order.** Messages one bus instance sends to one receiver (an attached
 *   connection, or a topic's subscriber) arrive in the order they were sent, `sendTo` and
 *   `publish` alike. So a connection's `blur` never overtakes the `focus` sent to it before,
 *   and agents see a visitor's events in the order its process emitted them.
 * - **Data, not objects.** A receiver gets a value equal to the message after a JSON round
 *   trip, not necessarily the same object; it must not change it, as several receivers may
 *   share one. Senders must not change a message after sending it.
 * - **Isolation.** A handler that throws does not keep the message from other receivers.
 * - Delivery may happen before `sendTo` or `publish` returns (the memory bus does) or later.
 */
export interface PresenceBus {
  /** A new connection ID the bus can route to (a bus between processes embeds the process in it). */
  createConnectionId(): string;
  /**
   * Routes messages addressed to `connectionId` to `handler`, until {@link PresenceBus.detach}. One
   * handler may serve every connection of a process: it gets the connection ID with the
   * message, so a process needs no function per connection.
   */
  attach(connectionId: string, handler: ConnectionHandler): void;
  /** Stops routing to `connectionId`; messages sent afterwards are not delivered. Idempotent. */
  detach(connectionId: string): void;
  /**
   * Delivers to one connection wherever it is attached. Resolves `false` when the bus knows
   * nobody took it (not attached, or detached), or could not send it; it should not reject.
   * A bus that cannot know may resolve `true` anyway; the hub then relies on its timeouts.
   */
  sendTo(connectionId: string, message: BusMessage): Promise<boolean>;
  /** Delivers to every current subscriber of `topic` (`group:<groupId>` for agent events). */
  publish(topic: string, message: BusMessage): void;
  /**
   * Receives what is published on `topic` until the returned function is called. A bus
   * between processes may need a moment before the subscription takes effect: see
   * {@link PresenceBus.ready}.
   */
  subscribe(topic: string, handler: TopicHandler): () => void;
  /**
   * Resolves once every subscription made before the call receives whatever is published
   * from then on, in any process (at once for a bus of one process). Rejects when the bus
   * cannot reach its broker. The hub waits for it before it welcomes an agent, so the agent
   * misses no event that happens after its `welcome`.
   */
  ready(): Promise<void>;
  /** Stops all delivery and releases the bus's resources. Idempotent. */
  close(): Promise<void>;
}
