import { join } from 'node:path';
import { mintAgentToken, type PresenceServer } from '@beckon/server';
import { DEMO_AGENT_SECRET } from '@beckon/server/demo';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../../../packages/ui-dom/test/browser/launchChromium.js';
import { root, serveApp } from '../../../scripts/stack.mjs';

/** The built agent console and demo shop, served against `server`, and Chromium for both sides. */
export interface BrowserStack {
  consoleUrl: string;
  demoUrl: string;
  browser: Browser;
  /** The agent's browser profile (a wide window). */
  agentSide: BrowserContext;
  /** The visitor's browser profile, apart from the agent's. */
  visitorSide: BrowserContext;
  /** Closes the browser and both apps (not the server). */
  close(): Promise<void>;
}

/**
 * Serves the built console (signed in with a demo agent token) and demo shop for the demo
 * group of `server`, and opens Chromium with one profile per side, as a person at each end
 * would have.
 *
 * @example
 * const stack = await startBrowserStack(server);
 * const page = await stack.agentSide.newPage();
 * await page.goto(stack.consoleUrl);
 */
export async function startBrowserStack(server: PresenceServer): Promise<BrowserStack> {
  const agentToken = await mintAgentToken({
    groupId: 'demo',
    agentId: 'e2e-agent',
    secret: DEMO_AGENT_SECRET,
    expiresIn: '1h',
  });
  const apps = [
    await serveApp({
      dir: join(root, 'apps', 'agent-console', 'dist'),
      port: 0,
      host: '127.0.0.1',
      config: () => ({ serverUrl: server.url, groupId: 'demo', agentToken }),
    }),
    await serveApp({
      dir: join(root, 'apps', 'visitor-demo', 'dist'),
      port: 0,
      host: '127.0.0.1',
      config: () => ({ serverUrl: server.url, groupId: 'demo' }),
    }),
  ];
  const browser = await launchChromium();
  return {
    consoleUrl: apps[0]!.url,
    demoUrl: apps[1]!.url,
    browser,
    agentSide: await browser.newContext({ viewport: { width: 1440, height: 900 } }),
    visitorSide: await browser.newContext({ viewport: { width: 1100, height: 760 } }),
    async close() {
      await browser.close();
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}
