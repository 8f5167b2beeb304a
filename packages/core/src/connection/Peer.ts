/**
 * The service's end of one client connection, whatever carries it: a `ws` socket on the
 * presence service, or an in-process link such as `@beckon/transport-mock`'s linked mode.
 * It is the server-side counterpart of {@link Transport}: the service attaches its
 * listeners once, right after it accepts the peer, and speaks the protocol over it.
 *
 * @example
 * // An in-process peer wired to a pair of callbacks.
 * const peer: Peer = {
 *   send: (text) => toClient(text),
 *   close: (code, reason) => endClient(code, reason),
 *   onMessage: (listener) => { fromClient = listener; },
 *   onClose: (listener) => { clientGone = listener; },
 * };
 * hub.accept(peer, { origin: 'https://app.example.com' });
 */
export interface Peer {
  /** Sends one text frame. May throw or do nothing once the peer is closed. */
  send(text: string): void;
  /** Closes the connection with a WebSocket close code and a short reason (≤ 123 bytes). */
  close(code: number, reason: string): void;
  /** Each incoming frame: a string for text, bytes for binary (which the service refuses). */
  onMessage(listener: (data: string | Uint8Array) => void): void;
  /** The connection ended, whoever ended it. Called once. */
  onClose(listener: (code: number, reason: string) => void): void;
  /** Transport-level ping. Peers without it get the protocol's own `ping` frames. */
  ping?(): void;
  /** Transport-level pong, the answer to {@link Peer.ping}. */
  onPong?(listener: () => void): void;
  /** Drops the connection at once, for peers that stopped answering. */
  terminate?(): void;
}

/** Where a peer comes from: used for origin checks, per-address limits and logs. */
export interface PeerMeta {
  /** The HTTP `Origin` header of the upgrade request, if any. */
  origin?: string;
  remoteAddress?: string;
}
