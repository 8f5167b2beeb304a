import type { AgentLiveEvent } from '@beckon/core/protocol';
import type { SessionBusMessage } from './SessionBusMessage.js';

/**
 * What crosses from one connection to another through a `PresenceBus`. Every message
 * is plain JSON data (no `undefined` values, no shared objects), because a bus between
 * processes carries it as text.
 */
export type BusMessage =
  | FocusMessage
  | BlurMessage
  | RequestMessage
  | AckMessage
  | UndeliveredMessage
  | EventMessage
  | SessionBusMessage;

/** To a visitor connection: it now holds focus. */
export interface FocusMessage {
  type: 'focus';
  epoch: number;
}

/** To a visitor connection: another connection of its visitor took focus. */
export interface BlurMessage {
  type: 'blur';
  epoch: number;
}

/** An agent's request as the visitor will see it, less the `id` the visitor's process gives it. */
export type VisitorRequest =
  | { type: 'showTerms'; sessionKey?: string; termsUrl?: string }
  | { type: 'signal'; name: string; properties: Record<string, string> };

/** To the visitor connection holding focus: show this request and report how it went. */
export interface RequestMessage {
  type: 'request';
  /** Unique among the requests of the `replyTo` connection. */
  requestId: number;
  /** The agent's connection, where the answer goes. */
  replyTo: string;
  request: VisitorRequest;
}

/** To the agent's connection: the visitor acknowledged the request (possibly as busy). */
export interface AckMessage {
  type: 'ack';
  requestId: number;
  /** The visitor connection that acknowledged. */
  connectionId: string;
  busy: boolean;
}

/** To the agent's connection: the visitor connection closed before acknowledging. */
export interface UndeliveredMessage {
  type: 'undelivered';
  requestId: number;
  /** The visitor connection that closed. */
  connectionId: string;
  /** Whether the request reached that connection's socket before it closed. */
  sent: boolean;
}

/** On a group's topic: a live event for the agents watching that group. */
export interface EventMessage {
  type: 'event';
  event: AgentLiveEvent;
  /**
   * The hub that published it, for groups with webhooks: the webhook part of each process
   * delivers only its own events, so a cluster delivers each once.
   */
  origin?: string;
}
