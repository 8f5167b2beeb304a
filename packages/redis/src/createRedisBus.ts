import type { BusMessage, ConnectionHandler, PresenceBus, TopicHandler } from '@beckon/server';
import { createKeys } from './keys.js';
import { createNodeId, nodeOf } from './nodeIds.js';
import type { CommandSender } from './scripts.js';

/** The subscribing side of a node-redis client (a connection of its own). */
export interface Subscriber {
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => unknown,
  ): Promise<void>;
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => unknown,
  ): Promise<void>;
}

/** Options of {@link createRedisBus}. */
export interface RedisBusOptions {
  /** A connected node-redis client for PUBLISH. */
  client: CommandSender;
  /** Another connected client, used for nothing but subscriptions (`client.duplicate()`). */
  subscriber: Subscriber;
  /** Prefix of every channel. Default `beckon:`. */
  prefix?: string;
  /** This process's node ID; connection IDs embed it. Default: a new random one. */
  nodeId?: string;
  /** How long `sendTo` waits for the receiving node's answer before assuming delivery. Default 10 000. */
  replyTimeoutMs?: number;
  /** A handler threw, or Redis refused a publish. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** A bus over Redis pub/sub, and what the cluster membership needs of it. */
export interface RedisBus extends PresenceBus {
  readonly nodeId: string;
  /** Node `nodeId` died: `sendTo` calls waiting for its answer resolve `false`. */
  nodeDown(nodeId: string): void;
  /**
   * Subscribes again to this node's channel and every topic it has handlers for: after the
   * subscriber connection came back, in case a subscription failed while it was down.
   */
  resubscribe(): void;
}

interface Waiting {
  node: string;
  resolve: (taken: boolean) => void;
  at: number;
}

interface Topic {
  channel: string;
  handlers: readonly TopicHandler[];
}

const TAKEN = Promise.resolve(true);
const NOT_TAKEN = Promise.resolve(false);

/**
 * A {@link PresenceBus} over Redis pub/sub, for processes sharing one Redis.
 *
 * - Every process (node) has one channel, `<prefix>node:<nodeId>`, and connection IDs name
 *   their node (`<nodeId>.<n>`), so `sendTo` is one PUBLISH to the owning node, with no
 *   lookup. That node hands the message to the attached connection and answers (in
 *   batches) whether it was attached; `sendTo` resolves with that answer, `false` at once
 *   when no process listens on the channel any more. A connection of this very process is
 *   served without Redis.
 * - A topic is a channel, `<prefix>topic:<topic>`, which a process subscribes to only while
 *   it has handlers for it (the hub: while it has agents of the group).
 * - Messages are JSON, whatever their kind. Redis delivers the messages of one connection
 *   in order, and every process publishes on one connection: per-sender order holds.
 *
 * @example
 * const client = await createClient({ url }).connect();
 * const bus = createRedisBus({ client, subscriber: await client.duplicate().connect() });
 * await bus.ready();
 */
export function createRedisBus(options: RedisBusOptions): RedisBus {
  const { client, subscriber } = options;
  const keys = createKeys(options.prefix);
  const nodeId = options.nodeId ?? createNodeId();
  const replyTimeoutMs = options.replyTimeoutMs ?? 10_000;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('PresenceBus (Redis):', error);
    });
  const ownChannel = keys.nodeChannel(nodeId);
  const attached = new Map<string, ConnectionHandler>();
  const topics = new Map<string, Topic>();
  const topicByChannel = new Map<string, string>();
  const waiting = new Map<number, Waiting>();
  // Subscriptions sent to Redis and not confirmed yet: what `ready()` waits for.
  const inFlight = new Set<Promise<void>>();
  // Answers to other nodes, sent together once this turn of the event loop is over.
  const answers = new Map<string, { taken: number[]; missed: number[] }>();
  let answersDue = false;
  let counter = 0;
  let seq = 0;
  let closed = false;

  const track = (subscribing: Promise<void>) => {
    inFlight.add(subscribing);
    const done = () => inFlight.delete(subscribing);
    subscribing.then(done, done);
  };

  const publish = (channel: string, payload: string) =>
    client.sendCommand<number>(['PUBLISH', channel, payload]);

  const flushAnswers = () => {
    answersDue = false;
    for (const [node, { taken, missed }] of answers) {
      publish(
        keys.nodeChannel(node),
        `r ${taken.join(',') || '-'} ${missed.join(',') || '-'}`,
      ).catch(onError);
    }
    answers.clear();
  };

  const answer = (node: string, id: number, taken: boolean) => {
    let batch = answers.get(node);
    if (!batch) {
      batch = { taken: [], missed: [] };
      answers.set(node, batch);
    }
    (taken ? batch.taken : batch.missed).push(id);
    if (!answersDue) {
      answersDue = true;
      setImmediate(flushAnswers);
    }
  };

  const settle = (id: number, taken: boolean) => {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    w.resolve(taken);
  };

  const deliver = (handler: ConnectionHandler, message: BusMessage, connectionId: string) => {
    try {
      handler(message, connectionId);
    } catch (error) {
      onError(error);
    }
  };

  const parse = (json: string): BusMessage | undefined => {
    try {
      return JSON.parse(json) as BusMessage;
    } catch (error) {
      onError(error);
      return undefined;
    }
  };

  // `m <id> <from> <to> <json>`: a message for a connection here; `r <taken> <missed>`: answers.
  const onNodeMessage = (payload: string) => {
    if (closed) return;
    if (payload.startsWith('r ')) {
      const [, taken = '-', missed = '-'] = payload.split(' ');
      if (taken !== '-') for (const id of taken.split(',')) settle(Number(id), true);
      if (missed !== '-') for (const id of missed.split(',')) settle(Number(id), false);
      return;
    }
    const a = payload.indexOf(' ', 2);
    const b = payload.indexOf(' ', a + 1);
    const c = payload.indexOf(' ', b + 1);
    if (!payload.startsWith('m ') || a < 0 || b < 0 || c < 0) {
      onError(new Error(`unreadable bus message: ${payload.slice(0, 80)}`));
      return;
    }
    const id = Number(payload.slice(2, a));
    const from = payload.slice(a + 1, b);
    const to = payload.slice(b + 1, c);
    const handler = attached.get(to);
    answer(from, id, handler !== undefined);
    if (handler) {
      const message = parse(payload.slice(c + 1));
      if (message) deliver(handler, message, to);
    }
  };

  const onTopicMessage = (payload: string, channel: string) => {
    if (closed) return;
    const topic = topicByChannel.get(channel);
    const handlers = topic === undefined ? undefined : topics.get(topic)?.handlers;
    if (!handlers || handlers.length === 0) return;
    const message = parse(payload);
    if (!message) return;
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (error) {
        onError(error);
      }
    }
  };

  track(subscriber.subscribe(ownChannel, onNodeMessage));

  // A node that neither answers nor is known dead: assume delivery, as the contract allows.
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - replyTimeoutMs;
    for (const [id, w] of waiting) if (w.at <= cutoff) settle(id, true);
  }, 1_000);
  sweeper.unref();

  return {
    nodeId,

    createConnectionId: () => `${nodeId}.${(++counter).toString(36)}`,

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
      if (closed) return NOT_TAKEN;
      const node = nodeOf(connectionId);
      if (node === undefined) return NOT_TAKEN;
      if (node === nodeId) {
        const handler = attached.get(connectionId);
        if (!handler) return NOT_TAKEN;
        deliver(handler, message, connectionId);
        return TAKEN;
      }
      const id = ++seq;
      return new Promise<boolean>((resolve) => {
        waiting.set(id, { node, resolve, at: Date.now() });
        publish(
          keys.nodeChannel(node),
          `m ${id} ${nodeId} ${connectionId} ${JSON.stringify(message)}`,
        ).then(
          // Nobody listens on the node's channel: the process is gone.
          (receivers) => {
            if (receivers === 0) settle(id, false);
          },
          (error: unknown) => {
            onError(error);
            settle(id, false);
          },
        );
      });
    },

    publish(topic, message) {
      if (closed) return;
      publish(keys.topic(topic), JSON.stringify(message)).catch(onError);
    },

    subscribe(topic, handler) {
      if (closed) return () => {};
      let entry = topics.get(topic);
      if (!entry) {
        entry = { channel: keys.topic(topic), handlers: [] };
        topics.set(topic, entry);
        topicByChannel.set(entry.channel, topic);
        track(subscriber.subscribe(entry.channel, onTopicMessage));
      }
      // Replaced, never changed in place: a delivery in progress walks a stable list.
      entry.handlers = [...entry.handlers, handler];
      let active = true;
      return () => {
        if (!active || closed) return;
        active = false;
        const current = topics.get(topic);
        if (!current) return;
        current.handlers = current.handlers.filter((h) => h !== handler);
        if (current.handlers.length > 0) return;
        topics.delete(topic);
        topicByChannel.delete(current.channel);
        subscriber.unsubscribe(current.channel, onTopicMessage).catch(onError);
      };
    },

    async ready() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },

    resubscribe() {
      if (closed) return;
      track(subscriber.subscribe(ownChannel, onNodeMessage));
      for (const { channel } of topics.values()) {
        track(subscriber.subscribe(channel, onTopicMessage));
      }
    },

    nodeDown(node) {
      for (const [id, w] of waiting) if (w.node === node) settle(id, false);
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      attached.clear();
      for (const id of [...waiting.keys()]) settle(id, false);
      const channels = [ownChannel, ...[...topics.values()].map((t) => t.channel)];
      topics.clear();
      topicByChannel.clear();
      await Promise.all(
        channels.map((channel) =>
          subscriber
            .unsubscribe(channel, channel === ownChannel ? onNodeMessage : onTopicMessage)
            .catch(() => {}),
        ),
      );
    },
  };
}
