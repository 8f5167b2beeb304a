#!/usr/bin/env node
// Records the session stream the benchmark replays (bench/fixtures/session-stream.json): the
// demo shop's products page in Chromium, shared through the real service while a script
// scrolls, points, searches and adds to the cart for about 20 s. What is kept is what the
// service relayed — each message once, with its kind and its time — so the load clients
// replay exactly a real page's traffic. Needs the built packages and apps (`pnpm build`).
//
//   node apps/e2e/scripts/recordSessionFixture.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAgent } from '@beckon/core/agent';
import { createPresenceServer, mintAgentToken } from '@beckon/server';
import { DEMO_AGENT_SECRET, demoGroups } from '@beckon/server/demo';
import { webSocketTransport } from '@beckon/transport-ws';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { root, serveApp } from '../../../scripts/stack.mjs';

const OUT = join(root, 'bench', 'fixtures', 'session-stream.json');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const messages = [];
let pieces = [];
let began;
const server = await createPresenceServer({
  port: 0,
  logLevel: 'silent',
  groups: demoGroups(),
  onSessionFrame(frame) {
    if (frame.part === 0) pieces = [];
    pieces.push(frame.data);
    if (pieces.length < frame.parts) return;
    began ??= Date.now();
    messages.push({ at: Date.now() - began, kind: frame.kind, data: pieces.join('') });
  },
});
const demo = await serveApp({
  dir: join(root, 'apps', 'visitor-demo', 'dist'),
  port: 0,
  host: '127.0.0.1',
  config: () => ({ serverUrl: server.url, groupId: 'demo' }),
});
const browser = await chromium.launch({
  executablePath: process.env.BECKON_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${demo.url}products.html?visitor=bench-visitor`);
  await page
    .getByTestId('connection-status')
    .filter({ hasText: /^connected$/ })
    .waitFor();
  await page.evaluate(() => window.beckonDemo.visitor.startSession());
  const agent = createAgent({
    transport: webSocketTransport({ url: server.url, WebSocket }),
    sessionTransport: webSocketTransport({ url: server.sessionUrl, WebSocket }),
    groupId: 'demo',
    token: await mintAgentToken({
      groupId: 'demo',
      agentId: 'recorder',
      secret: DEMO_AGENT_SECRET,
      expiresIn: 600,
    }),
  });
  agent.connect();
  while (agent.getSnapshot().status !== 'connected') await sleep(20);
  const session = await agent.joinSession('bench-visitor');
  while (!messages.some((m) => m.kind === 'snapshot')) await sleep(20);

  // About 20 s of a visitor looking around: pointer, scrolling, a search, the cart.
  for (let i = 0; i < 40; i++) {
    await page.mouse.move(200 + ((i * 37) % 800), 150 + ((i * 53) % 500), { steps: 4 });
    await sleep(50);
  }
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, i < 10 ? 120 : -120);
    await sleep(100);
  }
  const search = page.getByTestId('product-search');
  for (const word of ['shell', 'tent', 'pack']) {
    await search.fill('');
    await search.pressSequentially(word, { delay: 120 });
    await sleep(600);
  }
  await search.fill('');
  for (const button of await page.getByRole('button', { name: /add to cart/i }).all()) {
    await button.click();
    await page.mouse.move(640, 400, { steps: 10 });
    await sleep(300);
  }
  for (let i = 0; i < 60; i++) {
    await page.mouse.move(300 + ((i * 71) % 700), 120 + ((i * 29) % 560), { steps: 3 });
    if (i % 6 === 0) await page.mouse.wheel(0, i % 12 === 0 ? 200 : -200);
    await sleep(60);
  }
  session.leave();
  agent.actor.stop();
} finally {
  await browser.close();
  await demo.close();
  await server.close();
}
const first = messages.findIndex((m) => m.kind === 'snapshot');
const stream = messages.slice(first).map((m) => ({ ...m, at: m.at - (messages[first]?.at ?? 0) }));
const bytes = stream.reduce((sum, m) => sum + m.data.length, 0);
writeFileSync(
  OUT,
  `${JSON.stringify({
    recorded: new Date().toISOString(),
    page: 'visitor-demo products.html, 1280×800',
    durationMs: stream.at(-1)?.at ?? 0,
    messages: stream,
  })}\n`,
);
console.log(`${stream.length} messages, ${bytes} characters over ${stream.at(-1)?.at} ms → ${OUT}`);
