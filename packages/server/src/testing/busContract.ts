import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BusMessage, PresenceBus } from '../index.js';

/**
 * Handles on one bus. `sender` and `receiver` stand for two processes sharing it (two
 * connections to one Redis, say); a bus of a single process passes the same bus twice.
 */
export interface BusFixture {
  sender: PresenceBus;
  receiver: PresenceBus;
}

interface Received {
  message: BusMessage;
  connectionId?: string;
}

/** Records what a handler receives. */
function recorder() {
  const received: Received[] = [];
  return {
    received,
    onConnection: (message: BusMessage, connectionId: string) => {
      received.push({ message, connectionId });
    },
    onTopic: (message: BusMessage) => {
      received.push({ message });
    },
    messages: () => received.map((r) => r.message),
  };
}

/** Delivery may be asynchronous: wait for it instead of assuming it already happened. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 2_000, interval: 5 });

const focus = (epoch: number): BusMessage => ({ type: 'focus', epoch });
const marker: BusMessage = { type: 'blur', epoch: -1 };
const copy = (message: BusMessage) => JSON.parse(JSON.stringify(message)) as BusMessage;
/** Subscriptions of a bus between processes take effect a moment later: wait for them. */
const subscribed = (...buses: PresenceBus[]) => Promise.all(buses.map((bus) => bus.ready()));

/** One of every kind, with the awkward values JSON has to carry. */
const SAMPLES: BusMessage[] = [
  { type: 'focus', epoch: 7 },
  { type: 'blur', epoch: 8 },
  {
    type: 'request',
    requestId: 3,
    replyTo: 'agent-connection',
    request: {
      type: 'showTerms',
      sessionKey: 'alice',
      termsUrl: 'https://example.com/t?x=1&y="2"',
    },
  },
  {
    type: 'request',
    requestId: 4,
    replyTo: 'agent-connection',
    request: {
      type: 'signal',
      name: 'c_hint',
      properties: { text: 'héllo\n"world" ✓', empty: '' },
    },
  },
  { type: 'ack', requestId: 3, connectionId: 'visitor-connection', busy: false },
  { type: 'undelivered', requestId: 4, connectionId: 'visitor-connection', sent: true },
  {
    type: 'event',
    event: { type: 'presence', visitorId: 'alice', at: 1_760_000_000_000, data: { url: '/€' } },
  },
];

/**
 * The behaviour every {@link PresenceBus} must have. Call it from a test file with a factory
 * for the implementation under test; each test gets a fresh bus. Nothing here assumes that
 * delivery is synchronous, nor that a receiver gets the very object that was sent.
 *
 * @example
 * busContract('memory', () => { const bus = createMemoryBus(); return { sender: bus, receiver: bus }; });
 */
