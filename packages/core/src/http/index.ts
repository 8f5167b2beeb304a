/**
 * `@beckon/core/http`: for backends that integrate over HTTP — a typed client of the HTTP
 * agent API (`createHttpAgent`) and the webhook check for receivers (`verifyWebhook`). It
 * needs only `fetch` and WebCrypto, so it runs in Node, workers and browsers alike, and
 * pulls no Node built-in into a bundle. `docs/http-api.md` describes both.
 */
export type {
  Delivered,
  EndSessionBody,
  Problem,
  ProblemCode,
  SessionEnded,
  ShowTermsBody,
  SignalBody,
  VisitorPage,
  WebhookEvent,
  WebhookEventType,
} from '../wire/httpApi.js';
export type { VisitorSummary } from '../wire/protocol.js';
export { createHttpAgent, type HttpAgent, type HttpAgentOptions } from './createHttpAgent.js';
export { HttpApiError, type HttpApiErrorOptions } from './HttpApiError.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './verifyWebhook.js';
