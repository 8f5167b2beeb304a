/**
 * An in-memory stand-in for the presence service, seen from the service's side: it records
 * every frame the agent sends and lets a test push frames, open and close connections by
 * hand. Nothing happens on its own, so tests are deterministic without real time.
 */

import type {
  Transport,
  TransportCloseInfo,
  TransportHandlers,
  TransportReadyState,
} from '../../src/connection/transport.js';
import { encodeMessage, FromAgent, parseMessage, ToAgent } from '../../src/wire/protocol.js';

type Of<T extends { type: string }, K extends T['type']> = Extract<T, { type: K }>;

export class ScriptedConnection {
  readyState: TransportReadyState = 'connecting';
  /** Every frame the client sent, as text. */
  readonly sentRaw: string[] = [];
  /** Frames the client sent that `FromAgent` accepts. */
  readonly sent: FromAgent[] = [];
  /** Frames the client sent that `FromAgent` refuses: always a bug in the client. */
  readonly invalid: string[] = [];
  closedBy: 'client' | 'service' | undefined;
  closeInfo: TransportCloseInfo | undefined;
  /** When true, `send` refuses frames (returns false) although the connection looks open. */
  refuseSends = false;
  private taken = 0;

  constructor(
    readonly index: number,
    private readonly handlers: TransportHandlers,
  ) {}

  /** The connection opens: the client's `open` handler runs. */
  open(): void {
    if (this.readyState !== 'connecting')
      throw new Error(`cannot open a ${this.readyState} connection`);
    this.readyState = 'open';
    this.handlers.open();
  }

  /** Delivers a valid service message. Throws on one `ToAgent` refuses, to catch test typos. */
  push(message: ToAgent): void {
    const checked = parseMessage(encodeMessage(message), ToAgent);
    if (!checked.ok) throw new TypeError(`not a valid ToAgent message: ${checked.error.message}`);
    this.pushRaw(encodeMessage(message));
  }

  /** Delivers any text, valid or not. */
  pushRaw(data: string): void {
    if (this.readyState !== 'open')
      throw new Error(`cannot push on a ${this.readyState} connection`);
    this.handlers.message(data);
  }

  /** Opens (if needed) and welcomes the client. */
  welcome(fields: Partial<Of<ToAgent, 'welcome'>> = {}): void {
    if (this.readyState === 'connecting') this.open();
    this.push({
      type: 'welcome',
      v: 1,
      connectionId: `conn-${this.index}`,
      groupId: 'acme',
      heartbeatMs: 30_000,
      ...fields,
    });
  }

  /** The service closes the connection. */
  close(code: number, reason = ''): void {
    if (this.readyState === 'closed') throw new Error('already closed');
    this.readyState = 'closed';
    this.closedBy = 'service';
    this.closeInfo = { code, reason };
    this.handlers.close({ code, reason });
  }

  /** The link dies without a close frame. */
  drop(): void {
    this.close(1006, '');
  }

  /** Frames sent since the last `take()`. */
  take(): FromAgent[] {
    const fresh = this.sent.slice(this.taken);
    this.taken = this.sent.length;
    return fresh;
  }

  /** The last frame of a type the client sent; throws if there is none. */
  last<K extends FromAgent['type']>(type: K): Of<FromAgent, K> {
    const found = this.sent.filter((m): m is Of<FromAgent, K> => m.type === type).at(-1);
    if (!found) throw new Error(`the client sent no "${type}" frame`);
    return found;
  }

  /** Every frame of a type the client sent. */
  all<K extends FromAgent['type']>(type: K): Of<FromAgent, K>[] {
    return this.sent.filter((m): m is Of<FromAgent, K> => m.type === type);
  }

  // The client's side of the connection.
  transportSend(data: string): boolean {
    if (this.readyState !== 'open' || this.refuseSends) return false;
    this.sentRaw.push(data);
    const parsed = parseMessage(data, FromAgent);
    if (parsed.ok) this.sent.push(parsed.message);
    else this.invalid.push(data);
    return true;
  }

  transportClose(code = 1000, reason = ''): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.readyState = 'closed';
    this.closedBy = 'client';
    this.closeInfo = { code, reason };
    this.handlers.close({ code, reason });
  }
}

export interface ScriptedPeer {
  readonly transport: Transport;
  readonly connections: readonly ScriptedConnection[];
  /** The newest connection; throws if the client never connected. */
  readonly current: ScriptedConnection;
}

/**
 * Creates a scripted peer. Its `transport` goes into `createAgent`; each connection attempt
 * becomes a {@link ScriptedConnection} the test drives.
 *
 * @example
 * const peer = createScriptedPeer();
 * const agent = createAgent({ transport: peer.transport, groupId: 'acme', token: 't', clock });
 * agent.connect();
 * peer.current.welcome();
 */
export function createScriptedPeer(): ScriptedPeer {
  const connections: ScriptedConnection[] = [];
  const transport: Transport = (handlers) => {
    const conn = new ScriptedConnection(connections.length + 1, handlers);
    connections.push(conn);
    return {
      get readyState() {
        return conn.readyState;
      },
      send: (data) => conn.transportSend(data),
      close: (code, reason) => conn.transportClose(code, reason),
    };
  };
  return {
    transport,
    connections,
    get current() {
      const conn = connections.at(-1);
      if (!conn) throw new Error('the client has not connected');
      return conn;
    },
  };
}
