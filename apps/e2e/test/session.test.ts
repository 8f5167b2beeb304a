import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createAgent } from '@beckon/core/agent';
import {
  createPresenceServer,
  mintAgentToken,
  type PresenceServer,
  type SessionFrameTap,
} from '@beckon/server';
import { DEMO_AGENT_SECRET, demoGroups } from '@beckon/server/demo';
import { webSocketTransport } from '@beckon/transport-ws';
import type { Browser, BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { root } from '../../../scripts/stack.mjs';
import { type BrowserStack, startBrowserStack } from './browserStack.js';

// A co-browse session as a person sees it: the shop and the agent console built as `pnpm
// start` serves them, against the real service — run in this process, so that every chunk
// it relays can be read (its `onSessionFrame` tap) and proven free of what must stay private.
// BECKON_UPDATE_SCREENSHOT=1 copies the screenshots into docs/images (docs/session.md).
const shots = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
const publish = (name: string) => {
  if (process.env.BECKON_UPDATE_SCREENSHOT) {
    copyFileSync(join(shots, name), join(root, 'docs', 'images', name));
  }
};
const VISITOR = 'e2e-cobrowse';
const WAIT = 15_000;
const OTHER_SECRET = 'other-group-agent-secret-0123456789abcdef';

let server: PresenceServer;
let stack: BrowserStack;
let consoleUrl: string;
let demoUrl: string;
let browser: Browser;
let agentSide: BrowserContext;
let visitorSide: BrowserContext;
let agentPage: Page;
let shop: Page;
const frames: SessionFrameTap[] = [];

const byTestId = (page: Page, id: string) => page.getByTestId(id);
const consentDialog = (tab: Page): Locator =>
  tab.getByRole('dialog', { name: 'Share your screen?' });
const banner = (tab: Page) =>
  tab.getByRole('region', { name: 'A support agent is viewing this page' });
const timeline = (page: Page, kind: string) =>
  page.locator(`[data-testid="timeline-entry"][data-kind="${kind}"]`);

/** Every message the service relayed, decoded (chunks joined, gzip undone). */
function relayed(from = 0): { kind: string; parts: number; text: string }[] {
  const out: { kind: string; parts: number; text: string }[] = [];
  let pieces: string[] = [];
  for (const frame of frames.slice(from)) {
    if (frame.part === 0) pieces = [];
    pieces.push(frame.data);
    if (pieces.length < frame.parts) continue;
    const data = pieces.join('');
    const text = data.startsWith('g')
      ? gunzipSync(Buffer.from(data.slice(1), 'base64')).toString('utf8')
      : data.slice(1);
    out.push({ kind: frame.kind, parts: frame.parts, text });
  }
  return out;
}

/** The shop as the agent sees it: the document inside a console's live view. */
async function liveFrame(page: Page): Promise<Frame> {
  const iframe = page.locator('[data-testid="live-container"] iframe');
  await iframe.waitFor({ timeout: WAIT });
  const frame = await (await iframe.elementHandle())?.contentFrame();
  if (!frame) throw new Error('no live view');
  return frame;
}

async function openConsole(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(consoleUrl);
  // Locators wait in hooks too (expect.poll is for tests only).
  await byTestId(page, 'agent-status')
    .filter({ hasText: /^connected$/ })
    .waitFor();
  await page.locator(`[data-testid="visitor-row"][data-visitor-id="${VISITOR}"]`).click();
  return page;
}

/** Share of the pixels of an element's screenshot in the shop's teal (its header and logo). */
async function tealShare(page: Page, locator: Locator): Promise<number> {
  const png = (await locator.screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    if (!context) return 0;
    context.drawImage(image, 0, 0);
    const { data: px } = context.getImageData(0, 0, image.width, image.height);
    let teal = 0;
    // #0f766e, give or take the scaling's blending.
    for (let i = 0; i < px.length; i += 4) {
      if (
        Math.abs(px[i]! - 15) < 24 &&
        Math.abs(px[i + 1]! - 118) < 24 &&
        Math.abs(px[i + 2]! - 110) < 24
      )
        teal++;
    }
    return teal / (px.length / 4);
  }, png);
}

async function oneClickConnect(page: Page) {
  await byTestId(page, 'one-click-connect').click();
  await consentDialog(shop).waitFor({ state: 'visible', timeout: WAIT });
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await createPresenceServer({
    port: 0,
    logLevel: 'silent',
    groups: { ...demoGroups(), other: { presence: true, agentSecrets: [OTHER_SECRET] } },
    onSessionFrame: (frame) => frames.push(frame),
  });
  stack = await startBrowserStack(server);
  ({ consoleUrl, demoUrl, browser, agentSide, visitorSide } = stack);

  shop = await visitorSide.newPage();
  shop.setDefaultTimeout(WAIT);
  await shop.goto(`${demoUrl}?visitor=${VISITOR}`);
  await byTestId(shop, 'connection-status')
    .filter({ hasText: /^connected$/ })
    .waitFor();
  agentPage = await openConsole(agentSide);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await server?.close();
});

