/**
 * The codes of the protocol: WebSocket close codes, the error codes carried by `error` and
 * `failed` messages, and the one table of words for a close that came without any.
 */

/**
 * WebSocket close codes. 4000–4099 are final: the client must not retry until something
 * changes. 4100 and up ask the client to come back. `abnormal` (1006) is never sent on the
 * wire: transports report it when a connection dropped without a close frame.
 */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  /** The connection dropped without a close frame (reported by transports, never sent). */
  abnormal: 1006,
  /** A frame larger than `LIMITS.maxFrameBytes`. */
  tooLarge: 1009,
  /** The service could not keep up with this connection for now; reconnect (and list again). */
  tryAgainLater: 1013,
  /** Repeated malformed or invalid frames. */
  badRequest: 4000,
  /** Missing, invalid or expired token. */
  unauthorized: 4001,
  /** Origin not allowed for this group, or the token belongs to another visitor or group. */
  forbidden: 4003,
  /** Presence is not enabled for the group (the spec's "not configured"). */
  notConfigured: 4004,
  /** The client speaks a protocol version the service does not. */
  unsupportedVersion: 4005,
  /** The service is restarting; the reason carries a suggested delay in milliseconds. */
  reconnect: 4100,
  /** The service stopped hearing from this peer. */
  heartbeatTimeout: 4101,
  /** No `hello` arrived in time. Retryable: the network may have stalled. */
  handshakeTimeout: 4108,
  /** Too many messages; the reason carries the milliseconds to wait. */
  rateLimited: 4129,
  /**
   * The service cannot reach the shared state it needs to register a connection (its Redis
   * is down or restarting). Retryable: the client backs off and comes back.
   */
  unavailable: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether a close code means "do not retry". Codes the client does not know are treated as
 * retryable, so a newer service can add codes without stranding old clients.
 *
 * @example
 * isFatalClose(CloseCode.unauthorized); // true
 * isFatalClose(CloseCode.abnormal);     // false — a dropped link, retry
 */
export function isFatalClose(code: number): boolean {
  return code >= 4000 && code < 4100;
}

// Words for closes that arrived without any (a browser reports 1006 with an empty reason).
const CLOSE_REASONS: Readonly<Record<number, string>> = {
  [CloseCode.normal]: 'closed',
  [CloseCode.goingAway]: 'the service is going away',
  [CloseCode.abnormal]: 'connection lost',
  [CloseCode.tooLarge]: 'frame too large',
  [CloseCode.tryAgainLater]: 'the service is overloaded; try again',
  [CloseCode.badRequest]: 'the service refused our messages',
  [CloseCode.unauthorized]: 'unauthorized: the token is missing, invalid or expired',
  [CloseCode.forbidden]: 'forbidden: this origin, group or ID is not allowed',
  [CloseCode.notConfigured]: 'presence is not configured for this group',
  [CloseCode.unsupportedVersion]: 'protocol version not supported by the service',
  [CloseCode.reconnect]: 'service restarting',
  [CloseCode.heartbeatTimeout]: 'no heartbeat from the service',
  [CloseCode.handshakeTimeout]: 'handshake timed out',
  [CloseCode.rateLimited]: 'rate limited',
  [CloseCode.unavailable]: 'the service is temporarily unavailable',
};

/**
 * A sentence for a close: the reason the peer gave, else the protocol's words for the code.
 *
 * @example
 * describeClose(CloseCode.abnormal, '');        // 'connection lost'
 * describeClose(4001, 'agent token expired');   // 'agent token expired'
 * describeClose(4999, '');                      // 'closed (4999)'
 */
export function describeClose(code: number, reason: string): string {
  return reason || CLOSE_REASONS[code] || `closed (${code})`;
}

/** Typed error codes carried by `error` and `failed` messages. */
export const ErrorCode = {
  malformed: 'malformed',
  invalidMessage: 'invalidMessage',
  invalidParameter: 'invalidParameter',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notConfigured: 'notConfigured',
  unsupportedVersion: 'unsupportedVersion',
  rateLimited: 'rateLimited',
  tooLarge: 'tooLarge',
  visitorNotPresent: 'visitorNotPresent',
  timeout: 'timeout',
  notConnected: 'notConnected',
  /** The visitor received the request but is already in a screen-share session. */
  busy: 'busy',
  internal: 'internal',
  // Sessions (the session channel, docs/protocol.md).
  /** No running session has this key in the agent's group (or the ticket's session is over). */
  sessionNotFound: 'sessionNotFound',
  // Push wake-up (docs/push.md).
  /**
   * The visitor had no live connection, a push notification was sent to wake it, and it did
   * not come back within the service's push wait.
   */
  visitorAsleep: 'visitorAsleep',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
