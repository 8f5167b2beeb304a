// The console in real Chromium against the real service over real sockets. Run it with
// `pnpm test:browser` (builds dist/ first). Set BECKON_UPDATE_SCREENSHOT=1 to refresh
// docs/images/agent-console.png from it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVisitor, type Visitor } from '@beckon/core';
import { createPresenceServer, mintAgentToken, type PresenceServer } from '@beckon/server';
import { webSocketTransport } from '@beckon/transport-ws';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { launchChromium } from '../../../../packages/ui-dom/test/browser/launchChromium.js';
import {
  type StaticServer,
  startStaticServer,
} from '../../../../packages/ui-dom/test/browser/startStaticServer.js';

import { distRoutes } from './distRoutes.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = join(here, '..', '..', '..', '..', 'docs', 'images', 'agent-console.png');
const GROUP = 'demo';
const SECRET = 'agent-console-browser-secret-0123456789abcdef';
const groups = { [GROUP]: { presence: true, termsUrl: '/terms', agentSecrets: [SECRET] } };

let server: PresenceServer;
let site: StaticServer;
let browser: Browser;
let token: string;
const visitors: Visitor[] = [];

function visitor(visitorId: string, options: { visible?: boolean; answer?: 'accepted' } = {}) {
  const v = createVisitor({
    transport: webSocketTransport({ url: server.url, WebSocket }),
    visible: options.visible ?? true,
    ui: {
      show(_request, respond) {
        // A person needs a moment to read the dialog.
        const timer = setTimeout(() => respond(options.answer ?? 'accepted'), 400);
        return () => clearTimeout(timer);
      },
    },
  });
  v.init({ groupId: GROUP, visitorId });
  v.connect();
  visitors.push(v);
  return v;
}

/** Presence is not queued while connecting (as in the spec): wait for the welcome. */
async function connected(v: Visitor): Promise<Visitor> {
  await expect.poll(() => v.getSnapshot().connection).toBe('connected');
  return v;
}

async function openConsole(config: Record<string, unknown>): Promise<Page> {
  site.route('/beckon-config.json', JSON.stringify(config));
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(`${site.origin}/`);
  return page;
}

beforeAll(async () => {
  server = await createPresenceServer({ port: 0, host: '127.0.0.1', logLevel: 'silent', groups });
  token = await mintAgentToken({
    groupId: GROUP,
    agentId: 'agent-1',
    secret: SECRET,
    expiresIn: '1h',
  });
  site = await startStaticServer(distRoutes());
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  for (const v of visitors) v.disconnect();
  await browser?.close();
  await site?.close();
  await server?.close();
});

describe('agent console in Chromium', () => {
  it('lists visitors, connects one with one click, and shows the timeline', async () => {
    const page = await openConsole({ serverUrl: server.url, groupId: GROUP, agentToken: token });
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('connected');
    await page.getByTestId('list-empty').waitFor();

    const alice = await connected(visitor('alice-42'));
    alice.presence({ url: '/checkout', c_plan: 'enterprise', c_cart: '3 items' });
    const bob = await connected(visitor('bob-7', { visible: false }));
    bob.presence({ url: '/products/headphones', c_plan: 'free' });
    visitor('alice-42'); // a second tab
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(2);
    const aliceRow = page.locator('[data-testid="visitor-row"][data-visitor-id="alice-42"]');
    await expect.poll(() => aliceRow.getByTestId('visitor-instances').textContent()).toBe('2');
    await expect.poll(() => aliceRow.getByTestId('visitor-url').textContent()).toBe('/checkout');
    const bobRow = page.locator('[data-testid="visitor-row"][data-visitor-id="bob-7"]');
    await expect.poll(() => bobRow.getByTestId('visitor-visibility').textContent()).toBe('hidden');

    await aliceRow.click();
    await page.getByTestId('one-click-connect').click();
    await expect
      .poll(() => page.getByTestId('delivery-status').getAttribute('data-state'))
      .toBe('delivered');
    const detail = page.getByTestId('visitor-detail');
    await detail.locator('[data-kind="sessionStart"]').waitFor();
    await detail.locator('[data-kind="terms"][data-status="accepted"]').waitFor();
    await detail.locator('[data-kind="terms"][data-status="displayed"]').waitFor();

    const shot = join(tmpdir(), 'agent-console.png');
    await page.screenshot({ path: shot });
    if (process.env.BECKON_UPDATE_SCREENSHOT) {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      copyFileSync(shot, SCREENSHOT);
    }
    // Narrow windows stack the panes; a second picture to look at.
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.screenshot({ path: join(tmpdir(), 'agent-console-900.png'), fullPage: true });
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows reconnecting while the service restarts, then recovers', async () => {
    const page = await openConsole({ serverUrl: server.url, groupId: GROUP, agentToken: token });
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('connected');
    await expect.poll(() => page.getByTestId('visitor-row').count()).toBe(2);
    const { port } = server;
    await server.close();
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('reconnecting');
    await page.getByTestId('connection-banner').waitFor();
    await page.screenshot({ path: join(tmpdir(), 'agent-console-reconnecting.png') });
    server = await createPresenceServer({ port, host: '127.0.0.1', logLevel: 'silent', groups });
    await expect
      .poll(() => page.getByTestId('agent-status').textContent(), { timeout: 15_000 })
      .toBe('connected');
    // The visitors reconnect by themselves too; the list is right again.
    await expect.poll(() => page.getByTestId('visitor-row').count(), { timeout: 15_000 }).toBe(2);
    await page.close();
  }, 40_000);

  it('says a bad token was refused and offers the sign-in form', async () => {
    const page = await openConsole({ serverUrl: server.url, groupId: GROUP, agentToken: 'bad' });
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('refused');
    expect(await page.getByTestId('refused-reason').textContent()).toMatch(
      /invalid or has expired/,
    );
    await page.getByTestId('token-input').fill(token);
    await page.getByTestId('sign-in').click();
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('connected');
    await page.close();
  }, 20_000);
});
