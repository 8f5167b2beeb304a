import type {
  Clock,
  TransportCloseInfo,
  TransportConnection,
  TransportHandlers,
  TransportReadyState,
} from '@beckon/core';
import {
  CloseCode,
  encodeMessage,
  FromVisitor,
  type ProtocolError,
  parseMessage,
  ToVisitor,
} from '@beckon/core/protocol';
import type { DeliveryQueue } from './deliveryQueue.js';
import { OrderedPipe } from './orderedPipe.js';
import {
  checkClientClose,
  checkCloseInfo,
  checkCount,
  checkDelay,
  checkFrame,
} from './validate.js';

/** Who ended a connection: the client, the service (a close or a refusal), or the link (`drop`). */
export type MockClosedBy = 'client' | 'service' | 'network';

/** A frame the client sent that core's `parseMessage` refused. */
export interface InvalidFrame {
  raw: string;
  error: ProtocolError;
}

/** A frame that never arrived: lost on purpose (`dropOutgoing`, `blackhole`) or in flight when the link died. */
export interface LostFrame {
  direction: 'toService' | 'toClient';
  raw: string;
}

/** The visitor a connection said `hello` as. */
export interface VisitorIdentity {
  groupId: string;
  visitorId: string;
}

/**
 * One connection between the client and the mock service, seen from the service's side:
 * what arrived, plus levers to script the peer and inject faults.
 */
export interface MockConnection {
  /** `conn-1`, `conn-2`, … in connection order; also the `connectionId` of its welcome. */
  readonly id: string;
  /** The state the client sees through its `TransportConnection`. */
  readonly readyState: TransportReadyState;
  /** Whether the attempt was refused (`refuseNext` / `refuseAll`); it never opened. */
  readonly refused: boolean;
  /** Every valid frame that reached the service, parsed with core's `parseMessage`. */
  readonly sent: readonly FromVisitor[];
  /** Every frame that reached the service, valid or not, as text. */
  readonly sentRaw: readonly string[];
  /** Frames that reached the service but failed `parseMessage(raw, FromVisitor)`. */
  readonly invalid: readonly InvalidFrame[];
  /** Every frame delivered to the client's `message` handler, as text. */
  readonly received: readonly string[];
  /** Frames that never arrived, in either direction. */
  readonly lost: readonly LostFrame[];
  /** Who ended the connection, once the service knows it ended. */
  readonly closedBy: MockClosedBy | undefined;
  /** The code and reason the connection ended with, as the service recorded them. */
  readonly closeInfo: TransportCloseInfo | undefined;
  /** The visitor of the last accepted `hello`, when the auto-responder handled one. */
  readonly identity: VisitorIdentity | undefined;
  /** Whether the mock's focus rule gives this connection focus for its visitor. */
  readonly focused: boolean;
  /**
   * Delivers a service message to the client, encoded with core's `encodeMessage`.
   * Throws a TypeError for a message `ToVisitor` refuses (use `pushRaw` for garbage) and an
   * Error once the service side is closed.
   *
   * @example
   * service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'v-42' });
   */
  push(message: ToVisitor): void;
  /**
   * Delivers arbitrary text to the client, as if the service sent it.
   *
   * @example
   * service.current?.pushRaw('{not json');
   */
  pushRaw(data: string): void;
  /**
   * The link dies (default 1006 'connection lost'): frames in flight are lost, delays do
   * not apply, and the client gets `close` at once. A no-op once the client saw `close`.
   *
   * @example
   * service.current?.drop();
   */
  drop(info?: TransportCloseInfo): void;
  /**
   * A clean close by the service. Frames sent before it still arrive first.
   *
   * @example
   * service.current?.close(4100, '5000'); // CloseCode.reconnect: come back in 5 s
   */
  close(code: number, reason: string): void;
  /**
   * From now on every delivery in both directions waits `ms` on the clock (order is kept).
   * Needs a `clock` in `createMockService` options.
   *
   * @example
   * service.current?.delay(200);
   * clock.increment(200);
   */
  delay(ms: number): void;
  /**
   * Silently loses the next `n` frames the client sends; `send` still returns true.
   *
   * @example
   * service.current?.dropOutgoing(1); // the next ping vanishes
   */
  dropOutgoing(n?: number): void;
  /**
   * The service goes silent: client frames are still recorded, but nothing is answered and
   * nothing pushed arrives. Closes and drops still complete, so nothing hangs.
   *
   * @example
   * service.current?.blackhole(); // the client's heartbeat should notice the dead link
   */
  blackhole(): void;
}

