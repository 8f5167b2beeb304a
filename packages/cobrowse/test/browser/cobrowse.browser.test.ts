// The co-browse session in real Chromium against the real service: privacy rules checked on
// every chunk the service relays, what the agent's view shows, the banner and its Stop, the
// agent pointer. BECKON_UPDATE_SCREENSHOT=1 refreshes docs/images/cobrowse-privacy.png.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Visitor } from '@beckon/core';
import type { AgentSession } from '@beckon/core/agent';
import {
  createPresenceServer,
  mintAgentToken,
  type PresenceServer,
  type SessionFrameTap,
} from '@beckon/server';
import { build } from 'esbuild';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../ui-dom/test/browser/launchChromium.js';
import {
  type StaticServer,
  startStaticServer,
} from '../../../ui-dom/test/browser/startStaticServer.js';
import type { CobrowseViewer } from '../../src/viewer/index.js';
import { VIEWER_PAGE, VISITOR_PAGE } from './pages.js';

/** What the test pages put on `window`. */
type TestWindow = Window & {
  visitor: Visitor;
  session: AgentSession;
  viewer: CobrowseViewer;
  viewerStates: string[];
};

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, '..', 'screenshots');
const DOC_IMAGE = join(here, '..', '..', '..', '..', 'docs', 'images', 'cobrowse-privacy.png');
const SECRET = 'cobrowse-browser-tests-secret-0123456789abcdef';
const WAIT = 10_000;

let server: PresenceServer;
let site: StaticServer;
let browser: Browser;
let token: string;
const frames: SessionFrameTap[] = [];

