// The console in real Chromium with a group of 20,000 visitors, each with the largest
// presence data the spec allows, against a baseline of 100 in the same run: the page holds
// only the rows in view, and neither loading nor a search keystroke costs in proportion to
// the group. Runs in the test command (after `vite build`, which `test` depends on).
import { createPresenceServer, mintAgentToken, type PresenceServer } from '@beckon/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../../packages/ui-dom/test/browser/launchChromium.js';
import {
  type StaticServer,
  startStaticServer,
} from '../../../../packages/ui-dom/test/browser/startStaticServer.js';
import { distRoutes } from './distRoutes.js';

const SECRET = 'agent-console-large-group-secret-0123456789abcdef';
const BIG = 20_000;
const SMALL = 100;
// Listing 200 MB is paced by an agent's rate limit; these groups let their agents go fast.
const fast = { perSecond: 1_000_000, burst: 1_000_000 };
const groups = {
  big: { presence: true, agentSecrets: [SECRET], agentRateLimit: fast },
  small: { presence: true, agentSecrets: [SECRET], agentRateLimit: fast },
};

/** 20 properties, 10,000 characters of names and values: the spec's maximum. */
function maximalPresence(i: number): Record<string, string> {
  const long = (n: number) => `${i}-`.padEnd(n, 'abcdefghij').slice(0, n);
  const data: Record<string, string> = {
    url: `/page/${i}/${long(1_990)}`,
    title: long(2_000),
    referrer: long(2_000),
    c_a: long(2_000),
  };
  for (let k = 0; k < 16; k++) data[`c_${String.fromCharCode(98 + k)}`] = long(120);
  return data;
}

async function fill(server: PresenceServer, groupId: string, count: number) {
  for (let i = 0; i < count; i++) {
    const visitorId = `v${String(i).padStart(6, '0')}`;
    await server.registry.connect({
      groupId,
      visitorId,
      connectionId: `c-${i}`,
      visible: true,
      at: 1_000_000 + i,
    });
    await server.registry.setPresence({
      groupId,
      visitorId,
      data: maximalPresence(i),
      at: 1_000_000 + i,
    });
  }
}

let server: PresenceServer;
let site: StaticServer;
let browser: Browser;

beforeAll(async () => {
  server = await createPresenceServer({ port: 0, logLevel: 'silent', groups });
  await fill(server, 'big', BIG);
  await fill(server, 'small', SMALL);
  site = await startStaticServer(distRoutes());
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

interface Run {
  page: Page;
  /** From navigation to every visitor counted and rows painted. */
  loadMs: number;
  /** The longest task the page ran while loading (a frozen page has a long one). */
  longestTaskMs: number;
  rows: number;
}

async function openConsole(groupId: string, count: number): Promise<Run> {
  const token = await mintAgentToken({ groupId, agentId: 'agent', secret: SECRET, expiresIn: 600 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.addInitScript(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longest = Math.max(w.longest, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const query = new URLSearchParams({ server: server.url, group: groupId, token });
  const started = Date.now();
  await page.goto(`${site.origin}/?${query}`);
  await page
    .getByTestId('visitor-count')
    .filter({ hasText: new RegExp(`^${count} visitors$`) })
    .waitFor({ timeout: 60_000 });
  await page.getByTestId('visitor-row').first().waitFor();
  const loadMs = Date.now() - started;
  const longestTaskMs = await page.evaluate(
    () => (window as unknown as { longest: number }).longest,
  );
  const rows = await page.getByTestId('visitor-row').count();
  expect(problems).toEqual([]);
  return { page, loadMs, longestTaskMs, rows };
}

/** Types `text` into the search box; resolves with the ms until the count shows `expected`. */
async function searchFor(page: Page, text: string, expected: string): Promise<number> {
  // Frames are only painted for the page in front.
  await page.bringToFront();
  return page.evaluate(
    ([value, want]) =>
      new Promise<number>((resolve, reject) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid="visitor-search"]');
        const count = document.querySelector('[data-testid="visitor-count"]');
        if (!input || !count) throw new Error('no search box');
        const start = performance.now();
        const done = () => {
          if (count.textContent?.trim() !== want) return false;
          // Measured once the frame that shows it is painted.
          requestAnimationFrame(() => resolve(performance.now() - start));
          return true;
        };
        const watch = new MutationObserver(() => {
          if (done()) watch.disconnect();
        });
        watch.observe(count, { subtree: true, characterData: true, childList: true });
        setTimeout(
          () => reject(new Error(`count never read "${want}": "${count.textContent}"`)),
          20_000,
        );
        // As a keystroke does: React listens to the input event.
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
        setter?.call(input, value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        if (done()) watch.disconnect();
      }),
    [text, expected] as const,
  );
}

describe('the console with 20,000 visitors carrying maximal presence data', () => {
  it('renders only the rows in view, loads 20,000 visitors and finds one by ID or by a presence field', async () => {
    const small = await openConsole('small', SMALL);
    const big = await openConsole('big', BIG);

    // The page holds the rows in view (900 px of 64 px rows) and a few more, not 20,000.
    expect(big.rows).toBeLessThanOrEqual(40);
    expect(big.rows).toBeGreaterThanOrEqual(8);
    expect(big.rows).toBeLessThanOrEqual(small.rows + 1);

    // A keystroke: one visitor out of the whole group, by ID and by a presence field (the
    // search box is cleared in between, so each count is a new one).
    const smallSearch = await searchFor(small.page, 'v000042', `1 of ${SMALL} visitors`);
    const bigSearch = await searchFor(big.page, 'v012345', `1 of ${BIG} visitors`);
    await searchFor(big.page, '', `${BIG} visitors`);
    const bigField = await searchFor(big.page, '/page/19999/', `1 of ${BIG} visitors`);
    // No match at all makes the search read every field of every visitor.
    const bigNone = await searchFor(big.page, 'no-such-thing', `0 of ${BIG} visitors`);

    const figures = {
      loadMs: { small: small.loadMs, big: big.loadMs },
      longestTaskMs: { small: small.longestTaskMs, big: big.longestTaskMs },
      searchMs: { small: smallSearch, big: bigSearch, bigField, bigNone },
      rows: { small: small.rows, big: big.rows },
    };
    console.info(`[agent console, ${BIG} maximal visitors] ${JSON.stringify(figures)}`);

    // The timings are reported, not asserted: speed belongs to the benchmarks, and a
    // shared machine makes any bound here either loose or flaky. What is asserted is that
    // every search found exactly what it should among 20,000 visitors (searchFor waits for
    // the count), and that the page never held more than a window of rows.
    // Scrolling to the end shows the last visitor, still with only a window of rows.
    await searchFor(big.page, '', `${BIG} visitors`);
    await big.page.locator('.visitor-list').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await big.page.locator('[data-visitor-id="v000000"]').waitFor();
    expect(await big.page.getByTestId('visitor-row').count()).toBeLessThanOrEqual(40);
    await small.page.close();
    await big.page.close();
  }, 180_000);
});