/** What a connection needs from the service it belongs to. */
export interface ConnectionHost {
  readonly queue: DeliveryQueue;
  readonly clock: Clock | undefined;
  /** A valid frame reached the service. */
  receive(connection: Connection, message: FromVisitor): void;
  /** The service side of a connection ended. */
  released(connection: Connection): void;
  isFocused(connection: Connection): boolean;
}

const DROP_INFO: TransportCloseInfo = { code: CloseCode.abnormal, reason: 'connection lost' };

/** The mock's connection. Only {@link MockConnection} is public. */
export class Connection implements MockConnection {
  readonly id: string;
  readonly refused: boolean;
  readonly sent: FromVisitor[] = [];
  readonly sentRaw: string[] = [];
  readonly invalid: InvalidFrame[] = [];
  readonly received: string[] = [];
  readonly lost: LostFrame[] = [];
  identity: VisitorIdentity | undefined;
  /** The client's side of the connection, handed back by the transport factory. */
  readonly client: TransportConnection;

  readonly #host: ConnectionHost;
  readonly #handlers: TransportHandlers;
  readonly #toClient: OrderedPipe;
  readonly #toService: OrderedPipe;
  #state: TransportReadyState = 'connecting';
  // Whether the service still treats the connection as live. It ends before the client
  // hears about it when a close is in flight.
  #live: boolean;
  #closedBy: MockClosedBy | undefined;
  #closeInfo: TransportCloseInfo | undefined;
  #delayMs = 0;
  #dropBudget = 0;
  #blackholed = false;

