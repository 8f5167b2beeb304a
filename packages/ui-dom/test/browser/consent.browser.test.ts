import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildIife } from '../../scripts/build-iife.mjs';
import { launchChromium } from './launchChromium.js';
import { appPage, BUNDLE_PATH, TERMS_PAGE } from './pages.js';
import { type Backend, startBackend } from './startBackend.js';
import { type StaticServer, startStaticServer } from './startStaticServer.js';

// The default consent dialog in real Chromium, driven by a real agent through the real
// presence service: what the agent sees is what the visitor did with the keyboard.

let browser: Browser;
let backend: Backend;
let site: StaticServer;
let context: BrowserContext | undefined;
let visitorCount = 0;

const THEMED_HEAD = `<style>
  :root { --beckon-accent: rgb(200, 0, 100); --beckon-radius: 3px; }
  button { background: rgb(0, 128, 0) !important; }
  p { margin: 40px; }
</style>`;

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
    '/themed.html': appPage(backend.server.url, THEMED_HEAD),
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

/** Opens the app as a fresh visitor and waits until it is connected. */
async function openApp(path = '/app.html'): Promise<{ page: Page; vid: string }> {
  context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  const vid = `visitor-${++visitorCount}`;
  await page.goto(`${site.origin}${path}?vid=${vid}`);
  await page.waitForFunction(
    () => (window as unknown as { connectionId?: string }).connectionId !== undefined,
  );
  return { page, vid };
}

