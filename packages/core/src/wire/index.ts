/**
 * `@beckon/core/protocol`: the wire protocol on its own — message schemas, `parseMessage`
 * and `encodeMessage`, close and error codes, and the input limits with their checks. The
 * presence service, transports and tools import this; apps rarely need it.
 * `docs/protocol.md` describes the same in prose.
 */
export * from './codes.js';
export * from './httpApi.js';
export * from './limits.js';
export * from './protocol.js';
export { checkPushSubscription } from './pushSubscription.js';
export * from './sessionProtocol.js';
export { checkTermsUrl } from './termsUrl.js';