describe('a co-browse session in Chromium, from One-Click Connect to Stop', () => {
  it('relays nothing before Accept, and nothing after Decline', async () => {
    await oneClickConnect(agentPage);
    await shop.waitForTimeout(300);
    expect(frames).toEqual([]);
    await shop.getByRole('button', { name: 'Decline' }).click();
    await timeline(agentPage, 'terms')
      .filter({ hasText: 'declined' })
      .first()
      .waitFor({ timeout: WAIT });
    await shop.waitForTimeout(500);
    expect(frames).toEqual([]);
    expect(server.hub.sessionCounts().host).toBe(0);
    expect(await banner(shop).count()).toBe(0);
  });

  it('Accept: within 2 s the console’s live view shows the shop', async () => {
    await oneClickConnect(agentPage);
    const accepted = Date.now();
    await shop.getByRole('button', { name: 'Accept' }).click();
    const view = await liveFrame(agentPage);
    await view
      .locator('h1')
      .filter({ hasText: 'Gear for the long way round.' })
      .waitFor({ timeout: WAIT });
    const elapsed = Date.now() - accepted;
    console.info(`Accept → the shop in the console's live view: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(2_000);
    await expect
      .poll(() => byTestId(agentPage, 'live-status').getAttribute('data-status'), { timeout: WAIT })
      .toBe('live');
    // The pixels agree: the shop's teal header is in the view.
    await agentPage.waitForTimeout(300);
    expect(await tealShare(agentPage, byTestId(agentPage, 'live-container'))).toBeGreaterThan(0.02);
    await banner(shop).waitFor({ timeout: WAIT });
    await expect
      .poll(() => byTestId(agentPage, 'live-viewers').textContent(), { timeout: WAIT })
      .toBe('1 viewer');
    await agentPage.screenshot({ path: join(shots, 'session-console.png') });
    await shop.screenshot({ path: join(shots, 'session-shop.png') });
    publish('session-console.png');
    publish('session-shop.png');
  });

  it('follows the visitor to another page (same key, no second dialog); the search box is readable', async () => {
    const dialogsBefore = await consentDialog(shop).count();
    await byTestId(shop, 'nav-products').click();
    await expect
      .poll(() => byTestId(shop, 'connection-status').textContent(), { timeout: WAIT })
      .toBe('connected');
    const view = await liveFrame(agentPage);
    await view.locator('h1').filter({ hasText: 'All products' }).waitFor({ timeout: WAIT });
    expect(await consentDialog(shop).count()).toBe(dialogsBefore);
    expect(
      await shop.evaluate(
        () =>
          (
            window as unknown as {
              beckonDemo: { visitor: { getSnapshot(): { sessionKey?: string } } };
            }
          ).beckonDemo.visitor.getSnapshot().sessionKey,
      ),
    ).toBe(VISITOR);
    await byTestId(shop, 'product-search').fill('shell');
    await expect
      .poll(() => view.locator('#product-search').inputValue(), { timeout: WAIT })
      .toBe('shell');
  });

  it('never lets masked or password text reach the service', async () => {
    const from = frames.length;
    await byTestId(shop, 'nav-cart').click();
    const view = await liveFrame(agentPage);
    await view.locator('h1').filter({ hasText: 'Your cart' }).waitFor({ timeout: WAIT });
    await byTestId(shop, 'checkout-email').fill('jane.private@example.com');
    await byTestId(shop, 'checkout-card').fill('4111 1111 1111 1111');
    await byTestId(shop, 'checkout-password').fill('correct-horse-battery');
    await expect
      .poll(() => view.locator('#checkout-email').inputValue(), { timeout: WAIT })
      .toMatch(/^\*{24}$/);
    const text = relayed(from)
      .map((m) => m.text)
      .join('\n');
    const all = relayed()
      .map((m) => m.text)
      .join('\n');
    expect(text).toContain('Your cart');
    for (const secret of ['jane.private', '4111', 'correct-horse', 'Visa', '4242', 'Jane Doe']) {
      expect(all, secret).not.toContain(secret);
    }
    // The private block is an empty box for the agent.
    expect(await view.locator('.saved-payment').textContent()).toBe('');
    await agentPage.screenshot({ path: join(shots, 'session-cart-masked.png') });
    publish('session-cart-masked.png');
  });

  it('a late-joining agent sees the current page; two agents watch at once', async () => {
    const second = await openConsole(
      await browser.newContext({ viewport: { width: 1280, height: 800 } }),
    );
    const view = await liveFrame(second);
    await view.locator('h1').filter({ hasText: 'Your cart' }).waitFor({ timeout: WAIT });
    await expect
      .poll(() => byTestId(agentPage, 'live-viewers').textContent(), { timeout: WAIT })
      .toBe('2 viewers');
    // Both follow what the visitor does next.
    await shop
      .getByRole('link', { name: 'Browse products' })
      .or(byTestId(shop, 'nav-products'))
      .first()
      .click();
    for (const page of [agentPage, second]) {
      await (await liveFrame(page))
        .locator('h1')
        .filter({ hasText: 'All products' })
        .waitFor({ timeout: WAIT });
    }
    await second.close();
    await expect
      .poll(() => byTestId(agentPage, 'live-viewers').textContent(), { timeout: WAIT })
      .toBe('1 viewer');
  });

  it('a frame bigger than one chunk (a large DOM) arrives whole', async () => {
    const from = frames.length;
    // Text that does not compress: 200 KB of random words in one mutation.
    await shop.evaluate(() => {
      const block = document.createElement('section');
      block.id = 'large-dom';
      const words: string[] = [];
      for (let i = 0; i < 2_000; i++) {
        const p = document.createElement('p');
        p.textContent = `${i} ${Math.random().toString(36).repeat(3)} ${crypto.randomUUID()}`;
        words.push(p.textContent);
        block.append(p);
      }
      const last = document.createElement('p');
      last.id = 'large-dom-end';
      last.textContent = 'end of the large block';
      block.append(last);
      document.querySelector('main')?.append(block);
    });
    const view = await liveFrame(agentPage);
    await view.locator('#large-dom-end').waitFor({ state: 'attached', timeout: WAIT });
    expect(await view.locator('#large-dom p').count()).toBe(2_001);
    expect(relayed(from).some((m) => m.parts > 1)).toBe(true);
  });

  it('End in the console: the banner goes and recording stops', async () => {
    await byTestId(agentPage, 'live-end').click();
    await banner(shop).waitFor({ state: 'detached', timeout: WAIT });
    await timeline(agentPage, 'sessionEnd')
      .filter({ hasText: 'ended by agent e2e-agent' })
      .first()
      .waitFor({ timeout: WAIT });
    const after = frames.length;
    await byTestId(shop, 'product-search').fill('after the end');
    await shop.waitForTimeout(400);
    expect(frames.length).toBe(after);
  });

  it('Stop on the banner: the agent sees sessionEnd with the reason within a second', async () => {
    await oneClickConnect(agentPage);
    await shop.getByRole('button', { name: 'Accept' }).click();
    await (await liveFrame(agentPage)).locator('h1').first().waitFor({ timeout: WAIT });
    const stopped = Date.now();
    await banner(shop).getByRole('button', { name: 'Stop' }).click();
    await timeline(agentPage, 'sessionEnd')
      .filter({ hasText: 'visitor stopped sharing' })
      .first()
      .waitFor({ timeout: WAIT });
    expect(Date.now() - stopped).toBeLessThan(1_000);
  });

  it('keeps other groups out, and a wrong key gets a typed error', async () => {
    await oneClickConnect(agentPage);
    await shop.getByRole('button', { name: 'Accept' }).click();
    await banner(shop).waitFor({ timeout: WAIT });
    const agentOf = async (groupId: string, secret: string) => {
      const agent = createAgent({
        transport: webSocketTransport({ url: server.url, WebSocket }),
        sessionTransport: webSocketTransport({ url: server.sessionUrl, WebSocket }),
        groupId,
        token: await mintAgentToken({
          groupId,
          agentId: `${groupId}-agent`,
          secret,
          expiresIn: '1h',
        }),
      });
      agent.connect();
      await expect.poll(() => agent.getSnapshot().status, { timeout: WAIT }).toBe('connected');
      return agent;
    };
    const stranger = await agentOf('other', OTHER_SECRET);
    await expect(stranger.joinSession(VISITOR)).rejects.toMatchObject({
      name: 'AgentRequestError',
      code: 'sessionNotFound',
    });
    const colleague = await agentOf('demo', DEMO_AGENT_SECRET);
    await expect(colleague.joinSession('no-such-key')).rejects.toMatchObject({
      code: 'sessionNotFound',
    });
    const session = await colleague.joinSession(VISITOR);
    expect(session.visitorId).toBe(VISITOR);
    session.leave();
    for (const agent of [stranger, colleague]) agent.actor.stop();
  });
});
