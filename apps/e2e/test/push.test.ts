import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPresenceServer, type PresenceServer } from '@beckon/server';
import { DEMO_AGENT_SECRET, DEMO_VAPID_KEYS } from '@beckon/server/demo';
import type { Browser, BrowserContext, CDPSession, Locator, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PushServiceStub,
  startPushServiceStub,
  type TestSubscription,
} from '../../../packages/server/test/pushServiceStub.js';
import { root } from '../../../scripts/stack.mjs';
import { type BrowserStack, startBrowserStack } from './browserStack.js';

// Push wake-up as a person sees it (docs/push.md): the visitor turns on "Notify me when
// support calls" in the demo shop and closes it; the agent presses One-Click Connect in the
// console; the service's push reaches the shop's service worker, which shows the
// notification; a click brings the shop back with the consent dialog; Accept starts the
// session. Offline, two parts of the world are played by the test: the browser's push
// service (a stub on 127.0.0.1 that the service posts to, and which answers the browser's
// subscribe), and the browser's notification UI (Chromium lets only a click it dispatched
// itself open a window, so the test opens what the worker's click handling asked for).
// BECKON_UPDATE_SCREENSHOT=1 copies the screenshots into docs/images.
const shots = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
const publish = (name: string) => {
  if (process.env.BECKON_UPDATE_SCREENSHOT) {
    copyFileSync(join(shots, name), join(root, 'docs', 'images', name));
  }
};
const VISITOR = 'e2e-sleeper';
const WAIT = 15_000;
const NOTIFICATION = { title: 'Support would like to help you', body: 'Tap to continue' };

let server: PresenceServer;
let stub: PushServiceStub;
let subscription: TestSubscription;
let stack: BrowserStack;
let consoleUrl: string;
let demoUrl: string;
let browser: Browser;
let agentSide: BrowserContext;
let visitorSide: BrowserContext;
let agentPage: Page;
let keepAlive: CDPSession;

const byTestId = (page: Page, id: string) => page.getByTestId(id);
const consentDialog = (tab: Page): Locator =>
  tab.getByRole('dialog', { name: 'Share your screen?' });
const timeline = (page: Page, kind: string) =>
  page.locator(`[data-testid="timeline-entry"][data-kind="${kind}"]`);

// What the browser's push service would have answered pushManager.subscribe(): a
// subscription on the stub, with the keys the stub made (it decrypts with their private half).
function fakePushService(sub: TestSubscription): string {
  return `(() => {
    const sub = ${JSON.stringify(sub)};
    let current = null;
    const made = (key) => ({
      endpoint: sub.endpoint,
      expirationTime: null,
      options: { applicationServerKey: key, userVisibleOnly: true },
      toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
      unsubscribe: async () => { current = null; return true; },
    });
    PushManager.prototype.getSubscription = async function () { return current; };
    PushManager.prototype.subscribe = async function (options) {
      const key = new Uint8Array(options.applicationServerKey).buffer;
      current = made(key);
      return current;
    };
  })();`;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  stub = await startPushServiceStub({ vapidPublicKey: DEMO_VAPID_KEYS.publicKey });
  subscription = stub.subscribe('shop');
  server = await createPresenceServer({
    port: 0,
    logLevel: 'silent',
    graceMs: 300,
    groups: {
      demo: {
        presence: true,
        termsUrl: '/terms',
        agentSecrets: [DEMO_AGENT_SECRET],
        push: {
          vapid: { ...DEMO_VAPID_KEYS, subject: 'mailto:demo@example.com' },
          notification: NOTIFICATION,
          pushServices: [stub.origin],
        },
      },
    },
  });
  stack = await startBrowserStack(server);
  ({ consoleUrl, demoUrl, browser, agentSide, visitorSide } = stack);
  await visitorSide.addInitScript({ content: fakePushService(subscription) });
  // The visitor allows notifications for the shop: through the protocol, as a profile would.
  const first = await visitorSide.newPage();
  const cdp = await visitorSide.newCDPSession(first);
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  keepAlive = await browser.newBrowserCDPSession();
  await keepAlive.send('Browser.grantPermissions', {
    permissions: ['notifications'],
    origin: new URL(demoUrl).origin,
    browserContextId: targetInfo.browserContextId as string,
  });
  await first.close();
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await server?.close();
  await stub?.close();
});