/** Everything the service relayed, decoded back to text (chunks joined, gzip undone). */
function relayedText(): string {
  const out: string[] = [];
  let pieces: string[] = [];
  for (const frame of frames) {
    if (frame.part === 0) pieces = [];
    pieces.push(frame.data);
    if (pieces.length < frame.parts) continue;
    const data = pieces.join('');
    out.push(
      data.startsWith('g')
        ? gunzipSync(Buffer.from(data.slice(1), 'base64')).toString('utf8')
        : data.slice(1),
    );
  }
  return out.join('\n');
}

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'fixtures', entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['@beckon/source', 'module', 'browser'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

async function until<T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + WAIT;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: last saw ${JSON.stringify(last)}`);
}

/** The replayed document inside the viewer. */
async function replayFrame(viewer: Page): Promise<Frame> {
  await viewer.locator('[data-testid="cobrowse-stage"] iframe').waitFor({ timeout: WAIT });
  const handle = await viewer.locator('[data-testid="cobrowse-stage"] iframe').elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error('no replay frame');
  return frame;
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await createPresenceServer({
    port: 0,
    logLevel: 'silent',
    groups: { demo: { presence: true, agentSecrets: [SECRET] } },
    onSessionFrame: (frame) => frames.push(frame),
  });
  token = await mintAgentToken({
    groupId: 'demo',
    agentId: 'agent-7',
    secret: SECRET,
    expiresIn: '1h',
  });
  site = await startStaticServer({
    '/visitor.html': VISITOR_PAGE,
    '/viewer.html': VIEWER_PAGE,
    '/visitor.js': await bundle('visitorEntry.ts'),
    '/viewer.js': await bundle('viewerEntry.ts'),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

describe('a co-browse session in Chromium', () => {
  let visitor: Page;
  let viewer: Page;

  it('shows the agent the page live, private by default, with only opted-in fields readable', async () => {
    visitor = await browser.newPage({ viewport: { width: 900, height: 700 } });
    visitor.setDefaultTimeout(WAIT);
    await visitor.goto(
      `${site.origin}/visitor.html?vid=alice&server=${encodeURIComponent(server.url)}`,
    );
    await until(
      () =>
        visitor.evaluate(() => (window as unknown as TestWindow).visitor.getSnapshot().connection),
      (c) => c === 'connected',
      'visitor connects',
    );
    await visitor.locator('#name').fill('Jane Private-Name');
    expect(frames).toEqual([]);

    await visitor.evaluate(() => (window as unknown as TestWindow).visitor.startSession());
    // The banner says sharing is on; nobody watches yet, so nothing is relayed.
    const banner = visitor.getByRole('region', { name: 'A support agent is viewing this page' });
    await banner.waitFor({ timeout: WAIT });
    expect(await banner.getByRole('status').textContent()).toBe(
      'Screen sharing is on: a support agent can join at any time',
    );
    expect(frames).toEqual([]);

    viewer = await browser.newPage({ viewport: { width: 840, height: 540 } });
    viewer.setDefaultTimeout(WAIT);
    await viewer.goto(
      `${site.origin}/viewer.html?key=alice&token=${token}&server=${encodeURIComponent(server.url)}`,
    );
    const replay = await replayFrame(viewer);
    await replay.locator('#title').waitFor({ timeout: WAIT });
    expect(await replay.locator('#title').textContent()).toBe('Account settings');
    await until(
      () => banner.getByRole('status').textContent(),
      (t) => t === 'A support agent is viewing this page',
      'banner counts the viewer',
    );

    await visitor.locator('#search').fill('return policy');
    await visitor.locator('#name').fill('Jane Private-Name, typed again');
    await visitor.locator('#pw').fill('hunter2-password');
    await visitor.locator('#note').fill('my secret note');
    // Focused, not clicked: the banner may cover the bottom of a small window.
    await visitor.locator('#editor').focus();
    await visitor.keyboard.type('confidential draft');
    await until(
      () => replay.locator('#search').inputValue(),
      (v) => v === 'return policy',
      'the unmasked field in the view',
    );
    // Masked fields show one asterisk per character; the private block is an empty box.
    await until(
      () => replay.locator('#name').inputValue(),
      (v) => /^\*+$/.test(v) && v.length > 10,
      'the masked field',
    );
    expect(await replay.locator('#pw').inputValue()).toMatch(/^\**$/);
    // A blocked element keeps only its class and size: an empty box where the account was.
    const box = replay.locator('.card').first();
    expect(await box.textContent()).toBe('');
    expect((await box.boundingBox())?.height).toBeGreaterThan(40);
    expect(await replay.locator('body').textContent()).not.toContain('IBAN');
    await viewer.waitForTimeout(300);
    await viewer.screenshot({ path: join(shots, 'cobrowse-privacy.png') });
    if (process.env.BECKON_UPDATE_SCREENSHOT)
      copyFileSync(join(shots, 'cobrowse-privacy.png'), DOC_IMAGE);

    // Every chunk the service relayed: the opted-in field is there, no secret ever was.
    const relayed = relayedText();
    expect(relayed).toContain('return policy');
    for (const secret of [
      'Jane',
      'Private-Name',
      'hunter2',
      'secret note',
      'confidential',
      'DE89',
      'HIDDEN-CSRF',
    ]) {
      expect(relayed, secret).not.toContain(secret);
    }
    expect(frames.every((f) => f.visitorId === 'alice' && f.sessionKey === 'alice')).toBe(true);
  });

  it('shows the agent’s pointer and click on the visitor’s page', async () => {
    const input = viewer.getByTestId('cobrowse-input');
    const box = await input.boundingBox();
    const stage = await viewer.getByTestId('cobrowse-stage').boundingBox();
    if (!box || !stage) throw new Error('no viewer');
    await viewer.mouse.move(stage.x + 100, stage.y + 80);
    // Moves are sent at most every 50 ms: the second one must not be swallowed.
    await viewer.waitForTimeout(120);
    await viewer.mouse.move(stage.x + 120, stage.y + 90);
    const arrow = visitor.locator('[data-testid="beckon-agent-pointer"] > div').first();
    const scale = await viewer.evaluate(
      () => (window as unknown as TestWindow).viewer.getSnapshot().scale,
    );
    await until(
      () => arrow.getAttribute('data-x'),
      (v) => Math.abs(Number(v) - 120 / scale) <= 2,
      'the agent pointer where the agent points',
    );
    expect(Math.abs(Number(await arrow.getAttribute('data-y')) - 90 / scale)).toBeLessThanOrEqual(
      2,
    );
    await viewer.mouse.click(stage.x + 120, stage.y + 90);
    await visitor
      .locator('[data-testid="beckon-agent-pointer"] [data-click]')
      .first()
      .waitFor({ state: 'attached', timeout: WAIT });
  });

  it('Stop on the banner ends the session for the agent; recording and the banner stop', async () => {
    const banner = visitor.getByRole('region', { name: 'A support agent is viewing this page' });
    const before = frames.length;
    const stopped = Date.now();
    await banner.getByRole('button', { name: 'Stop' }).click();
    await until(
      () => viewer.evaluate(() => (window as unknown as TestWindow).session.state),
      (s) => s === 'ended',
      'the agent’s session to end',
    );
    expect(Date.now() - stopped).toBeLessThan(1_000);
    expect(await viewer.evaluate(() => (window as unknown as TestWindow).viewerStates.at(-1))).toBe(
      'ended',
    );
    expect(await banner.count()).toBe(0);
    expect(
      await visitor.evaluate(() => (window as unknown as TestWindow).visitor.getSnapshot().terms),
    ).toBe('ended');
    // Nothing is captured any more.
    await visitor.locator('#search').fill('after the end');
    await visitor.waitForTimeout(300);
    expect(frames.length).toBe(before);
    expect(await visitor.evaluate(() => sessionStorage.length)).toBe(0);
  });
});
