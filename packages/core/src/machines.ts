/**
 * `@beckon/core/machines`: the machinery under `createVisitor` and `createAgent`, for
 * swapping actors with `.provide()`, model-based tests (`xstate/graph`) and watching the
 * machines in the XState inspector. Apps do not need it; its shapes may change between
 * minor versions more readily than the root's.
 */

export type {
  AgentConnectionInput,
  AgentSocketCommand,
  AgentSocketEvent,
} from './agent/agentConnection.js';
export { agentRole, createAgentConnection } from './agent/agentConnection.js';
export type {
  AgentCommand,
  AgentContext,
  AgentMachineEvent,
  AgentMachineInput,
} from './agent/agentContext.js';
export type { AgentEmitted } from './agent/agentEvents.js';
export type { AgentMachine } from './agent/agentMachine.js';
export { agentMachine } from './agent/agentMachine.js';
export { backoffDelay, defaultReconnectPolicy } from './connection/backoff.js';
export type {
  ConnectionActorOptions,
  ConnectionCommand,
  ConnectionEvent,
  ConnectionRole,
} from './connection/createConnectionActor.js';
export { createConnectionActor } from './connection/createConnectionActor.js';
export type { ConsentEvent } from './consent/consentActor.js';
export { createConsentActor } from './consent/consentActor.js';
export type { PushActorEvent } from './push/createPushActors.js';
export { createPushActors } from './push/createPushActors.js';
export type {
  SessionActorCommand,
  SessionActorEvent,
  SessionActorInput,
  SessionActorOptions,
} from './session/createSessionActor.js';
export { createSessionActor } from './session/createSessionActor.js';
export type { VisitorCommand } from './visitor/visitorCommands.js';
export type {
  VisitorConnectionInput,
  VisitorSocketCommand,
  VisitorSocketEvent,
} from './visitor/visitorConnection.js';
export { createVisitorConnection, visitorRole } from './visitor/visitorConnection.js';
export type {
  PendingRequest,
  VisitorContext,
  VisitorMachineEvent,
  VisitorMachineInput,
} from './visitor/visitorContext.js';
export type { VisitorEmitted } from './visitor/visitorEvents.js';
export type { VisitorMachine } from './visitor/visitorMachine.js';
export { visitorMachine } from './visitor/visitorMachine.js';
export type { ConnectionStatus } from './visitor/visitorState.js';
