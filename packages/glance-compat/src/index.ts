/**
 * `@beckon/glance-compat`: pages written for Glance's web Presence API run on Beckon. The
 * names and shapes are the original's — `GLANCE.Presence.Visitor`, `GLANCE.Presence.Agent`,
 * `GLANCE.Authorization` — and the script-tag builds (`dist/glance-presence-visitor.js`,
 * `dist/glance-presence-agent.js`) put them on `window.GLANCE`. docs/migrating-from-glance.md
 * maps every call and says what differs.
 */
export { Authorization, type AuthorizeParams } from './Authorization.js';
export {
  type GlanceConfig,
  glanceDefaults,
  readGlanceConfig,
  setGlanceDefaults,
} from './glanceConfig.js';
export {
  type Callbacks,
  errorCode,
  type GlanceVisitorData,
  INVOKABLE,
  PresenceAgent,
  type PresenceAgentParams,
  toVisitorData,
} from './PresenceAgent.js';
export {
  type GlanceError,
  PresenceVisitor,
  type PresenceVisitorParams,
} from './PresenceVisitor.js';
export {
  decodeData,
  encodeData,
  type GlanceData,
  type PageFacts,
  pageFacts,
} from './presenceData.js';