/** The shop's service worker, and its registration ID for the DevTools protocol. */
async function shopWorker(cdp: CDPSession): Promise<{ worker: Worker; registrationId: string }> {
  const registrations: { registrationId: string; scopeURL: string }[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  await expect
    .poll(() => registrations.some((r) => r.scopeURL === demoUrl), { timeout: WAIT })
    .toBe(true);
  await expect
    .poll(() => visitorSide.serviceWorkers().length, { timeout: WAIT })
    .toBeGreaterThan(0);
  const registration = registrations.find((r) => r.scopeURL === demoUrl) as {
    registrationId: string;
  };
  return {
    worker: visitorSide.serviceWorkers()[0] as Worker,
    registrationId: registration.registrationId,
  };
}

describe('push wake-up in the demo, from the switch to Accept', () => {
  it('brings a visitor whose shop is closed back through a notification', async () => {
    // The visitor turns notifications on, in the shop.
    const shop = await visitorSide.newPage();
    shop.setDefaultTimeout(WAIT);
    await shop.goto(`${demoUrl}?visitor=${VISITOR}`);
    await byTestId(shop, 'connection-status')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await byTestId(shop, 'push-toggle').check();
    await shop.locator('[data-testid="push-slot"][data-push="on"]').waitFor();
    await expect
      .poll(async () =>
        (
          await server.registry.pushSubscriptions({
            groupId: 'demo',
            visitorId: VISITOR,
            at: Date.now(),
          })
        ).map((s) => s.endpoint),
      )
      .toEqual([subscription.endpoint]);
    await shop.screenshot({ path: join(shots, 'push-shop.png') });
    publish('push-shop.png');

    // The agent has the visitor open in the console; then the visitor closes the shop.
    agentPage = await agentSide.newPage();
    agentPage.setDefaultTimeout(WAIT);
    await agentPage.goto(consoleUrl);
    await byTestId(agentPage, 'agent-status')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await agentPage.locator(`[data-testid="visitor-row"][data-visitor-id="${VISITOR}"]`).click();
    const blank = await visitorSide.newPage();
    const cdp = await visitorSide.newCDPSession(blank);
    await shop.close();
    await byTestId(agentPage, 'visitor-gone').waitFor();

    // One-Click Connect: the service finds the visitor asleep and pushes.
    await byTestId(agentPage, 'one-click-connect').click();
    const pushed = await stub.next(subscription, WAIT);
    expect(JSON.parse(pushed.text)).toEqual({ type: 'beckon.wake', v: 1, ...NOTIFICATION });
    await timeline(agentPage, 'push').first().waitFor();
    await expect
      .poll(() => byTestId(agentPage, 'delivery-status').textContent())
      .toContain('asleep');
    await agentPage.screenshot({ path: join(shots, 'push-console-waiting.png') });
    publish('push-console-waiting.png');

    // The browser gets the push (from the stub, through the protocol) and shows it.
    const { worker, registrationId } = await shopWorker(cdp);
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: new URL(demoUrl).origin,
      registrationId,
      data: pushed.text,
    });
    await expect
      .poll(() =>
        worker.evaluate(async () =>
          (
            await (
              self as unknown as { registration: ServiceWorkerRegistration }
            ).registration.getNotifications()
          ).map((n) => `${n.title} / ${n.body}`),
        ),
      )
      .toEqual(['Support would like to help you / Tap to continue']);

    // The visitor clicks it: the worker asks for the shop, which comes back with the dialog.
    const asked = await worker.evaluate(async () => {
      const scope = self as unknown as {
        registration: ServiceWorkerRegistration;
        clients: { openWindow(url: string): Promise<unknown> };
      };
      const opened: string[] = [];
      scope.clients.openWindow = async (url) => {
        opened.push(url);
        return null;
      };
      const [notification] = await scope.registration.getNotifications();
      const Event = (
        globalThis as unknown as { NotificationEvent: new (t: string, i: object) => Event }
      ).NotificationEvent;
      const event = new Event('notificationclick', { notification });
      const waits: Promise<unknown>[] = [];
      const waitUntil = (
        event as unknown as { waitUntil(p: Promise<unknown>): void }
      ).waitUntil.bind(event);
      (event as unknown as { waitUntil(p: Promise<unknown>): void }).waitUntil = (p) => {
        waits.push(p);
        waitUntil(p);
      };
      self.dispatchEvent(event);
      await Promise.all(waits);
      return opened;
    });
    expect(asked).toEqual([demoUrl]);
    const back = await visitorSide.newPage();
    back.setDefaultTimeout(WAIT);
    await back.goto(asked[0] as string);
    await consentDialog(back).waitFor({ state: 'visible' });
    // The switch is on again by itself (the browser already allows it): no prompt on load.
    await back.locator('[data-testid="push-slot"][data-push="on"]').waitFor();
    await expect
      .poll(() => byTestId(agentPage, 'delivery-status').getAttribute('data-state'))
      .toBe('delivered');
    await back.screenshot({ path: join(shots, 'push-dialog.png') });
    publish('push-dialog.png');

    await consentDialog(back).getByRole('button', { name: 'Accept' }).click();
    await timeline(agentPage, 'sessionStart').first().waitFor();
    await expect
      .poll(() => byTestId(agentPage, 'delivery-status').textContent())
      .toContain('Woken by a notification');
    // Tall enough for the live view and the timeline with the push's story.
    await agentPage.setViewportSize({ width: 1440, height: 1500 });
    const live = agentPage.locator('[data-testid="live-status"][data-status="live"]');
    await live.waitFor();
    await agentPage.waitForTimeout(800);
    await live.waitFor();
    await expect(timeline(agentPage, 'push').count()).resolves.toBe(2);
    await agentPage.screenshot({ path: join(shots, 'push-console-back.png') });
    publish('push-console-back.png');
    expect(stub.refused).toEqual([]);
  }, 90_000);
});
