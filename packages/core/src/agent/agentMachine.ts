import { fromCallback, setup } from 'xstate';
import { defaultReconnectPolicy } from '../connection/backoff.js';
import { CloseCode, isFatalClose } from '../wire/codes.js';
import type {
  AgentConnectionInput,
  AgentSocketCommand,
  AgentSocketEvent,
} from './agentConnection.js';
import type { AgentContext, AgentMachineEvent, AgentMachineInput } from './agentContext.js';
import type { AgentEmitted } from './agentEvents.js';
import { connectionActions } from './connectionActions.js';
import { requestActions } from './requestActions.js';
import { EMPTY_VISITORS } from './visitorMap.js';

/**
 * The agent's state machine: the connection lifecycle (connect, reconnect with backoff,
 * refusal), requests correlated with their replies and timed out on the actor's clock, and
 * the live view of watched visitors. I/O is the named `socket` actor, which `createAgent`
 * provides; tests swap it with `.provide()`.
 *
 * Outcomes of requests leave as `request.settled` emitted events carrying the caller's
 * ticket, so the machine's context stays plain data.
 *
 * @example
 * const actor = createActor(
 *   agentMachine.provide({ actors: { socket: createAgentConnection({ transport, clock, token, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) } }),
 *   { input: { groupId: 'acme' }, clock },
 * ).start();
 * actor.send({ type: 'CONNECT' });
 */
export const agentMachine = setup({
  types: {
    context: {} as AgentContext,
    events: {} as AgentMachineEvent,
    emitted: {} as AgentEmitted,
    input: {} as AgentMachineInput,
  },
  actors: {
    // Placeholder: createAgent provides the real one.
    socket: fromCallback<AgentSocketCommand, AgentConnectionInput, AgentSocketEvent>(
      ({ sendBack }) => {
        sendBack({
          type: 'socket.closed',
          code: CloseCode.badRequest,
          reason: 'no transport configured',
        });
      },
    ),
  },
  guards: {
    fatalClose: ({ event }) => event.type === 'socket.closed' && isFatalClose(event.code),
    outOfAttempts: ({ context }) => context.attempt + 1 > context.policy.maxAttempts,
  },
  delays: {
    retryDelay: ({ context }) => context.retryDelay,
  },
  actions: {
    ...requestActions,
    ...connectionActions,
  },
}).createMachine({
  id: 'agent',
  initial: 'idle',
  context: ({ input }) => ({
    groupId: input.groupId,
    policy: { ...defaultReconnectPolicy, ...input.reconnect },
    requestTimeoutMs: input.requestTimeoutMs ?? 15_000,
    attempt: 0,
    retryDelay: 0,
    everConnected: false,
    connectionId: undefined,
    nextId: 1,
    pending: new Map(),
    watchGroup: false,
    watchedVisitors: [],
    visitors: EMPTY_VISITORS,
    sync: undefined,
    error: undefined,
    invalidFrames: 0,
  }),
  on: {
    // Outside `connected` there is no hidden queue: requests fail at once.
    REQUEST: { actions: 'refuseRequest' },
    'request.timeout': { actions: 'timeoutRequest' },
    DISCONNECT: { target: '.disconnected', actions: ['forget', 'announceDisconnected'] },
  },
  states: {
    idle: {
      on: { CONNECT: 'online', DISCONNECT: {} },
    },
    online: {
      initial: 'connecting',
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({ groupId: context.groupId }),
      },
      exit: 'failPending',
      on: {
        // Connecting again while online does nothing.
        CONNECT: {},
        'socket.closed': [
          {
            guard: 'fatalClose',
            target: 'refused',
            actions: ['noteClose', 'resetAttempts', 'reportGiveUp'],
          },
          {
            guard: 'outOfAttempts',
            target: 'disconnected',
            actions: ['noteClose', 'resetAttempts', 'reportGiveUp'],
          },
          { target: 'reconnecting', actions: ['noteClose', 'scheduleRetry', 'reportRetry'] },
        ],
        'socket.error': { actions: 'reportServiceError' },
        'socket.invalid': { actions: 'reportInvalidFrame' },
        'socket.sendFailed': { actions: 'settleUnsent' },
      },
      states: {
        connecting: {
          on: { 'socket.welcome': { target: 'connected', actions: 'acceptWelcome' } },
        },
        connected: {
          on: {
            REQUEST: { actions: 'handleRequest' },
            'socket.reply': { actions: 'settleReply' },
            'socket.waking': { actions: 'extendRequest' },
            'socket.event': { actions: 'applyEvent' },
            'sync.retry': { actions: 'retrySync' },
          },
        },
      },
    },
    reconnecting: {
      after: { retryDelay: 'online' },
      // Skips the rest of the wait.
      on: { CONNECT: 'online' },
    },
    disconnected: {
      on: { CONNECT: 'online', DISCONNECT: {} },
    },
    refused: {
      // A fresh token may fix it; only the app knows, so only the app retries.
      on: { CONNECT: 'online' },
    },
  },
});

export type AgentMachine = typeof agentMachine;
