/**
 * `@beckon/core/agent`: the agent side of One-Click Connect. Imports nothing of the visitor
 * machine, so an agent console's bundle carries only what it uses (`test/layers.test.ts`
 * holds this entry to that). The contracts it plugs into (`Transport`, `Clock`,
 * `TokenSource`) are types of `@beckon/core`.
 */

export type {
  AgentSession,
  AgentSessionEventMap,
  AgentSessionEventType,
  AgentSessionState,
} from '../session/createAgentSession.js';
export type { SessionMessage } from '../session/sessionChunks.js';
export type { AgentLiveEvent, VisitorSummary } from '../wire/protocol.js';
export type { AgentRequestErrorOptions } from './AgentRequestError.js';
export { AgentRequestError } from './AgentRequestError.js';
export type { AgentConnectionError } from './agentContext.js';
export type { AgentErrorSource, AgentEventMap } from './agentEvents.js';
export type {
  Agent,
  AgentEvent,
  AgentEventType,
  AgentOptions,
  AgentState,
  AgentStatus,
} from './createAgent.js';
export { createAgent } from './createAgent.js';
export type { Delivery, SessionTicket } from './interpretReply.js';
