import { PushError } from '@beckon/core';
import { describe, expect, it, vi } from 'vitest';
import { webPush } from '../src/index.js';
import { type BeckonServiceWorkerScope, handleBeckonPush } from '../src/serviceWorker.js';

// Without internet access no browser's push service is reachable, so the real
// pushManager.subscribe() cannot complete in a test: here it is a stand-in that records what
// webPush() asks of it. (The Chromium tests run the real service worker and notifications.)

const KEY =
  'BID_pbD_s3Ymen4uw5MPAvF91nXrm4hQy7HQvPaYRrFkC3h0NCuSTV2AdhV_FRrTfCoI9iQA-TVlMUlmVV6o2s4';
const keyBytes = () => Uint8Array.from(Buffer.from(KEY, 'base64url'));

function fakeBrowser(
  options: {
    permission?: NotificationPermission;
    answer?: NotificationPermission;
    existingKey?: Uint8Array;
    subscribeError?: Error;
  } = {},
) {
  const calls: string[] = [];
  let current: { key: Uint8Array; unsubscribed: boolean } | undefined = options.existingKey
    ? { key: options.existingKey, unsubscribed: false }
    : undefined;
  const asSubscription = (sub: { key: Uint8Array; unsubscribed: boolean }) => ({
    endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
    options: { applicationServerKey: sub.key.buffer },
    toJSON: () => ({
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
      expirationTime: null,
      keys: { p256dh: KEY, auth: 'wLlozSI968YM49UFinNC2g' },
    }),
    unsubscribe: async () => {
      calls.push('unsubscribe');
      sub.unsubscribed = true;
      current = undefined;
      return true;
    },
  });
  const pushManager = {
    getSubscription: async () => (current ? asSubscription(current) : null),
    subscribe: vi.fn(async (o: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => {
      calls.push('subscribe');
      if (options.subscribeError) throw options.subscribeError;
      current = { key: new Uint8Array(o.applicationServerKey), unsubscribed: false };
      return asSubscription(current);
    }),
  };
  const registration = { active: {}, pushManager };
  const notification = {
    permission: options.permission ?? 'default',
    requestPermission: vi.fn(async () => {
      calls.push('requestPermission');
      notification.permission = options.answer ?? 'granted';
      return notification.permission;
    }),
  };
  const navigator = {
    serviceWorker: {
      register: vi.fn(async (url: string, o: object) => {
        calls.push(`register ${url} ${JSON.stringify(o)}`);
        return registration;
      }),
      getRegistration: async () => registration,
    },
  } as unknown as Navigator;
  return {
    navigator,
    notification: notification as unknown as typeof Notification,
    pushManager,
    calls,
  };
}

const env = (browser: ReturnType<typeof fakeBrowser>) => ({
  navigator: browser.navigator,
  notification: browser.notification,
});

describe('webPush', () => {
  it('registers the worker, asks permission, then subscribes with the group key, user-visible', async () => {
    const browser = fakeBrowser();
    const push = webPush({ serviceWorker: '/sw.js', scope: '/', ...env(browser) });
    expect(push.supported()).toBe(true);
    expect(push.permission()).toBe('default');
    const subscription = await push.subscribe(KEY);
    expect(browser.calls).toEqual([
      'register /sw.js {"scope":"/"}',
      'requestPermission',
      'subscribe',
    ]);
    expect(browser.pushManager.subscribe).toHaveBeenCalledWith({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(),
    });
    // expirationTime: null is left out, as the protocol wants.
    expect(subscription).toEqual({
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
      keys: { p256dh: KEY, auth: 'wLlozSI968YM49UFinNC2g' },
    });
    expect(push.permission()).toBe('granted');
  });

  it('reuses a subscription made with the same key; replaces one made with another', async () => {
    const same = fakeBrowser({ permission: 'granted', existingKey: keyBytes() });
    await webPush({ serviceWorker: '/sw.js', ...env(same) }).subscribe(KEY);
    expect(same.calls.filter((c) => !c.startsWith('register'))).toEqual([]);
    const other = fakeBrowser({ permission: 'granted', existingKey: new Uint8Array(65).fill(4) });
    await webPush({ serviceWorker: '/sw.js', ...env(other) }).subscribe(KEY);
    expect(other.calls.filter((c) => !c.startsWith('register'))).toEqual([
      'unsubscribe',
      'subscribe',
    ]);
  });

  it('fails typed: denied (blocked, refused, or NotAllowedError), unsupported, failed', async () => {
    const reasonOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof PushError ? e.reason : `untyped: ${String(e)}`),
      );
    const blocked = fakeBrowser({ permission: 'denied' });
    expect(
      await reasonOf(webPush({ serviceWorker: '/sw.js', ...env(blocked) }).subscribe(KEY)),
    ).toBe('denied');
    expect(blocked.calls).toEqual([]);
    const refused = fakeBrowser({ answer: 'denied' });
    expect(
      await reasonOf(webPush({ serviceWorker: '/sw.js', ...env(refused) }).subscribe(KEY)),
    ).toBe('denied');
    expect(refused.pushManager.subscribe).not.toHaveBeenCalled();
    const notAllowed = Object.assign(new Error('Registration failed - permission denied'), {
      name: 'NotAllowedError',
    });
    const prompt = fakeBrowser({ permission: 'granted', subscribeError: notAllowed });
    expect(
      await reasonOf(webPush({ serviceWorker: '/sw.js', ...env(prompt) }).subscribe(KEY)),
    ).toBe('denied');
    const offline = fakeBrowser({
      permission: 'granted',
      subscribeError: new Error('push service not available'),
    });
    expect(
      await reasonOf(webPush({ serviceWorker: '/sw.js', ...env(offline) }).subscribe(KEY)),
    ).toBe('failed');
    const bare = webPush({ serviceWorker: '/sw.js', navigator: {} as Navigator });
    expect(bare.supported()).toBe(false);
    expect(bare.permission()).toBe('unsupported');
    expect(await reasonOf(bare.subscribe(KEY))).toBe('unsupported');
  });

  it('unsubscribes this browser', async () => {
    const browser = fakeBrowser({ permission: 'granted', existingKey: keyBytes() });
    await webPush({ serviceWorker: '/sw.js', ...env(browser) }).unsubscribe();
    expect(browser.calls).toEqual(['unsubscribe']);
  });

  it('refuses setup mistakes at once', () => {
    expect(() => webPush({} as never)).toThrow(/serviceWorker/);
    expect(() => webPush({ serviceWorker: '/sw.js', sw: 1 } as never)).toThrow(
      /unknown option "sw"/,
    );
  });
});

