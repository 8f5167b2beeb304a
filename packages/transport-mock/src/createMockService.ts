import type { Clock, Transport, TransportCloseInfo } from '@beckon/core';
import { CloseCode, ErrorCode, type FromVisitor, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { DeliveryQueue } from './deliveryQueue.js';
import { Connection, type ConnectionHost, type MockConnection } from './MockConnection.js';
import {
  checkBoolean,
  checkClock,
  checkCloseInfo,
  checkHandlers,
  checkNonNegativeInteger,
} from './validate.js';

/** Options of {@link createMockService}. */
export interface MockServiceOptions {
  /**
   * The clock `delay()` waits on. With one, a connection made outside any delivery also
   * opens on a 0 ms timer of this clock (so demos run by themselves); without one, call
   * `service.flush()` or any other mock method.
   */
  clock?: Clock;
  /** Answer a visitor `hello` with `welcome` and run the focus rule. Default true. */
  autoWelcome?: boolean;
  /** The `heartbeatMs` the welcome carries. Default 25 000. */
  heartbeatMs?: number;
}

/** A listener for frames reaching the mock service. */
export type MockMessageListener = (message: FromVisitor, connection: MockConnection) => void;

/** An in-memory presence service with a transport that connects to it. */
export interface MockService {
  /** The transport factory to give to `createVisitor({ transport })`. */
  readonly transport: Transport;
  /** Every connection ever made, oldest first (a snapshot). */
  readonly connections: readonly MockConnection[];
  /** The newest connection that is not closed. */
  readonly current: MockConnection | undefined;
  /**
   * Refuses the next connection attempt: it never opens and gets `close(info)` (default
   * 1006 'refused'). Calls stack: two calls refuse the next two attempts.
   *
   * @example
   * service.refuseNext({ code: 4001, reason: 'unauthorized' });
   */
  refuseNext(info?: TransportCloseInfo): void;
  /**
   * Refuses every attempt until {@link MockService.acceptAll}.
   *
   * @example
   * service.refuseAll(); // the service is down
   */
  refuseAll(info?: TransportCloseInfo): void;
  /**
   * Accepts attempts again, forgetting pending `refuseNext` calls too.
   *
   * @example
   * service.acceptAll(); // the service is back
   */
  acceptAll(): void;
  /**
   * From now on (or until called with `false`), answers `hello` with a `notConfigured`
   * error and closes with 4004 (`CloseCode.notConfigured`).
   *
   * @example
   * service.replyNotConfigured();
   */
  replyNotConfigured(enabled?: boolean): void;
  /**
   * Calls `listener` for every valid frame that reaches the service, after the built-in
   * answers are queued. Returns a function that removes it.
   *
   * @example
   * const off = service.onMessage((msg, conn) => {
   *   if (msg.type === 'presence') conn.push({ type: 'signal', id: 1, name: 'c_hi', properties: {} });
   * });
   */
  onMessage(listener: MockMessageListener): () => void;
  /**
   * Runs every pending delivery now. Only needed after a connection made outside any
   * delivery, when no clock was given: its `open` cannot run before the factory returns.
   *
   * @example
   * const conn = service.transport(handlers);
   * service.flush(); // handlers.open() runs
   */
  flush(): void;
}

const REFUSED: TransportCloseInfo = { code: CloseCode.abnormal, reason: 'refused' };

/**
 * Creates an in-memory presence service and a transport that connects to it, for tests and
 * demos. Deterministic: no real timers, no randomness, and every delivery runs through one
 * FIFO queue, so a handler never runs inside another and order is exact.
 *
 * @example
 * import { SimulatedClock } from 'xstate';
 * import { createVisitor } from '@beckon/core';
 * import { createMockService } from '@beckon/transport-mock';
 *
 * const clock = new SimulatedClock();
 * const service = createMockService({ clock });
 * const visitor = createVisitor({ transport: service.transport, clock });
 * // …connect the visitor, then:
 * service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'v-42' });
 * service.current?.drop(); // the link dies; the visitor should reconnect
 */
export function createMockService(options: MockServiceOptions = {}): MockService {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('@beckon/transport-mock: createMockService(options) takes an object');
  }
  const clock = checkClock(options.clock);
  const autoWelcome = checkBoolean(options.autoWelcome ?? true, 'options.autoWelcome');
  const heartbeatMs = checkNonNegativeInteger(options.heartbeatMs ?? 25_000, 'options.heartbeatMs');

  const queue = new DeliveryQueue();
  const connections: Connection[] = [];
  const listeners = new Set<MockMessageListener>();
  const refusals: TransportCloseInfo[] = [];
  let refuseEvery: TransportCloseInfo | undefined;
  let notConfigured = false;
  let epoch = 0;
  // The focused connection per visitor, keyed by JSON of [groupId, visitorId].
  const focused = new Map<string, Connection>();
  let kickScheduled = false;

  const keyOf = (connection: Connection): string | undefined =>
    connection.identity &&
    JSON.stringify([connection.identity.groupId, connection.identity.visitorId]);

  const nextEpoch = (): number => {
    epoch += 1;
    return epoch;
  };

  // Hands focus to `connection`, blurring whoever had it.
  const takeFocus = (key: string, connection: Connection): void => {
    const previous = focused.get(key);
    focused.set(key, connection);
    if (previous && previous !== connection && previous.live) {
      previous.reply({ type: 'blur', epoch: nextEpoch() });
    }
  };

  const answer = (connection: Connection, message: FromVisitor): void => {
    if (connection.blackholed) return;
    switch (message.type) {
      case 'hello': {
        if (notConfigured) {
          connection.reply({
            type: 'error',
            code: ErrorCode.notConfigured,
            message: 'presence is not configured for this group',
          });
          connection.close(CloseCode.notConfigured, 'not configured');
          return;
        }
        if (message.v !== PROTOCOL_VERSION) {
          connection.reply({
            type: 'error',
            code: ErrorCode.unsupportedVersion,
            message: `protocol version ${message.v} is not supported; this service speaks ${PROTOCOL_VERSION}`,
          });
          connection.close(CloseCode.unsupportedVersion, 'unsupported version');
          return;
        }
        // A second hello on one connection is only recorded, as is any hello without autoWelcome.
        if (!autoWelcome || connection.identity) return;
        connection.identity = { groupId: message.groupId, visitorId: message.visitorId };
        connection.reply({
          type: 'welcome',
          v: PROTOCOL_VERSION,
          connectionId: connection.id,
          focused: true,
          epoch: nextEpoch(),
          heartbeatMs,
        });
        takeFocus(keyOf(connection) as string, connection);
        return;
      }
      case 'ping':
        connection.reply({ type: 'pong' });
        return;
      case 'presence':
      case 'signal':
      case 'visibility': {
        // The spec's rule: a blurred app takes focus back by being active.
        const key = keyOf(connection);
        if (!autoWelcome || key === undefined || focused.get(key) === connection) return;
        connection.reply({ type: 'focus', epoch: nextEpoch() });
        takeFocus(key, connection);
        return;
      }
      default:
        return;
    }
  };

  const host: ConnectionHost = {
    queue,
    clock,
    receive(connection, message) {
      answer(connection, message);
      for (const listener of [...listeners]) {
        // Skips listeners removed by an earlier listener of this same frame.
        if (listeners.has(listener)) listener(message, connection);
      }
    },
    released(connection) {
      const key = keyOf(connection);
      if (key !== undefined && focused.get(key) === connection) focused.delete(key);
    },
    isFocused(connection) {
      const key = keyOf(connection);
      return key !== undefined && focused.get(key) === connection;
    },
  };

  const transport: Transport = (handlers) => {
    const checked = checkHandlers(handlers);
    const refusal = refusals.shift() ?? refuseEvery;
    const connection = new Connection(host, `conn-${connections.length + 1}`, checked, refusal);
    connections.push(connection);
    // Inside a delivery, the running drain delivers `open` right after the current handler
    // returns. Outside one, nothing runs after we return without a microtask, which would
    // break determinism; a 0 ms timer on the caller's clock is the next best thing.
    if (!queue.draining && clock && !kickScheduled) {
      kickScheduled = true;
      clock.setTimeout(() => {
        kickScheduled = false;
        queue.drain();
      }, 0);
    }
    return connection.client;
  };

  return {
    transport,
    get connections() {
      return [...connections];
    },
    get current() {
      for (let i = connections.length - 1; i >= 0; i -= 1) {
        const connection = connections[i] as Connection;
        if (connection.readyState !== 'closed') return connection;
      }
      return undefined;
    },
    refuseNext(info = REFUSED) {
      refusals.push(checkCloseInfo(info, 'refuseNext(info)', false));
      queue.drain();
    },
    refuseAll(info = REFUSED) {
      refuseEvery = checkCloseInfo(info, 'refuseAll(info)', false);
      queue.drain();
    },
    acceptAll() {
      refuseEvery = undefined;
      refusals.length = 0;
      queue.drain();
    },
    replyNotConfigured(enabled = true) {
      notConfigured = checkBoolean(enabled, 'replyNotConfigured(enabled)');
      queue.drain();
    },
    onMessage(listener) {
      if (typeof listener !== 'function') {
        throw new TypeError('@beckon/transport-mock: onMessage(listener) takes a function');
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    flush() {
      queue.drain();
    },
  };
}
