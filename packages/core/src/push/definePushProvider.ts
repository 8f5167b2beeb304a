import { createPushActors } from './createPushActors.js';
import type { PushProvider, PushProviderSpec } from './PushProvider.js';

/**
 * Makes a push provider for `createVisitor({ push })` from its platform part: core runs it
 * when the app turns push on (`enablePush()`) or off, with the group's key from the service.
 * Provider packages (`webPush` of `@beckon/ui-dom`) call it for you.
 *
 * @throws {TypeError} when `spec` lacks `subscribe` or `unsubscribe`.
 *
 * @example
 * import { definePushProvider, PushError } from '@beckon/core';
 *
 * // A platform without Web Push: every attempt says so, typed.
 * const noPush = definePushProvider({
 *   subscribe: async () => {
 *     throw new PushError('unsupported', 'no push on this platform');
 *   },
 *   unsubscribe: async () => {},
 * });
 */
export function definePushProvider(spec: PushProviderSpec): PushProvider {
  if (
    typeof spec !== 'object' ||
    spec === null ||
    typeof spec.subscribe !== 'function' ||
    typeof spec.unsubscribe !== 'function'
  ) {
    throw new TypeError(
      'definePushProvider: the provider needs subscribe(vapidPublicKey) and unsubscribe() functions',
    );
  }
  // Called as methods, so a provider written as a class keeps its `this`.
  const platform: PushProviderSpec = {
    subscribe: (key) => spec.subscribe(key),
    unsubscribe: () => spec.unsubscribe(),
  };
  return { ...platform, runtime: () => createPushActors(platform) };
}
