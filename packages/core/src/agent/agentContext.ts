import type { ReconnectPolicy } from '../connection/backoff.js';
import type { AgentSocketEvent } from './agentConnection.js';
import type { AgentRequest, AgentRequestMessage, RequestFailure } from './agentRequest.js';
import type { VisitorMap } from './visitorMap.js';
import type { VisitorSync } from './visitorSync.js';

/** A request on the wire, awaiting its reply. */
export interface PendingAgentRequest {
  id: number;
  /** The public API's handle for the caller's promise; absent for the agent's own requests. */
  ticket: number | undefined;
  message: AgentRequestMessage;
  /** Callers (tickets) answered when this request of the agent's own completes. */
  waiters?: readonly number[];
}

/** Why the connection last failed, as the close reported it. */
export interface AgentConnectionError {
  code: number;
  reason: string;
}

export interface AgentContext {
  groupId: string;
  policy: ReconnectPolicy;
  requestTimeoutMs: number;
  /** Failed attempts since the last successful connect. */
  attempt: number;
  /** The wait before the next attempt, drawn when the attempt is scheduled. */
  retryDelay: number;
  everConnected: boolean;
  connectionId: string | undefined;
  /** The next request id; ids are never reused, so a late reply cannot match a newer request. */
  nextId: number;
  pending: ReadonlyMap<number, PendingAgentRequest>;
  /** Watches the service confirmed; re-sent after every reconnect. */
  watchGroup: boolean;
  watchedVisitors: readonly string[];
  /** The live view of watched visitors the service knows (away ones included). */
  visitors: VisitorMap;
  /** The group listing that fills the view after a group watch or a reconnect, while it runs. */
  sync: VisitorSync | undefined;
  error: AgentConnectionError | undefined;
  /** Frames from the service that failed validation and were ignored. */
  invalidFrames: number;
}

export type RequestOutcome = { ok: true; value: unknown } | { ok: false; failure: RequestFailure };

/** Commands the public API sends. */
export type AgentCommand =
  | { type: 'CONNECT' }
  | { type: 'DISCONNECT' }
  | { type: 'REQUEST'; ticket: number; request: AgentRequest };

export type AgentMachineEvent =
  | AgentCommand
  | AgentSocketEvent
  | { type: 'request.timeout'; id: number }
  /** Time to ask again for the listing page that failed. */
  | { type: 'sync.retry' };

export interface AgentMachineInput {
  groupId: string;
  reconnect?: Partial<ReconnectPolicy>;
  /** Default 15,000. */
  requestTimeoutMs?: number;
}

/** Whether the live view follows a visitor: its group is watched, or the visitor is. */
export const inScope = (context: AgentContext, visitorId: string) =>
  context.watchGroup || context.watchedVisitors.includes(visitorId);