describe('handleBeckonPush (the service worker part)', () => {
  function fakeScope(tabs: { url: string; focused?: boolean; visibilityState?: string }[] = []) {
    const listeners = new Map<string, (event: never) => void>();
    const shown: { title: string; options: Record<string, unknown> }[] = [];
    const focused: string[] = [];
    const opened: string[] = [];
    const scope: BeckonServiceWorkerScope = {
      registration: {
        scope: 'https://shop.test/',
        showNotification: async (title, options) => {
          shown.push({ title, options: options as Record<string, unknown> });
        },
      },
      clients: {
        matchAll: async () =>
          tabs.map((t) => ({
            url: t.url,
            focused: t.focused ?? false,
            visibilityState: t.visibilityState ?? 'hidden',
            focus: async () => focused.push(t.url),
          })),
        openWindow: async (url) => opened.push(url),
      },
      addEventListener: (type: string, listener: (event: never) => void) =>
        listeners.set(type, listener),
      removeEventListener: (type: string) => listeners.delete(type),
    } as BeckonServiceWorkerScope;
    const fire = async (type: string, event: object) => {
      const waits: Promise<unknown>[] = [];
      listeners.get(type)?.({
        ...event,
        waitUntil: (p: Promise<unknown>) => waits.push(p),
      } as never);
      await Promise.all(waits);
      return waits.length;
    };
    return { scope, listeners, shown, focused, opened, fire };
  }
  const pushOf = (message: unknown) => ({
    data: { json: () => message, text: () => JSON.stringify(message) },
  });

  it("shows the group's notification for Beckon's push, and only for it", async () => {
    const sw = fakeScope();
    handleBeckonPush(sw.scope, { icon: '/icon.png' });
    await sw.fire(
      'push',
      pushOf({
        type: 'beckon.wake',
        v: 1,
        title: 'Support would like to help you',
        body: 'Tap to continue',
      }),
    );
    expect(sw.shown).toEqual([
      {
        title: 'Support would like to help you',
        options: {
          tag: 'beckon-request',
          renotify: true,
          requireInteraction: true,
          body: 'Tap to continue',
          icon: '/icon.png',
          data: { beckon: true, url: 'https://shop.test/' },
        },
      },
    ]);
    expect(await sw.fire('push', pushOf({ type: 'app.news', title: 'Sale' }))).toBe(0);
    expect(
      await sw.fire('push', {
        data: {
          json: () => {
            throw new SyntaxError('not JSON');
          },
        },
      }),
    ).toBe(0);
    expect(sw.shown).toHaveLength(1);
  });

  it('a click focuses an open tab of the app, the focused or visible one first; else opens one', async () => {
    const open = fakeScope([
      { url: 'https://other.test/' },
      { url: 'https://shop.test/cart.html' },
      { url: 'https://shop.test/', visibilityState: 'visible' },
    ]);
    handleBeckonPush(open.scope);
    const notification = {
      data: { beckon: true, url: 'https://shop.test/' },
      tag: 'beckon-request',
      close: vi.fn(),
    };
    await open.fire('notificationclick', { notification });
    expect(notification.close).toHaveBeenCalled();
    expect(open.focused).toEqual(['https://shop.test/']);
    expect(open.opened).toEqual([]);

    const none = fakeScope([{ url: 'https://other.test/' }]);
    handleBeckonPush(none.scope);
    await none.fire('notificationclick', {
      notification: { ...notification, data: { beckon: true, url: 'https://shop.test/help.html' } },
    });
    expect(none.opened).toEqual(['https://shop.test/help.html']);
    // The app's own notifications are the app's.
    expect(
      await none.fire('notificationclick', { notification: { ...notification, data: { app: 1 } } }),
    ).toBe(0);
  });

  it('removes its handlers when asked', () => {
    const sw = fakeScope();
    const off = handleBeckonPush(sw.scope);
    expect([...sw.listeners.keys()]).toEqual(['push', 'notificationclick']);
    off();
    expect(sw.listeners.size).toBe(0);
  });
});
