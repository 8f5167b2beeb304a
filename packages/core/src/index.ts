/**
 * `@beckon/core`: what a visitor app uses — `createVisitor` with its options, events and
 * state; the contracts it plugs into (transport, consent UI, session provider, the
 * service's peer, clock);
 * and the consent helpers every consent UI shares (prompt, strings, the terms-URL rule).
 *
 * The agent client is `@beckon/core/agent`, the wire protocol `@beckon/core/protocol`, and
 * the state machines (for `.provide()`, model tests and the inspector) `@beckon/core/machines`.
 */
export type { ReconnectPolicy } from './connection/backoff.js';
export type { ClientOptions } from './connection/clientOptions.js';
export type { Clock } from './connection/clock.js';
export { systemClock } from './connection/clock.js';
export type { TokenSource } from './connection/createConnectionActor.js';
export type { Peer, PeerMeta } from './connection/Peer.js';
export type {
  Transport,
  TransportCloseInfo,
  TransportConnection,
  TransportHandlers,
  TransportReadyState,
} from './connection/transport.js';
export type { ConsentLocale, ConsentStrings } from './consent/consentStrings.js';
export {
  consentStrings,
  pickConsentLocale,
  resolveConsentStrings,
} from './consent/consentStrings.js';
export type { ConsentDecision, ConsentRequest, ConsentUI } from './consent/consentUI.js';
export type { ConsentPrompt, ConsentPromptState } from './consent/createConsentPrompt.js';
export { createConsentPrompt } from './consent/createConsentPrompt.js';
export { definePushProvider } from './push/definePushProvider.js';
export type {
  PushFailureReason,
  PushProvider,
  PushProviderSpec,
  PushSubscriptionData,
} from './push/PushProvider.js';
export { PushError } from './push/PushProvider.js';
export { defineSessionProvider } from './session/defineSessionProvider.js';
export type {
  SessionContext,
  SessionEventMap,
  SessionEventType,
  SessionProvider,
  SessionProviderSpec,
  SessionRun,
} from './session/SessionProvider.js';
export type { Visitor, VisitorOptions } from './visitor/createVisitor.js';
export { createVisitor } from './visitor/createVisitor.js';
export type {
  VisitorEvent,
  VisitorEventMap,
  VisitorEventType,
} from './visitor/visitorEvents.js';
export type {
  ConnectionStatus,
  PushStatus,
  TermsStatusState,
  VisitorState,
} from './visitor/visitorState.js';
export type { SessionMessageKind } from './wire/sessionProtocol.js';
export { safeTermsUrl } from './wire/termsUrl.js';
