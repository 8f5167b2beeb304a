export type * from './bus/BusMessage.js';
export { createMemoryBus, type MemoryBusOptions } from './bus/createMemoryBus.js';
export type { ConnectionHandler, PresenceBus, TopicHandler } from './bus/PresenceBus.js';
export type * from './bus/SessionBusMessage.js';
export type {
  ClusterMember,
  ClusterStatus,
  PresenceBackend,
  PresenceCluster,
} from './cluster/PresenceCluster.js';
export { createMemoryRegistry } from './createMemoryRegistry.js';
export { type Counter, createMetrics, METRIC_NAMES, type Metrics } from './createMetrics.js';
export {
  createPresenceHub,
  type PresenceHub,
  type PresenceHubOptions,
} from './createPresenceHub.js';
export {
  createPresenceServer,
  type PresenceServer,
  type PresenceServerOptions,
} from './createPresenceServer.js';
export type { RateLimit } from './hub/rateLimiter.js';
export { type MintAgentTokenOptions, mintAgentToken } from './mintAgentToken.js';
export { type MintVisitorTokenOptions, mintVisitorToken } from './mintVisitorToken.js';
export type * from './PresenceRegistry.js';
export {
  ConfigError,
  type GroupConfig,
  type GroupsConfig,
  parseGroupsConfig,
} from './parseGroupsConfig.js';
export { createMemorySessionStore } from './session/createMemorySessionStore.js';
export type { SessionPeer } from './session/SessionConn.js';
export type { SessionRecord, SessionStore, TicketClaims } from './session/SessionStore.js';
export type { SessionFrameTap, SessionOptions } from './session/sessionSettings.js';
export { createWebhookSecret } from './webhooks/signWebhook.js';
export type { WebhookEndpoint } from './webhooks/webhookConfig.js';
export type { WebhookDeliveryOptions } from './webhooks/webhookSettings.js';
