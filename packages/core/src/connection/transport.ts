/**
 * The contract between Beckon's core and a transport. A transport moves text frames and
 * owns its ready state; everything above framing (handshake, heartbeats, reconnects,
 * validation) lives in core, so every transport behaves alike.
 */

/** Where a connection is in its life. A connection never leaves `closed`. */
export type TransportReadyState = 'connecting' | 'open' | 'closing' | 'closed';

/** How a connection ended. `code` follows WebSocket close codes (`CloseCode.abnormal`, 1006, for a drop). */
export interface TransportCloseInfo {
  code: number;
  reason: string;
}

/** Callbacks core hands to a transport for one connection. */
export interface TransportHandlers {
  /** The connection is ready for `send`. Called at most once. */
  open(): void;
  /** One text frame arrived. Only between `open` and `close`. */
  message(data: string): void;
  /**
   * The connection is gone, whoever ended it and whether or not it ever opened. Called
   * exactly once; no handler is called after it.
   */
  close(info: TransportCloseInfo): void;
}

/** One live connection, as returned by a {@link Transport}. */
export interface TransportConnection {
  readonly readyState: TransportReadyState;
  /**
   * Sends one text frame. Returns false, sending nothing, unless the connection is open:
   * callers report the failure instead of losing the frame silently.
   */
  send(data: string): boolean;
  /** Starts closing. `close` on the handlers follows (asynchronously or not). */
  close(code?: number, reason?: string): void;
}

/**
 * A transport is a factory: core calls it once per connection attempt. Apps pass the
 * factory they want, so transports they do not use never reach their bundle.
 *
 * @example
 * // A transport that refuses every connection, e.g. for an offline mode.
 * const offline: Transport = (handlers) => {
 *   queueMicrotask(() => handlers.close({ code: 1006, reason: 'offline' }));
 *   return { readyState: 'closed', send: () => false, close() {} };
 * };
 */
export type Transport = (handlers: TransportHandlers) => TransportConnection;
