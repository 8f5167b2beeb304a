import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../packages/ui-dom/test/browser/launchChromium.js';
import { type Stack, startStack } from '../../../scripts/stack.mjs';

// The whole One-Click flow as a person sees it: the stack `pnpm start` runs, the agent
// console in one browser profile, the visitor demo in two tabs of another. Twice: with one
// service process, and with two sharing a Redis behind nginx (`pnpm start --cluster`), where
// the console and the two tabs are spread over both processes.
const shots = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
const VISITOR = 'e2e-alice';
const WAIT = 15_000;

let browser: Browser;
let stack: Stack;
let agentSide: BrowserContext;
let visitorSide: BrowserContext;
let consolePage: Page;
let tabA: Page;
let tabB: Page;

const byTestId = (page: Page, id: string) => page.getByTestId(id);
const row = () => consolePage.locator(`[data-testid="visitor-row"][data-visitor-id="${VISITOR}"]`);
const focusOf = (tab: Page) => byTestId(tab, 'focus-status').getAttribute('data-focused');
const connectionOf = (tab: Page) => byTestId(tab, 'connection-status').textContent();
const timeline = (kind: string, status?: string) =>
  consolePage.locator(
    `[data-testid="timeline-entry"][data-kind="${kind}"]${status ? `[data-status="${status}"]` : ''}`,
  );
// The default dialog lives in an open shadow root; role locators reach into it.
const consentDialog = (tab: Page): Locator =>
  tab.getByRole('dialog', { name: 'Share your screen?' });
// @beckon/cobrowse's banner, there while a session runs.
const sessionBanner = (tab: Page): Locator =>
  tab.getByRole('region', { name: 'A support agent is viewing this page' });

