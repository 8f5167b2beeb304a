import {
  type ConnectionCommand,
  type ConnectionEvent,
  type ConnectionOptions,
  type ConnectionRole,
  createConnectionActor,
} from '../connection/createConnectionActor.js';
import {
  type AgentLiveEvent,
  type FromAgent,
  PROTOCOL_VERSION,
  parseMessage,
  ToAgent,
} from '../wire/protocol.js';
import type { AgentReply } from './agentRequest.js';

/** What the agent machine hands its connection when it opens one. */
export interface AgentConnectionInput {
  groupId: string;
}

type ErrorMessage = Extract<ToAgent, { type: 'error' }>;

/** What an agent's connection reports to the agent machine. */
export type AgentSocketEvent =
  | ConnectionEvent<ToAgent, FromAgent>
  | { type: 'socket.reply'; message: AgentReply }
  | { type: 'socket.event'; event: AgentLiveEvent }
  | { type: 'socket.waking'; id: number; devices: number; waitMs: number }
  | { type: 'socket.error'; message: ErrorMessage };

/** What the agent machine tells its connection. */
export type AgentSocketCommand = ConnectionCommand<FromAgent>;

/**
 * The agent's side of the shared connection actor: its hello carries the group and the
 * agent token, replies go to the requests that wait for them, live events to the view.
 */
export const agentRole: ConnectionRole<AgentConnectionInput, ToAgent, FromAgent, AgentSocketEvent> =
  {
    parse: (frame) => parseMessage(frame, ToAgent),
    hello: (input, token) => ({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'agent',
      groupId: input.groupId,
      // createAgent refuses to start without a token, so one is always there.
      token: token ?? '',
    }),
    route(m) {
      switch (m.type) {
        case 'visitors':
        case 'visitor':
        case 'ok':
        case 'delivered':
        case 'failed':
        case 'sessionTicket':
          return { type: 'socket.reply', message: m };
        case 'error':
          return { type: 'socket.error', message: m };
        case 'waking':
          return { type: 'socket.waking', id: m.id, devices: m.devices, waitMs: m.waitMs };
        default:
          return { type: 'socket.event', event: m };
      }
    },
  };

/**
 * The agent machine's `socket` actor: the shared connection actor speaking as an agent.
 *
 * @example
 * const machine = agentMachine.provide({
 *   actors: { socket: createAgentConnection({ transport, clock: systemClock, token, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) },
 * });
 */
export function createAgentConnection(options: ConnectionOptions) {
  return createConnectionActor({ ...options, role: agentRole });
}
