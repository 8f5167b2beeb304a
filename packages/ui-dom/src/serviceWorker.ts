/**
 * `@beckon/ui-dom/service-worker`: Beckon's part of the app's service worker. It shows the
 * wake-up notification the presence service pushes when an agent asks for a visitor whose
 * page is asleep or closed, and on a click brings the app to the front — an open tab, or a
 * new one — where the waiting consent dialog appears. Nothing is shared without that
 * dialog's Accept: the push carries no request, no agent and nothing about the visitor.
 *
 * The app's worker (`/sw.js`):
 *
 *     import { handleBeckonPush } from '@beckon/ui-dom/service-worker';
 *     handleBeckonPush(self);
 *
 * or, without a bundler, `importScripts('/beckon-sw.js')` (this package's `dist/beckon-sw.js`).
 */

/** What the service pushes: the group's words, and where a click goes. */
interface WakeMessage {
  type: 'beckon.wake';
  v: number;
  title: string;
  body?: string;
  icon?: string;
  url?: string;
}

// The parts of the service worker scope used here, typed without the WebWorker lib (which
// cannot share a program with the DOM lib the rest of the package needs).
interface WindowClientLike {
  readonly url: string;
  readonly focused: boolean;
  readonly visibilityState: string;
  focus(): Promise<unknown>;
  navigate?(url: string): Promise<unknown>;
}
interface NotificationLike {
  readonly data: unknown;
  readonly tag: string;
  close(): void;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  readonly data: { json(): unknown; text(): string } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  readonly notification: NotificationLike;
}
/** The service worker's global scope (`self` in a worker), as far as Beckon uses it. */
export interface BeckonServiceWorkerScope {
  readonly registration: {
    readonly scope: string;
    showNotification(
      title: string,
      options?: NotificationOptions & Record<string, unknown>,
    ): Promise<void>;
  };
  readonly clients: {
    matchAll(options: {
      type: 'window';
      includeUncontrolled: boolean;
    }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(
    type: 'notificationclick',
    listener: (event: NotificationEventLike) => void,
  ): void;
  removeEventListener(type: string, listener: (event: never) => void): void;
}

/** Options of {@link handleBeckonPush}. */
export interface BeckonPushOptions {
  /** The page a click opens when no tab of the app is open. Default: the push's `url`, else the worker's scope. */
  url?: string;
  /** The notification's icon, unless the push names one. */
  icon?: string;
}

/** The tag of Beckon's notifications: a newer one replaces an older one. */
export const BECKON_NOTIFICATION_TAG = 'beckon-request';

function wakeOf(event: PushEventLike): WakeMessage | undefined {
  try {
    const message = event.data?.json() as Partial<WakeMessage> | undefined;
    return message?.type === 'beckon.wake' && typeof message.title === 'string'
      ? (message as WakeMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs Beckon's `push` and `notificationclick` handlers on the worker's scope. Pushes
 * that are not Beckon's, and clicks on other notifications, are left to the app's own
 * handlers. Returns a function that removes them.
 *
 * @example
 * import { handleBeckonPush } from '@beckon/ui-dom/service-worker';
 * declare const self: import('@beckon/ui-dom/service-worker').BeckonServiceWorkerScope;
 * handleBeckonPush(self, { icon: '/icon-192.png' });
 */
export function handleBeckonPush(
  scope: BeckonServiceWorkerScope,
  options: BeckonPushOptions = {},
): () => void {
  const onPush = (event: PushEventLike) => {
    const wake = wakeOf(event);
    if (!wake) return;
    const icon = wake.icon ?? options.icon;
    const url = new URL(
      wake.url ?? options.url ?? scope.registration.scope,
      scope.registration.scope,
    ).href;
    event.waitUntil(
      scope.registration.showNotification(wake.title, {
        tag: BECKON_NOTIFICATION_TAG,
        // Shown again (sound, vibration) when it replaces an older one.
        renotify: true,
        requireInteraction: true,
        ...(wake.body !== undefined && { body: wake.body }),
        ...(icon !== undefined && { icon }),
        data: { beckon: true, url },
      }),
    );
  };

  const onClick = (event: NotificationEventLike) => {
    const data = event.notification.data as { beckon?: unknown; url?: unknown } | null;
    if (data?.beckon !== true) return;
    event.notification.close();
    const url = typeof data.url === 'string' ? data.url : scope.registration.scope;
    event.waitUntil(focusOrOpen(scope, url));
  };

  scope.addEventListener('push', onPush);
  scope.addEventListener('notificationclick', onClick);
  return () => {
    scope.removeEventListener('push', onPush as (event: never) => void);
    scope.removeEventListener('notificationclick', onClick as (event: never) => void);
  };
}

// An open tab of the app is better than a new one: the visitor's page there is already
// connected (or reconnects on focus) and shows the dialog. The most recently focused
// candidate comes first in matchAll's answer.
async function focusOrOpen(scope: BeckonServiceWorkerScope, url: string): Promise<void> {
  const tabs = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const inScope = tabs.filter((tab) => tab.url.startsWith(scope.registration.scope));
  const tab =
    inScope.find((t) => t.focused) ??
    inScope.find((t) => t.visibilityState === 'visible') ??
    inScope[0];
  if (tab) {
    await tab.focus();
    return;
  }
  await scope.clients.openWindow(url);
}