/** Polls until `read` returns `want` (for hooks, where expect.poll is not available). */
async function until<T>(what: string, read: () => Promise<T>, want: T, ms = WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: wanted ${String(want)}, last saw ${String(last)}`);
}

async function openVisitorTab(): Promise<Page> {
  const tab = await visitorSide.newPage();
  await tab.goto(stack.demoUrl);
  await until('visitor tab connects', () => connectionOf(tab), 'connected');
  return tab;
}

describe.each([1, 2])('One-Click Connect in Chromium, %i service process(es)', (processes) => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack({ port: 0, consolePort: 0, demoPort: 0, processes });
    browser = await launchChromium();
    agentSide = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    visitorSide = await browser.newContext({ viewport: { width: 1100, height: 760 } });

    consolePage = await agentSide.newPage();
    await consolePage.goto(stack.consoleUrl);
    await until(
      'console connects',
      () => byTestId(consolePage, 'agent-status').textContent(),
      'connected',
    );

    // The demo keeps the visitor ID in localStorage, so both tabs of this profile share it.
    tabA = await visitorSide.newPage();
    await tabA.goto(stack.demoUrl);
    await byTestId(tabA, 'change-visitor').click();
    await byTestId(tabA, 'visitor-id-input').fill(VISITOR);
    await byTestId(tabA, 'visitor-id-save').click();
    await until(
      'visitor ID saved',
      async () => (await byTestId(tabA, 'visitor-id').textContent())?.includes(VISITOR),
      true,
    );
    await until('tab A connects', () => connectionOf(tabA), 'connected');
    tabB = await openVisitorTab();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('one visitor, two tabs: two instances, focus follows the tab last used', async () => {
    await expect.poll(() => row().count(), { timeout: WAIT }).toBe(1);
    await expect
      .poll(() => row().getByTestId('visitor-instances').textContent(), { timeout: WAIT })
      .toBe('2');
    // The tab that connected last holds focus; the other is blurred.
    await expect.poll(() => focusOf(tabB), { timeout: WAIT }).toBe('true');
    await expect.poll(() => focusOf(tabA), { timeout: WAIT }).toBe('false');
    // Using tab A takes focus back (the spec's best practice: presence on interaction).
    await tabA.bringToFront();
    await tabA.locator('body').click({ position: { x: 5, y: 300 } });
    await expect.poll(() => focusOf(tabA), { timeout: WAIT }).toBe('true');
    await expect.poll(() => focusOf(tabB), { timeout: WAIT }).toBe('false');
  });

  it('navigating the visitor site updates the agent’s view live', async () => {
    await byTestId(tabA, 'nav-cart').click();
    await expect.poll(() => connectionOf(tabA), { timeout: WAIT }).toBe('connected');
    await expect
      .poll(() => row().getByTestId('visitor-url').textContent(), { timeout: WAIT })
      .toContain('cart');
    await byTestId(tabA, 'nav-products').click();
    await expect
      .poll(() => row().getByTestId('visitor-url').textContent(), { timeout: WAIT })
      .toContain('products');
  });

  it('One-Click Connect: the dialog appears in the focused tab only; accept starts the session', async () => {
    await expect.poll(() => connectionOf(tabA), { timeout: WAIT }).toBe('connected');
    await tabA.locator('body').click({ position: { x: 5, y: 300 } });
    await expect.poll(() => focusOf(tabA), { timeout: WAIT }).toBe('true');
    await row().click();
    await expect(byTestId(consolePage, 'visitor-detail').isVisible()).resolves.toBe(true);
    await byTestId(consolePage, 'one-click-connect').click();

    await consentDialog(tabA).waitFor({ state: 'visible', timeout: WAIT });
    expect(await consentDialog(tabB).count()).toBe(0);
    await expect
      .poll(() => byTestId(consolePage, 'delivery-status').getAttribute('data-state'), {
        timeout: WAIT,
      })
      .toBe('delivered');
    await tabA.waitForTimeout(400); // let the dialog's fade-in finish
    if (processes === 1) await tabA.screenshot({ path: join(shots, 'visitor-dialog.png') });

    await tabA.getByRole('button', { name: 'Accept' }).click();
    await timeline('terms', 'displayed').first().waitFor({ timeout: WAIT });
    await timeline('terms', 'accepted').first().waitFor({ timeout: WAIT });
    await timeline('sessionStart').first().waitFor({ timeout: WAIT });
    expect(await timeline('sessionStart').first().textContent()).toContain(VISITOR);
    // The co-browse banner says the page is shared, in the tab that accepted only.
    await sessionBanner(tabA).waitFor({ timeout: WAIT });
    expect(await sessionBanner(tabB).count()).toBe(0);
    if (processes === 1) await consolePage.screenshot({ path: join(shots, 'agent-console.png') });

    await sessionBanner(tabA).getByRole('button', { name: 'Stop' }).click();
    await timeline('sessionEnd').first().waitFor({ timeout: WAIT });
  });

  it('the decline path: the agent sees declined and no session', async () => {
    const sessionsBefore = await timeline('sessionStart').count();
    await byTestId(consolePage, 'one-click-connect').click();
    await consentDialog(tabA).waitFor({ state: 'visible', timeout: WAIT });
    await tabA.getByRole('button', { name: 'Decline' }).click();
    await timeline('terms', 'declined').first().waitFor({ timeout: WAIT });
    await new Promise((r) => setTimeout(r, 500));
    expect(await timeline('sessionStart').count()).toBe(sessionsBefore);
    expect(await sessionBanner(tabA).count()).toBe(0);
  });

  it('a restarted service: both tabs show reconnecting, recover by themselves, and the list is right again', async () => {
    const restarted = stack.restartService();
    await expect.poll(() => connectionOf(tabA), { timeout: WAIT }).toBe('reconnecting');
    await expect.poll(() => connectionOf(tabB), { timeout: WAIT }).toBe('reconnecting');
    await restarted;
    await expect.poll(() => connectionOf(tabA), { timeout: 30_000 }).toBe('connected');
    await expect.poll(() => connectionOf(tabB), { timeout: 30_000 }).toBe('connected');
    await expect
      .poll(() => byTestId(consolePage, 'agent-status').textContent(), { timeout: 30_000 })
      .toBe('connected');
    await expect
      .poll(() => row().getByTestId('visitor-instances').textContent(), { timeout: WAIT })
      .toBe('2');
  });

  it('hiding the visitor’s tabs shows "hidden" in the console', async () => {
    // Headless Chromium reports every tab as visible and has no switch to hide one, so the
    // page's visibility is emulated; everything from the visibilitychange event on is real.
    for (const tab of [tabA, tabB]) {
      await tab.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', {
          configurable: true,
          get: () => 'hidden',
        });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange'));
      });
    }
    await expect
      .poll(() => row().getByTestId('visitor-visibility').textContent(), { timeout: WAIT })
      .toBe('hidden');
  });
});