  constructor(
    host: ConnectionHost,
    id: string,
    handlers: TransportHandlers,
    refusal: TransportCloseInfo | undefined,
  ) {
    this.#host = host;
    this.id = id;
    this.#handlers = handlers;
    const clock = () => host.clock;
    this.#toClient = new OrderedPipe(host.queue, clock);
    this.#toService = new OrderedPipe(host.queue, clock);
    this.refused = refusal !== undefined;
    this.#live = refusal === undefined;
    if (refusal) {
      this.#closedBy = 'service';
      this.#closeInfo = refusal;
      host.queue.enqueue(() => this.#finish(refusal));
    } else {
      host.queue.enqueue(() => this.#open());
    }
    const self = this;
    this.client = {
      get readyState() {
        return self.#state;
      },
      send: (data) => this.#clientSend(data),
      close: (code, reason) => this.#clientClose(code, reason),
    };
  }

  get readyState(): TransportReadyState {
    return this.#state;
  }
  get closedBy(): MockClosedBy | undefined {
    return this.#closedBy;
  }
  get closeInfo(): TransportCloseInfo | undefined {
    return this.#closeInfo;
  }
  get focused(): boolean {
    return this.#host.isFocused(this);
  }
  /** Whether the service side is still open (it may end before the client hears). */
  get live(): boolean {
    return this.#live;
  }
  get blackholed(): boolean {
    return this.#blackholed;
  }

  push(message: ToVisitor): void {
    const result = parseMessage(message, ToVisitor);
    if (!result.ok) {
      throw new TypeError(
        `@beckon/transport-mock: push() takes a valid ToVisitor message (${result.error.message}); use pushRaw() to send anything else`,
      );
    }
    this.pushRaw(encodeMessage(message));
  }

  pushRaw(data: string): void {
    checkFrame(data, 'pushRaw(data)');
    this.#host.queue.drain();
    if (!this.#live) {
      throw new Error(
        `@beckon/transport-mock: cannot push to ${this.id}: the service side is closed (${this.#closedBy})`,
      );
    }
    if (this.#blackholed) {
      this.lost.push({ direction: 'toClient', raw: data });
      return;
    }
    this.#toClient.send(
      this.#delayMs,
      () => this.#deliver(data),
      () => this.lost.push({ direction: 'toClient', raw: data }),
    );
    this.#host.queue.drain();
  }

  drop(info: TransportCloseInfo = DROP_INFO): void {
    const checked = checkCloseInfo(info, 'drop(info)', false);
    this.#host.queue.drain();
    if (this.#state === 'closed') return;
    this.#endService('network', checked);
    this.#toClient.discard();
    this.#toService.discard();
    this.#host.queue.enqueue(() => this.#finish(checked));
    this.#host.queue.drain();
  }

  close(code: number, reason: string): void {
    const info = checkCloseInfo({ code, reason }, 'close(code, reason)', true);
    this.#host.queue.drain();
    if (!this.#live) return;
    this.#endService('service', info);
    this.#toClient.send(
      this.#delayMs,
      () => this.#finish(info),
      () => {},
    );
    this.#host.queue.drain();
  }

  delay(ms: number): void {
    const checked = checkDelay(ms);
    if (checked > 0 && !this.#host.clock) {
      throw new TypeError(
        '@beckon/transport-mock: delay() waits on a clock; pass one, e.g. createMockService({ clock: new SimulatedClock() })',
      );
    }
    this.#host.queue.drain();
    this.#delayMs = checked;
  }

  dropOutgoing(n: number = Number.POSITIVE_INFINITY): void {
    const checked = checkCount(n, 'dropOutgoing(n)');
    this.#host.queue.drain();
    this.#dropBudget = checked;
  }

  blackhole(): void {
    this.#host.queue.drain();
    this.#blackholed = true;
  }

  /** The service answers this connection (used by the auto-responder). */
  reply(message: ToVisitor): void {
    if (this.#live && !this.#blackholed) this.push(message);
  }

  #open(): void {
    // Skipped when the client or the service ended the attempt before it opened.
    if (this.#state !== 'connecting' || !this.#live) return;
    this.#state = 'open';
    this.#handlers.open();
  }

  #deliver(data: string): void {
    // Frames may still arrive while the client's own close is under way, never after close.
    if (this.#state !== 'open' && this.#state !== 'closing') {
      this.lost.push({ direction: 'toClient', raw: data });
      return;
    }
    this.received.push(data);
    this.#handlers.message(data);
  }

  #finish(info: TransportCloseInfo): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#toClient.discard();
    this.#toService.discard();
    this.#handlers.close({ code: info.code, reason: info.reason });
  }

  #endService(by: MockClosedBy, info: TransportCloseInfo): void {
    if (!this.#live) return;
    this.#live = false;
    this.#closedBy = by;
    this.#closeInfo = info;
    this.#host.released(this);
  }

  #clientSend(data: string): boolean {
    checkFrame(data, 'send(data)');
    if (this.#state !== 'open') return false;
    if (this.#dropBudget > 0) {
      this.#dropBudget -= 1;
      this.lost.push({ direction: 'toService', raw: data });
      return true;
    }
    this.#toService.send(
      this.#delayMs,
      () => this.#receive(data),
      () => this.lost.push({ direction: 'toService', raw: data }),
    );
    this.#host.queue.drain();
    return true;
  }

  #receive(data: string): void {
    if (!this.#live) {
      this.lost.push({ direction: 'toService', raw: data });
      return;
    }
    this.sentRaw.push(data);
    const result = parseMessage(data, FromVisitor);
    if (!result.ok) {
      this.invalid.push({ raw: data, error: result.error });
      return;
    }
    this.sent.push(result.message);
    this.#host.receive(this, result.message);
  }

  #clientClose(code: number | undefined, reason: string | undefined): void {
    const info = checkClientClose(code, reason);
    if (this.#state === 'closing' || this.#state === 'closed') return;
    if (this.#state === 'connecting') {
      this.#state = 'closing';
      this.#endService('client', info);
      this.#host.queue.enqueue(() => this.#finish(info));
    } else {
      this.#state = 'closing';
      // The close frame travels like any frame; the service's echo travels back, so a
      // delayed link takes a round trip and service frames already in flight still arrive.
      this.#toService.send(
        this.#delayMs,
        () => {
          if (!this.#live) return; // the service closed first; its close is on the way
          this.#endService('client', info);
          this.#toClient.send(
            this.#delayMs,
            () => this.#finish(info),
            () => {},
          );
        },
        () => {},
      );
    }
    this.#host.queue.drain();
  }
}
