import type { Duplex } from 'node:stream';
import type { Peer, PeerMeta } from '@beckon/core';
import { type RawData, WebSocket } from 'ws';

/** Clients that stop reading are cut off once this much is queued for them. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

// Close reasons are limited to 123 bytes by the WebSocket protocol; `ws` throws beyond.
function shortReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function rawToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : new Uint8Array(data);
}

/**
 * Holds a socket's writes until the end of the event-loop turn, then sends them in one
 * `writev`. Without it, `ws` makes one write syscall per frame, and an agent watching a busy
 * group receives thousands of frames a second: on loopback that syscall was ~45% of the
 * service's CPU in the presence-throughput benchmark (docs/benchmarks.md). Frames still
 * leave in the turn they were sent in, so latency barely moves. Returns true for the first
 * write of a turn: what the socket still holds then is left over from earlier turns.
 *
 * @example
 * const batch = createWriteBatcher();
 * batch(socket); // before ws.send(text): the socket is corked until the turn ends
 */
export function createWriteBatcher(): (socket: Duplex) => boolean {
  const corked = new Set<Duplex>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const socket of corked) socket.uncork();
    corked.clear();
  };
  return (socket: Duplex) => {
    if (corked.has(socket)) return false;
    corked.add(socket);
    socket.cork();
    if (!scheduled) {
      scheduled = true;
      // `setImmediate` runs after the poll phase: frames relayed for every socket read in
      // this turn are batched, not just those of one incoming frame.
      setImmediate(flush);
    }
    return true;
  };
}

/**
 * Adapts a `ws` socket to the hub's {@link Peer}. A class, so its methods live once on the
 * prototype instead of as seven closures per connection.
 */
export class WsPeer implements Peer {
  private readonly ws: WebSocket;
  private readonly socket: Duplex;
  private readonly batch: (socket: Duplex) => boolean;
  private readonly onSlowConsumer: (meta: PeerMeta) => void;
  private readonly meta: PeerMeta;
  private readonly maxBuffered: number;

  constructor(
    ws: WebSocket,
    socket: Duplex,
    batch: (socket: Duplex) => boolean,
    /** The client stopped reading and is cut off; one function for every peer, told which. */
    onSlowConsumer: (meta: PeerMeta) => void,
    meta: PeerMeta = {},
    /** Bytes queued for the client past which it is cut off. Default 4 MiB. */
    maxBuffered: number = MAX_BUFFERED_BYTES,
  ) {
    this.ws = ws;
    this.socket = socket;
    this.batch = batch;
    this.onSlowConsumer = onSlowConsumer;
    this.meta = meta;
    this.maxBuffered = maxBuffered;
  }

  /** Bytes written and not yet sent: what the session channel's flow rules read. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(text: string) {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    // Measured at a turn's first write, before this turn's own: a burst relayed within one
    // turn is not the client's fault, a backlog the kernel would not take from earlier is.
    if (this.batch(this.socket) && ws.bufferedAmount > this.maxBuffered) {
      this.onSlowConsumer(this.meta);
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  close(code: number, reason: string) {
    const ws = this.ws;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      ws.close(code, shortReason(reason));
    }
  }

  onMessage(listener: (data: string | Uint8Array) => void) {
    this.ws.on('message', (data, isBinary) =>
      listener(isBinary ? rawToBytes(data) : rawToText(data)),
    );
  }

  onClose(listener: (code: number, reason: string) => void) {
    this.ws.on('close', (code, reason) => listener(code, reason.toString('utf8')));
  }

  ping() {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  onPong(listener: () => void) {
    this.ws.on('pong', listener);
  }

  terminate() {
    this.ws.terminate();
  }
}
