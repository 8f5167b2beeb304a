import {
  type ConnectionCommand,
  type ConnectionEvent,
  type ConnectionOptions,
  type ConnectionRole,
  createConnectionActor,
} from '../connection/createConnectionActor.js';
import { parseFrame } from '../wire/frameTable.js';
import { type FromVisitor, PROTOCOL_VERSION, type ToVisitor } from '../wire/protocol.js';
import { TO_VISITOR } from '../wire/toVisitor.generated.js';

/** What the visitor machine hands its connection when it opens one. */
export interface VisitorConnectionInput {
  groupId: string;
  visitorId: string;
  visible: boolean;
  pushNotifications: boolean;
}

type ErrorMessage = Extract<ToVisitor, { type: 'error' }>;

/** What a visitor's connection reports to the visitor machine. */
export type VisitorSocketEvent =
  | ConnectionEvent<ToVisitor, FromVisitor>
  | { type: 'socket.blur'; epoch: number }
  | { type: 'socket.focus'; epoch: number }
  | { type: 'socket.showTerms'; id: number; sessionKey?: string; termsUrl?: string }
  | { type: 'socket.signal'; id: number; name: string; properties: Record<string, string> }
  | { type: 'socket.error'; message: ErrorMessage }
  | { type: 'socket.sessionTicket'; sessionKey: string; ticket: string; expiresAt: number }
  | {
      type: 'socket.sessionRefused';
      sessionKey: string;
      code: ErrorMessage['code'];
      message: string;
    }
  | { type: 'socket.pushSubscribed'; endpoint: string }
  | { type: 'socket.pushRefused'; endpoint: string; code: ErrorMessage['code']; message: string };

/** What the visitor machine tells its connection. */
export type VisitorSocketCommand = ConnectionCommand<FromVisitor>;

/**
 * The visitor's side of the shared connection actor: its hello carries the visitor ID and
 * the app's visibility, and the service's messages become machine events.
 */
export const visitorRole: ConnectionRole<
  VisitorConnectionInput,
  ToVisitor,
  FromVisitor,
  VisitorSocketEvent
> = {
  // Not zod's parseMessage: zod would be a third of a visitor app's bundle.
  parse: (frame) => parseFrame<ToVisitor>(frame, TO_VISITOR),
  hello: (input, token) => ({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'visitor',
    groupId: input.groupId,
    visitorId: input.visitorId,
    visible: input.visible,
    ...(token === undefined ? {} : { token }),
    ...(input.pushNotifications ? { pushNotifications: true } : {}),
  }),
  route(m) {
    switch (m.type) {
      case 'blur':
        return { type: 'socket.blur', epoch: m.epoch };
      case 'focus':
        return { type: 'socket.focus', epoch: m.epoch };
      case 'showTerms':
        return {
          type: 'socket.showTerms',
          id: m.id,
          ...(m.sessionKey === undefined ? {} : { sessionKey: m.sessionKey }),
          ...(m.termsUrl === undefined ? {} : { termsUrl: m.termsUrl }),
        };
      case 'signal':
        return { type: 'socket.signal', id: m.id, name: m.name, properties: m.properties };
      case 'error':
        return { type: 'socket.error', message: m };
      case 'sessionTicket':
        return {
          type: 'socket.sessionTicket',
          sessionKey: m.sessionKey,
          ticket: m.ticket,
          expiresAt: m.expiresAt,
        };
      case 'sessionRefused':
        return {
          type: 'socket.sessionRefused',
          sessionKey: m.sessionKey,
          code: m.code,
          message: m.message,
        };
      case 'pushSubscribed':
        return { type: 'socket.pushSubscribed', endpoint: m.endpoint };
      case 'pushRefused':
        return {
          type: 'socket.pushRefused',
          endpoint: m.endpoint,
          code: m.code,
          message: m.message,
        };
    }
  },
};

/**
 * The visitor machine's `socket` actor: the shared connection actor speaking as a visitor.
 *
 * @example
 * const machine = visitorMachine.provide({
 *   actors: { socket: createVisitorConnection({ transport, clock: systemClock, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) },
 * });
 */
export function createVisitorConnection(options: ConnectionOptions) {
  return createConnectionActor({ ...options, role: visitorRole });
}
