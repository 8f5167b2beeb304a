/**
 * Contract suites for the seams of the presence service, for anyone implementing a
 * `PresenceRegistry` or a `PresenceBus` of their own (the in-memory and Redis ones run them).
 * They are vitest suites: import them from a test file.
 *
 * @example
 * import { registryContract } from '@beckon/server/testing';
 * registryContract('my store', () => createMyRegistry());
 */
export { type BusFixture, busContract } from './busContract.js';
export { listAll } from './listAll.js';
export { registryContract } from './registryContract.js';