export function busContract(name: string, factory: () => BusFixture | Promise<BusFixture>): void {
  describe(`PresenceBus contract: ${name}`, () => {
    let sender: PresenceBus;
    let receiver: PresenceBus;

    beforeEach(async () => {
      ({ sender, receiver } = await factory());
    });

    afterEach(async () => {
      await Promise.all([...new Set([sender, receiver])].map((bus) => bus.close()));
    });

    it('makes a different non-empty connection ID every time', () => {
      const ids = new Set<string>();
      for (let i = 0; i < 1_000; i++)
        ids.add(i % 2 ? sender.createConnectionId() : receiver.createConnectionId());
      expect(ids.size).toBe(1_000);
      for (const id of ids) expect(id).toMatch(/^\S+$/);
    });

    it('delivers sendTo to the attached connection, with its ID, once', async () => {
      const id = receiver.createConnectionId();
      const other = receiver.createConnectionId();
      const target = recorder();
      const bystander = recorder();
      receiver.attach(id, target.onConnection);
      receiver.attach(other, bystander.onConnection);
      expect(await sender.sendTo(id, focus(1))).toBe(true);
      await until(() => expect(target.received).toHaveLength(1));
      expect(target.received[0]).toEqual({ message: focus(1), connectionId: id });
      // Anything sent twice or astray would have arrived before this marker.
      expect(await sender.sendTo(id, marker)).toBe(true);
      await until(() => expect(target.messages()).toContainEqual(marker));
      expect(target.messages()).toEqual([focus(1), marker]);
      expect(bystander.received).toEqual([]);
    });

    it('delivers to a connection attached on the sending bus itself', async () => {
      const id = sender.createConnectionId();
      const local = recorder();
      sender.attach(id, local.onConnection);
      expect(await sender.sendTo(id, focus(1))).toBe(true);
      expect(await sender.sendTo(id, marker)).toBe(true);
      await until(() => expect(local.messages()).toEqual([focus(1), marker]));
      sender.detach(id);
      expect(await sender.sendTo(id, focus(2))).toBe(false);
    });

    it('a subscription made after ready() has resolved receives what is published after it', async () => {
      const late = recorder();
      await subscribed(receiver);
      receiver.subscribe('group:late', late.onTopic);
      await subscribed(receiver);
      sender.publish('group:late', focus(1));
      await until(() => expect(late.messages()).toEqual([focus(1)]));
    });

    it('resolves false for an unknown connection and delivers nothing', async () => {
      const id = receiver.createConnectionId();
      const attached = recorder();
      receiver.attach(id, attached.onConnection);
      expect(await sender.sendTo(receiver.createConnectionId(), focus(1))).toBe(false);
      expect(await sender.sendTo('never-made', focus(2))).toBe(false);
      expect(await sender.sendTo(id, marker)).toBe(true);
      await until(() => expect(attached.messages()).toContainEqual(marker));
      expect(attached.messages()).toEqual([marker]);
    });

    it('stops delivering after detach (idempotent), and delivers again after a new attach', async () => {
      const id = receiver.createConnectionId();
      const witness = receiver.createConnectionId();
      const first = recorder();
      const watcher = recorder();
      receiver.attach(id, first.onConnection);
      receiver.attach(witness, watcher.onConnection);
      expect(await sender.sendTo(id, focus(1))).toBe(true);
      await until(() => expect(first.messages()).toEqual([focus(1)]));
      receiver.detach(id);
      receiver.detach(id);
      expect(await sender.sendTo(id, focus(2))).toBe(false);
      expect(await sender.sendTo(witness, marker)).toBe(true);
      await until(() => expect(watcher.messages()).toEqual([marker]));
      expect(first.messages()).toEqual([focus(1)]);
      const second = recorder();
      receiver.attach(id, second.onConnection);
      expect(await sender.sendTo(id, focus(3))).toBe(true);
      await until(() => expect(second.messages()).toEqual([focus(3)]));
      expect(first.messages()).toEqual([focus(1)]);
    });

    it('publishes to every subscriber of the topic, in every process, once, and to no other topic', async () => {
      const here = recorder();
      const there = recorder();
      const alsoThere = recorder();
      const elsewhere = recorder();
      sender.subscribe('group:shop', here.onTopic);
      receiver.subscribe('group:shop', there.onTopic);
      receiver.subscribe('group:shop', alsoThere.onTopic);
      receiver.subscribe('group:other', elsewhere.onTopic);
      await subscribed(sender, receiver);
      sender.publish('group:shop', focus(1));
      sender.publish('group:other', marker);
      await until(() => {
        for (const r of [here, there, alsoThere]) expect(r.messages()).toEqual([focus(1)]);
        expect(elsewhere.messages()).toEqual([marker]);
      });
      sender.publish('group:shop', marker);
      await until(() => {
        for (const r of [here, there, alsoThere]) expect(r.messages()).toEqual([focus(1), marker]);
      });
      expect(elsewhere.messages()).toEqual([marker]);
    });

    it('stops delivering to a subscriber once it unsubscribes (idempotent), not to the others', async () => {
      const leaving = recorder();
      const staying = recorder();
      const unsubscribe = receiver.subscribe('group:shop', leaving.onTopic);
      receiver.subscribe('group:shop', staying.onTopic);
      await subscribed(receiver);
      sender.publish('group:shop', focus(1));
      await until(() => expect(leaving.messages()).toEqual([focus(1)]));
      unsubscribe();
      unsubscribe();
      sender.publish('group:shop', focus(2));
      sender.publish('group:shop', marker);
      await until(() => expect(staying.messages()).toEqual([focus(1), focus(2), marker]));
      expect(leaving.messages()).toEqual([focus(1)]);
    });

    it('keeps each sender’s order per receiver, for sendTo and publish alike', async () => {
      const id = receiver.createConnectionId();
      const connection = recorder();
      const subscriber = recorder();
      receiver.attach(id, connection.onConnection);
      receiver.subscribe('group:shop', subscriber.onTopic);
      await subscribed(receiver);
      const sent = Array.from({ length: 200 }, (_, i) => focus(i + 1));
      const answers: Promise<boolean>[] = [];
      for (const message of sent) {
        answers.push(sender.sendTo(id, message));
        sender.publish('group:shop', message);
      }
      expect(await Promise.all(answers)).toEqual(sent.map(() => true));
      await until(() => {
        expect(connection.received).toHaveLength(200);
        expect(subscriber.received).toHaveLength(200);
      });
      expect(connection.messages()).toEqual(sent);
      expect(subscriber.messages()).toEqual(sent);
    });

    it('carries every kind of message as data: what arrives equals its JSON round trip', async () => {
      const id = receiver.createConnectionId();
      const connection = recorder();
      const subscriber = recorder();
      receiver.attach(id, connection.onConnection);
      receiver.subscribe('group:shop', subscriber.onTopic);
      await subscribed(receiver);
      for (const message of SAMPLES) {
        await sender.sendTo(id, message);
        sender.publish('group:shop', message);
      }
      await until(() => {
        expect(connection.received).toHaveLength(SAMPLES.length);
        expect(subscriber.received).toHaveLength(SAMPLES.length);
      });
      expect(connection.messages()).toEqual(SAMPLES.map(copy));
      expect(subscriber.messages()).toEqual(SAMPLES.map(copy));
    });

    it('a handler that throws does not stop delivery to the others', async () => {
      const staying = recorder();
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        receiver.subscribe('group:shop', () => {
          throw new Error('handler bug');
        });
        receiver.subscribe('group:shop', staying.onTopic);
        await subscribed(receiver);
        sender.publish('group:shop', focus(1));
        sender.publish('group:shop', focus(2));
        await until(() => expect(staying.messages()).toEqual([focus(1), focus(2)]));
      } finally {
        quiet.mockRestore();
      }
    });

    it('close() stops delivery and is idempotent', async () => {
      const id = sender.createConnectionId();
      const connection = recorder();
      const subscriber = recorder();
      sender.attach(id, connection.onConnection);
      sender.subscribe('group:shop', subscriber.onTopic);
      await subscribed(sender);
      await sender.close();
      await sender.close();
      expect(await sender.sendTo(id, focus(1))).toBe(false);
      sender.publish('group:shop', focus(1));
      // Give an asynchronous bus the time it would need to deliver anyway.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(connection.received).toEqual([]);
      expect(subscriber.received).toEqual([]);
    });
  });
}