/** Where keyboard focus really is, through the dialog's shadow root. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return 'none';
    return el.id ? `#${el.id}` : `${el.localName}${el.className ? `.${el.className}` : ''}`;
  });
}

const termsOf = (vid: string) =>
  backend
    .eventsOf(vid)
    .filter((e) => e.type === 'terms' || e.type === 'sessionStart')
    .map((e) => (e.type === 'terms' ? `terms:${e.status}` : `sessionStart:${e.sessionKey}`));

async function askConsent(page: Page, vid: string, sessionKey?: string) {
  await backend.agent.showTerms(vid, sessionKey ? { sessionKey } : {});
  await page.locator('dialog').waitFor({ state: 'visible' });
}

describe('the consent dialog in Chromium', () => {
  it("appears on the agent's showTerms, labelled, with who asks and the session key", async () => {
    const { page, vid } = await openApp();
    await askConsent(page, vid, 'case-77');
    const dialog = page.getByRole('dialog', { name: 'Share your screen?' });
    await expect(dialog.isVisible()).resolves.toBe(true);
    await expect(dialog.evaluate((d) => (d as HTMLDialogElement).matches(':modal'))).resolves.toBe(
      true,
    );
    const text = await dialog.textContent();
    expect(text).toContain('A support agent would like to see your screen');
    expect(text).toContain('Session key: case-77');
    await waitFor(() => expect(termsOf(vid)).toEqual(['terms:displayed']));
    // The least consequential answer has focus, never Accept.
    expect(await focused(page)).toBe('button.decline');
  });

  it('is accepted with the keyboard alone: Tab from Decline to Accept, Enter', async () => {
    const { page, vid } = await openApp();
    await askConsent(page, vid);
    expect(await focused(page)).toBe('button.decline');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button.accept');
    await page.keyboard.press('Tab'); // Accept is last → wraps to the terms link
    expect(await focused(page)).toBe('a');
    await page.keyboard.press('Shift+Tab'); // and back, wrapping the other way
    expect(await focused(page)).toBe('button.accept');
    // Nothing was answered by moving around.
    expect(termsOf(vid)).toEqual(['terms:displayed']);
    await page.keyboard.press('Enter');
    await page.locator('dialog').waitFor({ state: 'detached' });
    await waitFor(() =>
      expect(termsOf(vid)).toEqual(['terms:displayed', 'terms:accepted', `sessionStart:${vid}`]),
    );
    const summary = await backend.lookup(vid);
    expect(summary?.sessionKey).toBe(vid);
  });

  it.each(['Enter', 'Space'])(
    'is declined with the keyboard alone: %s on the focused Decline',
    async (key) => {
      const { page, vid } = await openApp();
      await askConsent(page, vid);
      expect(await focused(page)).toBe('button.decline');
      await page.keyboard.press(key);
      await page.locator('dialog').waitFor({ state: 'detached' });
      await waitFor(() => expect(termsOf(vid)).toEqual(['terms:displayed', 'terms:declined']));
      const events = await page.evaluate(() =>
        (window as unknown as { visitorEvents: { type: string }[] }).visitorEvents.map(
          (e) => e.type,
        ),
      );
      expect(events).toContain('termsDeclined');
      expect(events).not.toContain('sessionStart');
      expect((await backend.lookup(vid))?.sessionKey).toBeUndefined();
    },
  );

  it('Escape declines', async () => {
    const { page, vid } = await openApp();
    await askConsent(page, vid);
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    await waitFor(() => expect(termsOf(vid)).toEqual(['terms:displayed', 'terms:declined']));
  });

  it('keeps Tab inside and returns focus to the previously focused element', async () => {
    const { page, vid } = await openApp();
    await page.locator('#name').focus();
    await askConsent(page, vid);
    const seen = new Set<string>();
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
      seen.add(await focused(page));
    }
    expect([...seen].sort()).toEqual(['a', 'button.accept', 'button.decline']);
    // The page behind is inert: a click there lands on the dialog (its backdrop), and the
    // next Tab goes back to a control.
    await page.mouse.click(5, 5);
    expect(['dialog', 'a', 'button.accept', 'button.decline']).toContain(await focused(page));
    await page.keyboard.press('Tab');
    expect(['a', 'button.accept', 'button.decline']).toContain(await focused(page));
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('#name');
  });

  it('links to the terms page in a new tab, without an opener', async () => {
    const { page, vid } = await openApp();
    await askConsent(page, vid);
    const link = page.getByRole('link', { name: /Terms and conditions/ });
    expect(await link.getAttribute('href')).toBe('/terms');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    const popupOpened = context!.waitForEvent('page');
    await page.keyboard.press('Shift+Tab'); // from Decline back to the link
    expect(await focused(page)).toBe('a');
    await page.keyboard.press('Enter');
    const popup = await popupOpened;
    await popup.waitForLoadState();
    expect(popup.url()).toBe(`${site.origin}/terms`);
    expect(await popup.evaluate(() => window.opener)).toBeNull();
    expect(await popup.title()).toBe('Terms');
    // Opening the terms answers nothing; the dialog waits for the visitor.
    expect(await page.locator('dialog').isVisible()).toBe(true);
    expect(termsOf(vid)).toEqual(['terms:displayed']);
  });

  it('takes its colours from --beckon-* variables, and no CSS crosses the shadow boundary', async () => {
    const { page, vid } = await openApp('/themed.html');
    await askConsent(page, vid);
    const accept = page.locator('button.accept');
    const style = await accept.evaluate((el) => {
      const s = getComputedStyle(el);
      return { background: s.backgroundColor };
    });
    // The page's `button { … !important }` does not reach in; its variable does.
    expect(style.background).toBe('rgb(200, 0, 100)');
    const radius = await page
      .locator('dialog')
      .evaluate((el) => getComputedStyle(el).borderTopLeftRadius);
    expect(radius).toBe('3px');
    // And the dialog's own rules do not reach out.
    const outside = await page.evaluate(() => ({
      help: getComputedStyle(document.querySelector('#help')!).backgroundColor,
      p: getComputedStyle(document.querySelector('p')!).marginTop,
      h1: getComputedStyle(document.querySelector('h1')!).fontSize,
    }));
    expect(outside).toEqual({ help: 'rgb(0, 128, 0)', p: '40px', h1: '32px' });
  });
});
