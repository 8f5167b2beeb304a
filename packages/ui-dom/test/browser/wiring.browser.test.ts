import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildIife } from '../../scripts/build-iife.mjs';
import { launchChromium } from './launchChromium.js';
import { appPage, BUNDLE_PATH, scriptTagPage, TERMS_PAGE } from './pages.js';
import { type Backend, GROUP_ID, startBackend } from './startBackend.js';
import { type StaticServer, startStaticServer } from './startStaticServer.js';

// wirePage and the script-tag build in real Chromium against the real presence service.

let browser: Browser;
let backend: Backend;
let site: StaticServer;
let context: BrowserContext | undefined;
let visitorCount = 0;

beforeAll(async () => {
  const [bundle, b, be] = await Promise.all([
    buildIife({ write: false }),
    launchChromium(),
    startBackend(),
  ]);
  browser = b;
  backend = be;
  site = await startStaticServer({
    [BUNDLE_PATH]: bundle,
    '/app.html': appPage(backend.server.url),
    '/terms': TERMS_PAGE,
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await site?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

const waitFor = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 5000, interval: 25 });

async function newPage(): Promise<Page> {
  context ??= await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

async function openApp(vid: string): Promise<{ page: Page; connectionId: string }> {
  const page = await newPage();
  await page.goto(`${site.origin}/app.html?vid=${vid}`);
  const handle = await page.waitForFunction(
    () => (window as unknown as { connectionId?: string }).connectionId,
  );
  return { page, connectionId: (await handle.jsonValue()) as string };
}

const state = (page: Page) =>
  page.evaluate(() => {
    const { connection, focused, visible } = (
      window as unknown as { visitor: { getSnapshot(): Record<string, unknown> } }
    ).visitor.getSnapshot();
    return { connection, focused, visible };
  });

/**
 * Headless Chromium reports every tab as visible, whichever is in front, and has no switch
 * to hide one. So the page's visibility is emulated where the page reads it: the real
 * `document.visibilityState` getter is overridden and the real event is dispatched. Every
 * step after that — wirePage, the visitor machine, the WebSocket, the service, the agent —
 * runs for real.
 */
function emulateVisibility(page: Page, state: 'hidden' | 'visible') {
  return page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    Object.defineProperty(document, 'hidden', {
      configurable: true,
      get: () => value === 'hidden',
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

describe('wirePage in Chromium', () => {
  it('visibility changes reach the service and the agent', async () => {
    const vid = `vis-${++visitorCount}`;
    const { page } = await openApp(vid);
    await emulateVisibility(page, 'hidden');
    await waitFor(async () => expect((await backend.lookup(vid))?.visibility).toBe('hidden'));
    await emulateVisibility(page, 'visible');
    await waitFor(async () => expect((await backend.lookup(vid))?.visibility).toBe('visible'));
    const seen = backend
      .eventsOf(vid)
      .filter((e) => e.type === 'visibility')
      .map((e) => (e.type === 'visibility' ? e.visibility : ''));
    expect(seen).toEqual(['hidden', 'visible']);
  });

  it('sends url and title on connect and after single-page-app navigations', async () => {
    const vid = `nav-${++visitorCount}`;
    const { page } = await openApp(vid);
    const urls = () =>
      backend
        .eventsOf(vid)
        .filter((e) => e.type === 'presence')
        .map((e) => (e.type === 'presence' ? `${e.data.url} | ${e.data.title}` : ''));
    await waitFor(() => expect(urls()).toEqual([`${site.origin}/app.html?vid=${vid} | Acme shop`]));
    await page.evaluate(() => {
      history.pushState({}, '', '/app.html#/cart');
      document.title = 'Cart';
      history.pushState({}, '', '/app.html#/checkout');
      document.title = 'Checkout';
    });
    await waitFor(() => expect(urls().at(-1)).toBe(`${site.origin}/app.html#/checkout | Checkout`));
    await page.goBack();
    await waitFor(() => expect(urls().at(-1)).toBe(`${site.origin}/app.html#/cart | Checkout`));
    // Two pushes in one task collapse into one update; going back is one more.
    expect(urls()).toHaveLength(3);
    expect((await backend.lookup(vid))?.presence.url).toBe(`${site.origin}/app.html#/cart`);
  });

  it('a blurred tab takes focus back when the visitor clicks in it', async () => {
    const vid = `focus-${++visitorCount}`;
    const first = await openApp(vid);
    await waitFor(async () =>
      expect((await backend.lookup(vid))?.focusedConnectionId).toBe(first.connectionId),
    );
    // A second tab of the same visitor connects and takes focus.
    const second = await openApp(vid);
    await waitFor(async () =>
      expect((await backend.lookup(vid))?.focusedConnectionId).toBe(second.connectionId),
    );
    await waitFor(async () => expect((await state(first.page)).focused).toBe(false));

    // No interaction, no reclaim: the blurred tab stays blurred by itself.
    expect((await backend.lookup(vid))?.focusedConnectionId).toBe(second.connectionId);

    await first.page.locator('#help').click();
    await waitFor(async () =>
      expect((await backend.lookup(vid))?.focusedConnectionId).toBe(first.connectionId),
    );
    await waitFor(async () => expect((await state(first.page)).focused).toBe(true));
    await waitFor(async () => expect((await state(second.page)).focused).toBe(false));
    const focusEvents = backend.eventsOf(vid).filter((e) => e.type === 'focus');
    expect(focusEvents.at(-1)).toMatchObject({ connectionId: first.connectionId });
  });
});

describe('wirePage refresh() in Chromium', () => {
  it('sends a changed cart count from the focused tab; a blurred tab keeps its focus', async () => {
    const vid = `refresh-${++visitorCount}`;
    const first = await openApp(vid);
    const carts = () =>
      backend
        .eventsOf(vid)
        .filter((e) => e.type === 'presence')
        .map((e) => (e.type === 'presence' ? e.data.c_cart : ''));
    await waitFor(() => expect(carts()).toEqual(['3']));
    const setCart = (page: Page, count: number) =>
      page.evaluate((n) => {
        document.getElementById('items')!.textContent = String(n);
        (window as unknown as { wiring: { refresh(): void } }).wiring.refresh();
      }, count);
    await setCart(first.page, 4);
    await waitFor(() => expect(carts()).toEqual(['3', '4']));
    expect((await backend.lookup(vid))?.presence).toMatchObject({
      c_cart: '4',
      url: `${site.origin}/app.html?vid=${vid}`,
      title: 'Acme shop',
    });

    // A second tab takes focus; the first one's cart changes in the background.
    const second = await openApp(vid);
    await waitFor(async () => expect((await state(first.page)).focused).toBe(false));
    const calls = () =>
      first.page.evaluate(() => (window as unknown as { presenceCalls: unknown[] }).presenceCalls);
    const before = (await calls()).length;
    await setCart(first.page, 9);
    // A timer set after the refresh's (at most throttleMs = 100 away) runs after it.
    await first.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await calls()).toHaveLength(before);
    expect((await backend.lookup(vid))?.focusedConnectionId).toBe(second.connectionId);
    expect(carts()).not.toContain('9');
    expect((await state(first.page)).focused).toBe(false);
  });
});

describe('the script-tag build in Chromium', () => {
  it('a plain page with only the script tag connects and shows the dialog', async () => {
    const vid = `tag-${++visitorCount}`;
    site.route(
      '/plain.html',
      scriptTagPage({
        'data-group-id': GROUP_ID,
        'data-visitor-id': vid,
        'data-server': backend.server.url,
        'data-locale': 'de',
      }),
    );
    const page = await newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${site.origin}/plain.html`);
    await waitFor(async () => expect((await backend.lookup(vid))?.present).toBe(true));
    const api = await page.evaluate(() =>
      Object.keys((window as unknown as { Beckon: object }).Beckon).sort(),
    );
    expect(api).toEqual([
      'createConsentDialog',
      'createVisitor',
      'visitor',
      'webPush',
      'webSocketTransport',
      'wirePage',
    ]);
    await backend.agent.showTerms(vid);
    const dialog = page.getByRole('dialog', { name: 'Bildschirm teilen?' });
    await dialog.waitFor({ state: 'visible' });
    const focusedButton = () =>
      page.evaluate(
        () =>
          document.querySelector('beckon-consent-dialog')?.shadowRoot?.activeElement?.textContent,
      );
    expect(await focusedButton()).toBe('Ablehnen');
    await page.keyboard.press('Tab'); // from Ablehnen (Decline) to Akzeptieren
    expect(await focusedButton()).toBe('Akzeptieren');
    await page.keyboard.press('Enter');
    await waitFor(() =>
      expect(
        backend
          .eventsOf(vid)
          .filter((e) => e.type === 'terms' || e.type === 'sessionStart')
          .map((e) => (e.type === 'terms' ? e.status : e.type)),
      ).toEqual(['displayed', 'accepted', 'sessionStart']),
    );
    // Wired too: the page's URL reached the agent.
    expect((await backend.lookup(vid))?.presence.url).toBe(`${site.origin}/plain.html`);
    expect(errors).toEqual([]);
  });

  it('a malformed attribute is a console error naming it, and the page keeps working', async () => {
    site.route(
      '/broken.html',
      scriptTagPage({
        'data-group-id': GROUP_ID,
        'data-visitor-id': 'has spaces',
        'data-server': backend.server.url,
      }),
    );
    const page = await newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${site.origin}/broken.html`);
    await page.waitForFunction(() => 'Beckon' in window);
    expect(errors).toEqual([
      expect.stringMatching(/^Beckon: the data-visitor-id attribute may only contain/),
    ]);
    const result = await page.evaluate(() => {
      const { Beckon } = window as unknown as {
        Beckon: { visitor: unknown; createConsentDialog: unknown };
      };
      return { visitor: Beckon.visitor ?? null, api: typeof Beckon.createConsentDialog };
    });
    expect(result).toEqual({ visitor: null, api: 'function' });
  });
});
