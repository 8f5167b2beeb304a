import type { createPushActors } from './createPushActors.js';

/**
 * A browser's Web Push subscription as the service needs it: where to send, and the keys to
 * encrypt with (`PushSubscription.toJSON()`, less the `null`s the protocol leaves out).
 */
export interface PushSubscriptionData {
  /** The push service's URL for this browser. */
  endpoint: string;
  /** When the browser lets the subscription lapse (ms since the epoch), if it says. */
  expiresAt?: number;
  keys: { p256dh: string; auth: string };
}

/**
 * Why push cannot be turned on: the browser cannot do it (`unsupported`: no service
 * worker, no Push API, an iPhone's Safari outside a home-screen app), the visitor said no
 * (`denied`), or something else went wrong (`failed`: the service worker did not
 * register, the push service was unreachable).
 */
export type PushFailureReason = 'unsupported' | 'denied' | 'failed';

/** What a {@link PushProvider} rejects with; any other error counts as `failed`. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly reason: PushFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a push provider does on its platform; {@link definePushProvider} turns it into the
 * {@link PushProvider} that `createVisitor({ push })` takes.
 */
export interface PushProviderSpec {
  /**
   * Asks for permission to show notifications (if not granted yet) and subscribes this
   * browser with the group's VAPID public key (URL-safe base64). Rejects with a
   * {@link PushError} saying why not.
   */
  subscribe(vapidPublicKey: string): Promise<PushSubscriptionData>;
  /** Ends this browser's subscription, if it has one. */
  unsubscribe(): Promise<void>;
}

/**
 * The contract of Web Push on the visitor's side, injected like the transport, the consent
 * UI and the session provider: `createVisitor({ push })`. Core decides when (the app's
 * `enablePush()`, with the group's key from the service) and tells the service; the
 * provider does the platform's part. Make one with `definePushProvider`, which brings core's
 * push actors along, so an app without push never bundles them. `webPush({ serviceWorker })`
 * of `@beckon/ui-dom` is the browser's.
 *
 * @example
 * const push = definePushProvider({
 *   subscribe: async (vapidPublicKey) => mySubscribe(vapidPublicKey),
 *   unsubscribe: async () => myUnsubscribe(),
 * });
 */
export interface PushProvider extends PushProviderSpec {
  /** Core's side of the provider: the visitor machine's `push` and `pushRemoval` actors. */
  readonly runtime: () => ReturnType<typeof createPushActors>;
}
