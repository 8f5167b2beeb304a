import {
  definePushProvider,
  PushError,
  type PushProvider,
  type PushSubscriptionData,
} from '@beckon/core';

/** Options of {@link webPush}. */
export interface WebPushOptions {
  /**
   * The URL of the app's service worker script, which imports Beckon's worker code
   * (`@beckon/ui-dom/service-worker`, or `importScripts` of the built `beckon-sw.js`).
   */
  serviceWorker: string | URL;
  /** The worker's scope; default the browser's (the script's folder). */
  scope?: string;
  /** Register the worker as an ES module (`type: 'module'`). Default false: a classic script. */
  module?: boolean;
  /** The navigator to use. Default the global one (tests pass their own). */
  navigator?: Navigator;
  /** The Notification API to ask permission with. Default the global `Notification`. */
  notification?: Pick<typeof Notification, 'permission' | 'requestPermission'>;
}

/** The browser's Web Push, as `createVisitor({ push })` takes it, plus what an app may ask first. */
export interface WebPush extends PushProvider {
  /** Whether this browser can do Web Push here at all (service workers, Push API, notifications). */
  supported(): boolean;
  /** The notification permission: `granted`, `denied`, `default` (not asked yet), or `unsupported`. */
  permission(): NotificationPermission | 'unsupported';
}

const KNOWN = new Set(['serviceWorker', 'scope', 'module', 'navigator', 'notification']);

function bytesOf(base64url: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

// The worker must be active before the Push API takes a subscription.
function activated(registration: ServiceWorkerRegistration): Promise<void> {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing ?? registration.waiting;
  if (!worker) return Promise.reject(new PushError('failed', 'the service worker did not install'));
  return new Promise((resolve, reject) => {
    const changed = () => {
      if (worker.state === 'activated') {
        worker.removeEventListener('statechange', changed);
        resolve();
      } else if (worker.state === 'redundant') {
        worker.removeEventListener('statechange', changed);
        reject(new PushError('failed', 'the service worker failed to install'));
      }
    };
    worker.addEventListener('statechange', changed);
  });
}

/**
 * Web Push in the browser for `createVisitor({ push })`: registers the app's service worker,
 * asks for notification permission and subscribes with the group's VAPID key when the
 * visitor's app calls `enablePush()` — never before, so the browser asks at a moment the app
 * chose (a user gesture), not on page load. Failures are typed: `unsupported` (no service
 * worker or Push API here — e.g. Safari on an iPhone outside a home-screen app), `denied`,
 * `failed`.
 *
 * @throws {TypeError} for a missing `serviceWorker` URL or an unknown option.
 *
 * @example
 * import { createVisitor } from '@beckon/core';
 * import { webSocketTransport } from '@beckon/transport-ws';
 * import { webPush } from '@beckon/ui-dom';
 *
 * const push = webPush({ serviceWorker: '/sw.js' });
 * const visitor = createVisitor({ transport: webSocketTransport({ url: 'wss://presence.example.com/' }), push });
 * visitor.on('initialized', () => visitor.connect({ pushNotifications: true }));
 * document.querySelector('#notify')?.addEventListener('click', () => visitor.enablePush());
 */
export function webPush(options: WebPushOptions): WebPush {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('webPush: pass { serviceWorker: "/sw.js" }');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`webPush: unknown option "${key}"`);
  }
  if (typeof options.serviceWorker !== 'string' && !(options.serviceWorker instanceof URL)) {
    throw new TypeError(
      "webPush: options.serviceWorker must be the URL of the app's service worker",
    );
  }
  const nav = () => options.navigator ?? (globalThis.navigator as Navigator | undefined);
  const notification = () =>
    options.notification ?? (globalThis as { Notification?: typeof Notification }).Notification;
  const supported = () => {
    const n = nav();
    return (
      n !== undefined &&
      'serviceWorker' in n &&
      n.serviceWorker !== undefined &&
      notification() !== undefined &&
      (options.navigator !== undefined || 'PushManager' in globalThis)
    );
  };
  const registration = async () => {
    const container = nav()?.serviceWorker as ServiceWorkerContainer;
    try {
      return await container.register(options.serviceWorker, {
        ...(options.scope !== undefined && { scope: options.scope }),
        ...(options.module === true && { type: 'module' as const }),
      });
    } catch (error) {
      throw new PushError(
        'failed',
        `the service worker did not register: ${(error as Error).message}`,
      );
    }
  };

  const provider = definePushProvider({
    async subscribe(vapidPublicKey) {
      if (!supported()) {
        throw new PushError(
          'unsupported',
          'this browser has no Web Push here (service workers, the Push API and notifications are needed)',
        );
      }
      const api = notification() as NonNullable<ReturnType<typeof notification>>;
      if (api.permission === 'denied') {
        throw new PushError('denied', 'notifications are blocked for this site');
      }
      const reg = await registration();
      await activated(reg);
      if (api.permission !== 'granted' && (await api.requestPermission()) !== 'granted') {
        throw new PushError('denied', 'the visitor did not allow notifications');
      }
      const key = bytesOf(vapidPublicKey);
      let subscription = await reg.pushManager.getSubscription();
      // A subscription made with another key (the group's key changed) cannot be used.
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      if (!subscription) {
        try {
          subscription = await reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: key,
          });
        } catch (error) {
          const name = (error as { name?: string }).name;
          throw new PushError(
            name === 'NotAllowedError' ? 'denied' : 'failed',
            `the browser did not subscribe: ${(error as Error).message}`,
          );
        }
      }
      const json = subscription.toJSON();
      const data: PushSubscriptionData = {
        endpoint: json.endpoint ?? subscription.endpoint,
        keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      };
      // The protocol leaves out what has no value; browsers say null.
      if (typeof json.expirationTime === 'number') data.expiresAt = json.expirationTime;
      return data;
    },

    async unsubscribe() {
      if (!supported()) return;
      const container = nav()?.serviceWorker as ServiceWorkerContainer;
      const reg = await container.getRegistration(options.scope ?? String(options.serviceWorker));
      const subscription = await reg?.pushManager.getSubscription();
      await subscription?.unsubscribe();
    },
  });
  return {
    ...provider,
    supported,
    permission: () => (supported() ? (notification()?.permission ?? 'default') : 'unsupported'),
  };
}
