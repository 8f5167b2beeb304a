export {
  createRedisBus,
  type RedisBus,
  type RedisBusOptions,
  type Subscriber,
} from './createRedisBus.js';
export {
  createRedisCluster,
  type RedisCluster,
  type RedisClusterOptions,
} from './createRedisCluster.js';
export {
  createRedisPresence,
  type RedisPresence,
  type RedisPresenceLogger,
  type RedisPresenceOptions,
} from './createRedisPresence.js';
export {
  createRedisRegistry,
  type RedisRegistry,
  type RedisRegistryOptions,
} from './createRedisRegistry.js';
export { createKeys, type Keys } from './keys.js';
export { createNodeId, nodeOf } from './nodeIds.js';
