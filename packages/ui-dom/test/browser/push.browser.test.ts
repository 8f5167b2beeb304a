import { createECDH } from 'node:crypto';
import { PROTOCOL_VERSION } from '@beckon/core/protocol';
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  type PushServiceStub,
  startPushServiceStub,
} from '../../../server/test/pushServiceStub.js';
import { buildIife, buildServiceWorker } from '../../scripts/build-iife.mjs';
import { launchChromium } from './launchChromium.js';
import { BUNDLE_PATH, pushPage, SERVICE_WORKER_PATH, TERMS_PAGE } from './pages.js';
import { type Backend, GROUP_ID, startBackend } from './startBackend.js';
import { type StaticServer, startStaticServer } from './startStaticServer.js';

// Web Push in real Chromium, from the agent's click to the visitor's Accept: the service
// posts the wake-up to a push service of the test's own (which decrypts it), the test hands
// that very payload to the browser through the DevTools protocol (no browser push service is
// reachable offline), the real service worker shows the notification, and its click handling
// brings the app back, where the consent dialog waits.

let browser: Browser;
let backend: Backend;
let site: StaticServer;
let stub: PushServiceStub;
let context: BrowserContext | undefined;
let n = 0;

const waitFor = <T>(check: () => T | Promise<T>, timeout = 5_000) =>
  vi.waitFor(check, { timeout, interval: 25 });

beforeAll(async () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const publicKey = ecdh.getPublicKey().toString('base64url');
  stub = await startPushServiceStub({ vapidPublicKey: publicKey });
  const [bundle, worker, b] = await Promise.all([
    buildIife({ write: false }),
    buildServiceWorker({ write: false }),
    launchChromium(),
  ]);
  browser = b;
  site = await startStaticServer({ [BUNDLE_PATH]: bundle, '/terms': TERMS_PAGE });
  backend = await startBackend({
    graceMs: 200,
    pushWaitMs: 20_000,
    push: {
      vapid: {
        publicKey,
        privateKey: ecdh.getPrivateKey().toString('base64url'),
        subject: 'mailto:ops@shop.test',
      },
      notification: {
        title: 'Support would like to help you',
        body: 'Tap to continue',
        url: '/shop.html',
      },
      pushServices: [stub.origin],
    },
  });
  site.route('/shop.html', pushPage(backend.server.url));
  site.route(SERVICE_WORKER_PATH, worker);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await site?.close();
  await stub?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** A fresh profile whose notification permission for the site is set through the protocol. */
async function newContext(setting: 'granted' | 'denied'): Promise<{ page: Page; cdp: CDPSession }> {
  context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  const cdp = await context.newCDPSession(page);
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  const browserContextId = targetInfo.browserContextId as string;
  const root = await browser.newBrowserCDPSession();
  await root.send('Browser.setPermission', {
    permission: { name: 'notifications' },
    setting,
    origin: site.origin,
    browserContextId,
  });
  if (setting === 'granted') {
    // The spelling the brief names; setPermission above covers both settings.
    await root.send('Browser.grantPermissions', {
      permissions: ['notifications'],
      origin: site.origin,
      browserContextId,
    });
  }
  // Kept open: Chromium drops a session's permission overrides when it detaches.
  return { page, cdp };
}

const eventsOf = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { visitorEvents: { type: string; reason?: string }[] }).visitorEvents,
  );

async function openShop(page: Page, vid: string): Promise<void> {
  await page.goto(`${site.origin}/shop.html?vid=${vid}`);
  await page.waitForFunction(() => (window as unknown as { connectionId?: string }).connectionId);
}

/** Saves a subscription for `vid` through the presence protocol, as its browser would. */
async function subscribeThroughService(vid: string) {
  const subscription = stub.subscribe();
  const ws = new WebSocket(backend.server.url);
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(
    JSON.stringify({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: GROUP_ID,
      visitorId: vid,
      visible: true,
    }),
  );
  await waitFor(() => expect(frames.map((f) => f.type)).toContain('welcome'));
  ws.send(JSON.stringify({ type: 'pushSubscribe', subscription }));
  await waitFor(() => expect(frames.map((f) => f.type)).toContain('pushSubscribed'));
  ws.close();
  return subscription;
}

