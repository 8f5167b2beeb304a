export type { ReconnectPolicy } from './connection/backoff.js';
export { backoffDelay, defaultReconnectPolicy } from './connection/backoff.js';
export type { Clock } from './connection/clock.js';
export { systemClock } from './connection/clock.js';
export type { Peer, PeerMeta } from './connection/Peer.js';
export type {
  Transport,
  TransportCloseInfo,
  TransportConnection,
  TransportHandlers,
  TransportReadyState,
} from './connection/transport.js';
export { ABNORMAL_CLOSURE } from './connection/transport.js';
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
export type { TokenSource } from './socketActor.js';
export { createSocketActor } from './socketActor.js';
export type {
  VisitorContext,
  VisitorEmitted,
  VisitorEventMap,
  VisitorMachine,
  VisitorMachineEvent,
} from './visitorMachine.js';
export { visitorMachine } from './visitorMachine.js';
export * from './wire/limits.js';
export * from './wire/protocol.js';
