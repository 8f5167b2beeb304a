import type { ProtocolError } from '../wire/protocol.js';

/** Every event the visitor fires, by type: the spec's presence events in our names. */
export interface VisitorEventMap {
  initialized: { groupId: string; visitorId: string };
  /** Connected, or reconnected after a drop (`reconnected: true`). */
  connected: { connectionId: string; focused: boolean; reconnected: boolean };
  /** The connection failed or dropped. `willRetry` says whether the visitor keeps trying. */
  connectFail: { reason: string; code: number; willRetry: boolean; retryInMs?: number };
  /** An agent asked for consent and the app's own UI must show it (default UI off). */
  showTerms: { sessionKey: string; termsUrl?: string };
  /** A custom signal from the agent. */
  signal: { name: string; properties: Record<string, string> };
  /** Another instance with the same visitor ID took focus. */
  blur: Record<never, never>;
  /** This instance has focus again. */
  focus: Record<never, never>;
  /** A message could not be sent; it is not queued. */
  sendFail: { reason: string; code: 'notConnected' | string; retryAfter?: number };
  notConfigured: { reason: string };
  disconnected: Record<never, never>;
  invalidParameter: { param: string; reason: string };
  /**
   * The service sent a frame that failed validation. It was not acted on; the connection
   * stays up (heartbeats judge whether the service is still there).
   */
  error: {
    source: 'invalidFrame';
    code: ProtocolError['code'];
    message: string;
    param?: string;
  };
  termsAccepted: { sessionKey: string };
  termsDeclined: { sessionKey: string };
  sessionStart: { sessionKey: string; presenceStart: boolean };
  sessionEnd: { reason?: string };
  /** The number of agents watching the running session changed (with a session provider). */
  sessionViewers: { viewers: number };
  /** Push is on: the service can wake this visitor through this browser's subscription. */
  pushEnabled: { endpoint: string };
  /**
   * Push could not be turned on (or the service stopped accepting it); everything else keeps
   * working. `unsupported`: no provider, or the browser cannot; `denied`: the visitor said no
   * to notifications; `notConfigured`: the group has no push; `refused`: the service did not
   * accept the subscription; `failed`: anything else.
   */
  pushUnavailable: {
    reason: 'unsupported' | 'denied' | 'notConfigured' | 'refused' | 'failed';
    message: string;
  };
  /** Push is off again (`disablePush()`, or `disconnect({ logout: true })`). */
  pushDisabled: Record<never, never>;
}

/** The visitor's events as the machine emits them: each with its `type`. */
export type VisitorEmitted = {
  [K in keyof VisitorEventMap]: { type: K } & VisitorEventMap[K];
}[keyof VisitorEventMap];

export type VisitorEventType = keyof VisitorEventMap;

/** One visitor event (of type `K`), as listeners of `visitor.on(K, …)` receive it. */
export type VisitorEvent<K extends VisitorEventType = VisitorEventType> = Extract<
  VisitorEmitted,
  { type: K }
>;
