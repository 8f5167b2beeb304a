import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from './launchChromium.js';
import { TERMS_PAGE } from './pages.js';
import { type Backend, startBackend } from './startBackend.js';
import { type StaticServer, startStaticServer } from './startStaticServer.js';

// An app bundled the way a bundler with code splitting ships it: the page loads its entry
// and the shared chunk, and the consent dialog's chunk must come over the network only
// when the agent's first request does — then show, and answer, as ever.

let browser: Browser;
let backend: Backend;
let site: StaticServer;
let context: BrowserContext | undefined;
let visitorCount = 0;
let dialogChunk: string;

const APP = (serverUrl: string) => `
import { createVisitor } from '@beckon/core';
import { webSocketTransport } from '@beckon/transport-ws';
import { createConsentDialog } from '../../src/index.js';

const vid = new URLSearchParams(location.search).get('vid');
const visitor = createVisitor({
  transport: webSocketTransport({ url: ${JSON.stringify(serverUrl)} }),
  ui: createConsentDialog({ locale: 'en' }),
});
visitor.on('connected', ({ connectionId }) => { window.connectionId = connectionId; });
visitor.init({ groupId: 'demo', visitorId: vid });
visitor.connect();
`;

/** The app's files, split by esbuild, keyed by the path they are served at. */
async function bundleApp(serverUrl: string): Promise<Record<string, string>> {
  const result = await build({
    stdin: {
      contents: APP(serverUrl),
      loader: 'js',
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      sourcefile: 'app.js',
    },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/app',
    write: false,
    conditions: ['@beckon/source', 'module'],
    logLevel: 'warning',
  });
  return Object.fromEntries(result.outputFiles.map((f) => [f.path, f.text]));
}

beforeAll(async () => {
  const [b, be] = await Promise.all([launchChromium(), startBackend()]);
  browser = b;
  backend = be;
  const files = await bundleApp(backend.server.url);
  dialogChunk = Object.keys(files).find((path) => path.includes('consentDialogView')) ?? '';
  site = await startStaticServer({
    ...files,
    '/app.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><button id="help">Help</button><script type="module" src="/app/stdin.js"></script></body></html>`,
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

async function openApp(): Promise<{ page: Page; vid: string; fetched: string[] }> {
  context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  const fetched: string[] = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  const vid = `lazy-${++visitorCount}`;
  await page.goto(`${site.origin}/app.html?vid=${vid}`);
  await page.waitForFunction(
    () => (window as unknown as { connectionId?: string }).connectionId !== undefined,
  );
  return { page, vid, fetched };
}

const termsOf = (vid: string) =>
  backend
    .eventsOf(vid)
    .filter((e) => e.type === 'terms')
    .map((e) => (e.type === 'terms' ? e.status : ''));

describe('the consent dialog, loaded on demand in Chromium', () => {
  it('is split into its own chunk by the bundler', () => {
    expect(dialogChunk).toMatch(/^\/app\/consentDialogView-.*\.js$/);
  });

  it('is fetched with the first request, not before; then shows and answers', async () => {
    const { page, vid, fetched } = await openApp();
    expect(fetched).not.toContain(dialogChunk);

    await backend.agent.showTerms(vid, { sessionKey: 'case-5' });
    await page.locator('dialog').waitFor({ state: 'visible' });
    expect(fetched.filter((path) => path === dialogChunk)).toHaveLength(1);
    expect(await page.getByRole('dialog', { name: 'Share your screen?' }).textContent()).toContain(
      'Session key: case-5',
    );

    // Decline has focus; declining leaves the visitor free for the next request.
    await page.keyboard.press('Enter');
    await page.locator('dialog').waitFor({ state: 'detached' });
    await vi.waitFor(() => expect(termsOf(vid)).toEqual(['displayed', 'declined']), {
      timeout: 5000,
    });

    // The next request finds the code loaded: no second fetch.
    await backend.agent.showTerms(vid, { sessionKey: 'case-6' });
    await page.locator('dialog').waitFor({ state: 'visible' });
    expect(fetched.filter((path) => path === dialogChunk)).toHaveLength(1);
  });
});
