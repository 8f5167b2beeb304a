/**
 * `@beckon/core/agent`: the agent side of One-Click Connect. Imports nothing of the visitor
 * machine, so an agent console's bundle carries only what it uses
 * (`test/agent.imports.test.ts` holds this entry to that).
 */
export type { ReconnectPolicy } from '../connection/backoff.js';
export { backoffDelay, defaultReconnectPolicy } from '../connection/backoff.js';
export type { Clock } from '../connection/clock.js';
export { systemClock } from '../connection/clock.js';
export type {
  Transport,
  TransportCloseInfo,
  TransportConnection,
  TransportHandlers,
  TransportReadyState,
} from '../connection/transport.js';
export { ABNORMAL_CLOSURE } from '../connection/transport.js';
export type {
  AgentEvent as AgentLiveEvent,
  FromAgent,
  ToAgent,
  VisitorSummary,
} from '../wire/protocol.js';
export { CloseCode, ErrorCode, isFatalClose, PROTOCOL_VERSION } from '../wire/protocol.js';
export type { AgentRequestErrorOptions } from './AgentRequestError.js';
export { AgentRequestError } from './AgentRequestError.js';
export type {
  AgentCommand,
  AgentConnectionError,
  AgentContext,
  AgentEmitted,
  AgentErrorSource,
  AgentEventMap,
  AgentMachine,
  AgentMachineEvent,
  AgentMachineInput,
  Delivery,
} from './agentMachine.js';
export { agentMachine } from './agentMachine.js';
export type {
  AgentSocketActorOptions,
  AgentSocketCommand,
  AgentSocketEvent,
  AgentSocketInput,
  AgentTokenSource,
} from './agentSocketActor.js';
export { createAgentSocketActor } from './agentSocketActor.js';
export type {
  Agent,
  AgentEventOf,
  AgentEventType,
  AgentOptions,
  AgentState,
  AgentStatus,
} from './createAgent.js';
export { createAgent } from './createAgent.js';
