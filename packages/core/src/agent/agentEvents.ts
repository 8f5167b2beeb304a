import type { AgentLiveEvent } from '../wire/protocol.js';
import type { RequestOutcome } from './agentContext.js';
import type { RequestFailure } from './agentRequest.js';

/** Where an `error` event came from. */
export type AgentErrorSource =
  /** An `error` frame from the service that answered no particular request. */
  | 'service'
  /** A frame that failed validation; it was ignored. */
  | 'invalidFrame'
  /** The agent's own requests that keep `visitors` live: re-watching after a reconnect, refreshing after a watch. */
  | 'sync';

/** Every event the agent fires, by type: the service's live events plus the connection's. */
export interface AgentEventMap {
  /** Connected (or reconnected: `reconnected: true`) and welcomed by the service. */
  connected: { connectionId: string; groupId: string; reconnected: boolean };
  /** The connection failed or dropped. `willRetry` says whether the agent keeps trying. */
  connectFail: { reason: string; code: number; willRetry: boolean; retryInMs?: number };
  /** `disconnect()` took effect. */
  disconnected: Record<never, never>;
  /** Something went wrong that no request is waiting for. */
  error: {
    source: AgentErrorSource;
    code: RequestFailure['code'];
    message: string;
    param?: string;
    retryAfter?: number;
  };
  presence: Omit<Extract<AgentLiveEvent, { type: 'presence' }>, 'type'>;
  visibility: Omit<Extract<AgentLiveEvent, { type: 'visibility' }>, 'type'>;
  visitorConnected: Omit<Extract<AgentLiveEvent, { type: 'visitorConnected' }>, 'type'>;
  connections: Omit<Extract<AgentLiveEvent, { type: 'connections' }>, 'type'>;
  visitorDisconnected: Omit<Extract<AgentLiveEvent, { type: 'visitorDisconnected' }>, 'type'>;
  focus: Omit<Extract<AgentLiveEvent, { type: 'focus' }>, 'type'>;
  terms: Omit<Extract<AgentLiveEvent, { type: 'terms' }>, 'type'>;
  sessionStart: Omit<Extract<AgentLiveEvent, { type: 'sessionStart' }>, 'type'>;
  sessionEnd: Omit<Extract<AgentLiveEvent, { type: 'sessionEnd' }>, 'type'>;
  visitorError: Omit<Extract<AgentLiveEvent, { type: 'visitorError' }>, 'type'>;
  signal: Omit<Extract<AgentLiveEvent, { type: 'signal' }>, 'type'>;
  /** A request found the visitor asleep: a push went out (`sent`), then `answered` or `unanswered`. */
  push: Omit<Extract<AgentLiveEvent, { type: 'push' }>, 'type'>;
  /**
   * One of this agent's own `showTerms` or `signalVisitor` requests found the visitor
   * asleep: a push notification went to `devices` of its devices, and the request now waits
   * up to `waitMs` more for the visitor to come back (its promise settles then).
   */
  waking: { visitorId: string; devices: number; waitMs: number };
}

/** A request finished; the public API settles the caller's promise. Not part of the public events. */
export interface RequestSettled {
  type: 'request.settled';
  ticket: number;
  outcome: RequestOutcome;
}

export type AgentEmitted =
  | { [K in keyof AgentEventMap]: { type: K } & AgentEventMap[K] }[keyof AgentEventMap]
  | RequestSettled;
