import type { Transport, TransportCloseInfo, TransportConnection } from '@beckon/core';
import {
  encodeMessage,
  type FromVisitor,
  PROTOCOL_VERSION,
  parseMessage,
  ToVisitor,
} from '@beckon/core/protocol';

/** The parts of XState's `SimulatedClock` these tests use. */
export interface TestClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
  increment(ms: number): void;
}

export { SimulatedClock } from 'xstate';

export type ClientEvent =
  | { type: 'open' }
  | { type: 'message'; data: string }
  | { type: 'close'; code: number; reason: string };

/** Counts how deeply handler calls nest, across every client that shares it. */
export class NestingProbe {
  depth = 0;
  max = 0;
}

/**
 * A client driving a transport directly, recording every handler call. Reactions go in the
 * `on*` fields, which can be set after construction because `open` never runs inside the
 * factory.
 */
export class Client {
  readonly events: ClientEvent[] = [];
  readonly conn: TransportConnection;
  onOpen: (() => void) | undefined;
  onMessage: ((data: string) => void) | undefined;
  onClose: ((info: TransportCloseInfo) => void) | undefined;

  constructor(transport: Transport, probe: NestingProbe = new NestingProbe()) {
    const enter = (fn: () => void) => {
      probe.depth += 1;
      probe.max = Math.max(probe.max, probe.depth);
      try {
        fn();
      } finally {
        probe.depth -= 1;
      }
    };
    this.conn = transport({
      open: () =>
        enter(() => {
          this.events.push({ type: 'open' });
          this.onOpen?.();
        }),
      message: (data) =>
        enter(() => {
          this.events.push({ type: 'message', data });
          this.onMessage?.(data);
        }),
      close: (info) =>
        enter(() => {
          this.events.push({ type: 'close', code: info.code, reason: info.reason });
          this.onClose?.(info);
        }),
    });
  }

  send(message: FromVisitor): boolean {
    return this.conn.send(encodeMessage(message));
  }

  /** Every message received, parsed (throws on a frame that is not a valid ToVisitor). */
  get messages(): ToVisitor[] {
    return this.events.flatMap((event) => {
      if (event.type !== 'message') return [];
      const result = parseMessage(event.data, ToVisitor);
      if (!result.ok) throw new Error(`not a ToVisitor frame: ${event.data}`);
      return [result.message];
    });
  }

  get closes(): ClientEvent[] {
    return this.events.filter((event) => event.type === 'close');
  }
}

export function hello(visitorId = 'v1', groupId = 'g1'): Extract<FromVisitor, { type: 'hello' }> {
  return { type: 'hello', v: PROTOCOL_VERSION, role: 'visitor', groupId, visitorId, visible: true };
}
