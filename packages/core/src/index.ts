export type { ReconnectPolicy } from './backoff.js';
export { backoffDelay, defaultReconnectPolicy } from './backoff.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type { ConsentDecision, ConsentRequest, ConsentUI } from './consentUI.js';
export type { ConsentPrompt, ConsentPromptState } from './createConsentPrompt.js';
export { createConsentPrompt } from './createConsentPrompt.js';
export type {
  ConnectionStatus,
  TermsStatusState,
  Visitor,
  VisitorEvent,
  VisitorEventType,
  VisitorOptions,
  VisitorState,
} from './createVisitor.js';
export { createVisitor } from './createVisitor.js';
export * from './limits.js';
export * from './protocol.js';
export type { TokenSource } from './socketActor.js';
export { createSocketActor } from './socketActor.js';
export type {
  Transport,
  TransportCloseInfo,
  TransportConnection,
  TransportHandlers,
  TransportReadyState,
} from './transport.js';
export { ABNORMAL_CLOSURE } from './transport.js';
export type {
  VisitorContext,
  VisitorEmitted,
  VisitorEventMap,
  VisitorMachine,
  VisitorMachineEvent,
} from './visitorMachine.js';
export { visitorMachine } from './visitorMachine.js';
