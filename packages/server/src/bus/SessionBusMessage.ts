import type { SessionMessageKind } from '@beckon/core/protocol';

/**
 * What crosses between processes for sessions. A session's host (the visitor's page on the
 * session channel) and its viewers (agents) may be connected to different processes; they
 * meet on two topics of the visitor: `sessionView:<groupId>/<visitorId>`, where the host's
 * process publishes what viewers get, and `sessionHost:<groupId>/<visitorId>`, where viewers'
 * processes (and the visitor's presence connection's) publish what the host gets.
 */
export type SessionViewMessage =
  /** One chunk for the viewers, already encoded as the frame they receive. */
  | {
      type: 'sessionChunk';
      sessionKey: string;
      kind: SessionMessageKind;
      part: number;
      parts: number;
      frame: string;
    }
  /**
   * The host connected to (or left) the session channel. With `reannounce` (a host has just
   * connected) viewers' processes announce their viewers to it again.
   */
  | { type: 'sessionHost'; sessionKey: string; connected: boolean; reannounce?: true }
  | { type: 'sessionViewers'; sessionKey: string; viewers: number };

export type SessionHostMessage =
  | { type: 'viewerJoined'; sessionKey: string; viewerId: string; agentId: string }
  | { type: 'viewerLeft'; sessionKey: string; viewerId: string }
  /** A viewer needs a snapshot (it joined, fell behind, or asked). */
  | { type: 'viewerResync'; sessionKey: string; viewerId: string; reason: string }
  | { type: 'viewerMessage'; sessionKey: string; viewerId: string; agentId: string; data: string }
  | { type: 'viewerEnd'; sessionKey: string; agentId: string; reason?: string }
  /** A host connected: any other host connection of the visitor gives way. */
  | { type: 'hostUp'; sessionKey: string; hostId: string };

/** On both topics: the session is over (the visitor ended it, or left). */
export interface SessionEndedMessage {
  type: 'sessionEnded';
  sessionKey: string;
  reason?: string;
}

/** Every session message on the bus. */
export type SessionBusMessage = SessionViewMessage | SessionHostMessage | SessionEndedMessage;

/**
 * The topics of a visitor's session.
 *
 * @example
 * bus.publish(sessionTopics('shop', 'alice').view, message);
 */
export function sessionTopics(groupId: string, visitorId: string): { view: string; host: string } {
  return {
    view: `sessionView:${groupId}/${visitorId}`,
    host: `sessionHost:${groupId}/${visitorId}`,
  };
}