/** The service worker Chromium runs for the site, and its registration ID. */
async function serviceWorkerOf(
  cdp: CDPSession,
): Promise<{ worker: Worker; registrationId: string }> {
  const registrations: { registrationId: string; scopeURL: string }[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  const registration = await waitFor(() => {
    const found = registrations.find((r) => r.scopeURL === `${site.origin}/`);
    expect(found).toBeDefined();
    return found as { registrationId: string };
  });
  const worker = await waitFor(() => {
    const found = context
      ?.serviceWorkers()
      .find((w) => w.url() === `${site.origin}${SERVICE_WORKER_PATH}`);
    expect(found).toBeDefined();
    return found as Worker;
  });
  return { worker, registrationId: registration.registrationId };
}

// Chromium lets a worker open or focus windows only while handling a notification click the
// browser itself dispatched; a NotificationEvent made by a test may not. So the test stands in
// for the browser there: the worker's clients.openWindow and WindowClient.focus record what
// the click handling asked for, and the test carries it out.
async function clickNotification(worker: Worker) {
  return worker.evaluate(async () => {
    const scope = self as unknown as {
      registration: { getNotifications(): Promise<Notification[]> };
      clients: { openWindow(url: string): Promise<unknown> };
      dispatchEvent(event: Event): boolean;
    };
    const asked: { opened: string[]; focused: string[] } = { opened: [], focused: [] };
    scope.clients.openWindow = async (url) => {
      asked.opened.push(url);
      return null;
    };
    const proto = (
      globalThis as unknown as {
        WindowClient: { prototype: { focus(): Promise<unknown>; url: string } };
      }
    ).WindowClient.prototype;
    proto.focus = async function (this: { url: string }) {
      asked.focused.push(this.url);
      return this;
    };
    const [notification] = await scope.registration.getNotifications();
    if (!notification) throw new Error('no notification to click');
    const NotificationEventOf = (
      globalThis as unknown as {
        NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
      }
    ).NotificationEvent;
    const done: Promise<unknown>[] = [];
    const event = new NotificationEventOf('notificationclick', { notification });
    const waitUntil = (event as unknown as { waitUntil(p: Promise<unknown>): void }).waitUntil.bind(
      event,
    );
    (event as unknown as { waitUntil(p: Promise<unknown>): void }).waitUntil = (p) => {
      done.push(p);
      waitUntil(p);
    };
    scope.dispatchEvent(event);
    await Promise.all(done);
    const left = await scope.registration.getNotifications();
    return { ...asked, left: left.length };
  });
}

describe('Web Push in Chromium', () => {
  it('wakes a visitor whose tab is closed: push, notification, click, the consent dialog, Accept, sessionStart', async () => {
    const { page, cdp } = await newContext('granted');
    const vid = `woken-${++n}`;
    await openShop(page, vid);
    // The visitor turns push on: the real worker registers; the browser's own push service
    // is out of reach offline, so its subscription cannot complete (a typed `failed`).
    await page.click('#notify');
    await waitFor(() =>
      expect(eventsOf(page)).resolves.toContainEqual(
        expect.objectContaining({ type: 'pushUnavailable', reason: 'failed' }),
      ),
    );
    const { worker, registrationId } = await serviceWorkerOf(cdp);
    // Its subscription, made with keys the test generated, reaches the service the same way.
    const subscription = await subscribeThroughService(vid);

    // The visitor closes the shop; a blank tab keeps the browser's session alive.
    const blank = await context!.newPage();
    const blankCdp = await context!.newCDPSession(blank);
    await blankCdp.send('ServiceWorker.enable');
    await page.close();
    await waitFor(async () => expect(await backend.lookup(vid)).toBeNull());

    // One-Click Connect: the visitor is asleep, so the service pushes.
    const request = backend.agent.showTerms(vid);
    request.catch(() => {}); // looked at below; not left unhandled if the test fails first
    const pushed = await stub.next(subscription, 10_000);
    expect(JSON.parse(pushed.text)).toEqual({
      type: 'beckon.wake',
      v: 1,
      title: 'Support would like to help you',
      body: 'Tap to continue',
      url: '/shop.html',
    });
    await waitFor(() =>
      expect(backend.eventsOf(vid)).toContainEqual(
        expect.objectContaining({ type: 'push', status: 'sent' }),
      ),
    );

    // The push service hands it to the browser: the same bytes, through the protocol.
    await blankCdp.send('ServiceWorker.deliverPushMessage', {
      origin: site.origin,
      registrationId,
      data: pushed.text,
    });
    const shown = await waitFor(async () => {
      const list = await worker.evaluate(async () =>
        (
          await (
            self as unknown as { registration: ServiceWorkerRegistration }
          ).registration.getNotifications()
        ).map((x) => ({
          title: x.title,
          body: x.body,
          tag: x.tag,
          data: x.data as unknown,
        })),
      );
      expect(list).toHaveLength(1);
      return list[0];
    });
    expect(shown).toEqual({
      title: 'Support would like to help you',
      body: 'Tap to continue',
      tag: 'beckon-request',
      data: { beckon: true, url: `${site.origin}/shop.html` },
    });

    // The click: no tab of the shop is open, so it asks for a new one at the configured page.
    const clicked = await clickNotification(worker);
    expect(clicked).toEqual({ opened: [`${site.origin}/shop.html`], focused: [], left: 0 });
    const shop = await context!.newPage();
    await shop.goto(clicked.opened[0] as string);

    // The page comes back as the same visitor, and the request waiting for it shows the dialog.
    const accept = shop.locator('button.accept');
    await accept.waitFor({ state: 'visible', timeout: 5_000 });
    await expect(request).resolves.toMatchObject({ woken: true });
    await accept.click();
    await waitFor(() =>
      expect(backend.eventsOf(vid).map((e) => e.type)).toEqual(
        expect.arrayContaining(['push', 'terms', 'sessionStart']),
      ),
    );
    expect(
      backend
        .eventsOf(vid)
        .filter((e) => e.type === 'push')
        .map((e) => (e as { status: string }).status),
    ).toEqual(['sent', 'answered']);
  }, 40_000);

  it('a click with a tab of the app open focuses it and opens none', async () => {
    const { page, cdp } = await newContext('granted');
    const vid = `focus-${++n}`;
    await openShop(page, vid);
    await page.click('#notify');
    const { worker, registrationId } = await serviceWorkerOf(cdp);
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: site.origin,
      registrationId,
      data: JSON.stringify({ type: 'beckon.wake', v: 1, title: 'Support would like to help you' }),
    });
    await waitFor(async () =>
      expect(
        await worker.evaluate(
          async () =>
            (
              await (
                self as unknown as { registration: ServiceWorkerRegistration }
              ).registration.getNotifications()
            ).length,
        ),
      ).toBe(1),
    );
    expect(await clickNotification(worker)).toEqual({
      opened: [],
      focused: [`${site.origin}/shop.html?vid=${vid}`],
      left: 0,
    });
  }, 20_000);

  it('permission denied: a typed event, and presence and signals keep working', async () => {
    const { page } = await newContext('denied');
    const vid = `denied-${++n}`;
    await openShop(page, vid);
    await page.click('#notify');
    await waitFor(() =>
      expect(eventsOf(page)).resolves.toContainEqual({
        type: 'pushUnavailable',
        reason: 'denied',
        message: expect.stringMatching(/notifications/),
      }),
    );
    expect(
      await page.evaluate(() =>
        (
          window as unknown as { visitor: { getSnapshot(): { push: string; connection: string } } }
        ).visitor.getSnapshot(),
      ),
    ).toMatchObject({
      push: 'off',
      connection: 'connected',
    });
    await page.evaluate(() =>
      (window as unknown as { visitor: { presence(d: object): void } }).visitor.presence({
        url: '/after-denied',
      }),
    );
    await waitFor(() =>
      expect(backend.eventsOf(vid)).toContainEqual(
        expect.objectContaining({ type: 'presence', data: { url: '/after-denied' } }),
      ),
    );
    await expect(backend.agent.signalVisitor(vid, 'c_hello', { c_n: '1' })).resolves.toMatchObject({
      epoch: expect.any(Number),
    });
    await waitFor(() =>
      expect(eventsOf(page)).resolves.toContainEqual(
        expect.objectContaining({ type: 'signal', name: 'c_hello' }),
      ),
    );
  }, 20_000);
});
