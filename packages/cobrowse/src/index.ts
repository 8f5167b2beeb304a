/**
 * `@beckon/cobrowse`: a co-browse session for Beckon. The visitor's page, recorded with
 * rrweb and private by default, streamed live to the agents watching it; a Stop banner on
 * the visitor's page and the agent's pointer. The agent's side is `@beckon/cobrowse/viewer`.
 */
export type { AgentPointer, PointerMessage } from './agentPointer.js';
export { createAgentPointer, parsePointer } from './agentPointer.js';
export type { CobrowseOptions, CobrowseSession } from './cobrowseSession.js';
export { cobrowseSession, RESUME_KEY } from './cobrowseSession.js';
export type { EventEncoding } from './codec.js';
export { decodeEvents, encodeEvents } from './codec.js';
export type { PrivacyOptions } from './privacy.js';
export {
  MASK_ATTRIBUTE,
  OVERLAY_ATTRIBUTE,
  PRIVATE_ATTRIBUTE,
  recordPrivacy,
  UNMASK_ATTRIBUTE,
} from './privacy.js';
export type { SessionBanner, SessionBannerOptions } from './sessionBanner.js';
export { createSessionBanner } from './sessionBanner.js';
