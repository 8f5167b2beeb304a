// The facade in real Chromium against the real service: a visitor page and an agent page
// written only against Glance's web Presence API run the whole One-Click flow on Beckon.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPresenceServer, mintAgentToken, type PresenceServer } from '@beckon/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../ui-dom/test/browser/launchChromium.js';
import { buildIife } from '../../scripts/build-iife.mjs';
import { agentPage, plainVisitorPage, visitorPage } from './pages.js';

const SECRET = 'glance-compat-browser-secret-0123456789abcdef';
const WAIT = 10_000;

interface Logged {
  on: string;
  e?: Record<string, unknown>;
  msg?: unknown;
}

let presence: PresenceServer;
let site: Server;
let origin: string;
let browser: Browser;
const tokenRequests: unknown[] = [];
let refuseTokens = false;

beforeAll(async () => {
  presence = await createPresenceServer({
    groups: { '12345': { presence: true, termsUrl: '/terms', agentSecrets: [SECRET] } },
    logLevel: 'silent',
    graceMs: 300,
  });
  const bundles = {
    '/glance-presence-visitor.js': await buildIife('visitor', { write: false, minify: false }),
    '/glance-presence-agent.js': await buildIife('agent', { write: false, minify: false }),
  };
  // The app's site: the pages, the builds, and its backend's token URL.
  site = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const vid = url.searchParams.get('vid') ?? 'alice';
    const send = (type: string, body: string) =>
      res.writeHead(200, { 'content-type': type }).end(body);
    if (url.pathname in bundles)
      send('text/javascript', bundles[url.pathname as keyof typeof bundles]);
    else if (url.pathname === '/visitor.html') send('text/html', visitorPage(presence.url, vid));
    else if (url.pathname === '/plain.html') send('text/html', plainVisitorPage(presence.url, vid));
    else if (url.pathname === '/agent.html') {
      send(
        'text/html',
        agentPage(presence.url, vid, '/agent-token', url.searchParams.get('token') ?? ''),
      );
    } else if (url.pathname === '/agent-token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      tokenRequests.push(JSON.parse(body));
      if (refuseTokens) {
        res.writeHead(403).end();
        return;
      }
      const token = await mintAgentToken({
        groupId: '12345',
        agentId: 'agent-7',
        secret: SECRET,
        expiresIn: '1h',
      });
      send('application/json', JSON.stringify({ token }));
    } else if (url.pathname === '/terms') send('text/html', '<h1>Terms</h1>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  site?.closeAllConnections();
  await new Promise((resolve) => site?.close(resolve));
  await presence?.close();
});

async function open(path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => console.error(`page error on ${path}:`, error));
  await page.goto(`${origin}${path}`);
  return page;
}

const logOf = (page: Page) => page.evaluate(() => (window as unknown as { log: Logged[] }).log);

async function waitForLog(
  page: Page,
  match: (entry: Logged) => boolean,
  what: string,
): Promise<Logged> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const found = (await logOf(page)).find(match);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no ${what}; log: ${JSON.stringify(await logOf(page))}`);
    await page.waitForTimeout(25);
  }
}

const call = (page: Page, name: string, params: Record<string, unknown> = {}) =>
  page.evaluate(
    ([n, p]) =>
      (window as unknown as { call: (n: string, p: unknown) => Promise<unknown> }).call(n, p),
    [name, params] as const,
  );

async function agentFor(vid: string): Promise<Page> {
  const page = await open(`/agent.html?vid=${vid}`);
  expect(
    await page.evaluate(() => (window as unknown as { authorized: Promise<string> }).authorized),
  ).toBe('ok');
  return page;
}

describe('a page written for the original web Presence API, on Beckon', () => {
  it('runs the One-Click flow: connect, presence, lookup, showTerms, Accept, session start, signals both ways', async () => {
    const agent = await agentFor('alice');
    expect(tokenRequests.at(-1)).toMatchObject({
      service: 'presence',
      groupid: '12345',
      credentials: { partneruserid: 'agent-7' },
      duration: 60,
    });
    const visitor = await open('/visitor.html?vid=alice');

    await waitForLog(
      agent,
      (l) => l.on === 'onvisitorconn' && l.e?.connected === true,
      'visitor connect',
    );
    const seen = await waitForLog(
      agent,
      (l) => l.on === 'onpresence' && l.e?.mydata === 'abc',
      'presence',
    );
    expect(seen.e).toMatchObject({
      url: `${origin}/visitor.html?vid=alice`,
      browser: 'Chrome',
      mydata: 'abc',
      myotherdata: '99999',
    });
    expect(String(seen.e?.platform)).not.toBe('');
    await waitForLog(visitor, (l) => l.on === 'presence success', 'presence onsuccess');

    const lookup = (await call(agent, 'lookupVisitor')) as { success: Record<string, unknown> };
    expect(lookup.success).toMatchObject({
      visitorid: 'alice',
      groupid: '12345',
      url: `${origin}/visitor.html?vid=alice`,
      browser: 'Chrome',
      mydata: 'abc',
    });
    expect(Number(lookup.success.visitorpresent)).toBeGreaterThan(1_600_000_000);

    // The one click: the visitor-side function that shows the terms, with a session key.
    const invoked = call(agent, 'invokeVisitor', {
      func: 'GLANCE.Cobrowse.Visitor.showTerms',
      args: { sessionKey: 'alice-42' },
    });
    const dialog = visitor.getByRole('dialog', { name: 'Share your screen?' });
    await dialog.waitFor({ state: 'visible', timeout: WAIT });
    expect(await dialog.textContent()).toContain('alice-42');
    expect(await invoked).toEqual({ success: null });
    await waitForLog(
      agent,
      (l) => l.on === 'onterms' && l.e?.status === 'displayed',
      'terms displayed',
    );
    await visitor.locator('button.accept').click();
    await waitForLog(
      agent,
      (l) => l.on === 'onterms' && l.e?.status === 'accepted',
      'terms accepted',
    );
    const started = await waitForLog(
      agent,
      (l) => l.on === 'onvisitorsessionstart',
      'session start',
    );
    expect(started.e).toEqual({ sessionkey: 'alice-42' });

    expect(await call(agent, 'signalVisitor', { data: { page: '/help', n: 2 } })).toEqual({
      success: null,
    });
    const signal = await waitForLog(visitor, (l) => l.on === 'signal', 'onsignal');
    expect(signal.msg).toEqual({ page: '/help', n: 2 });

    await visitor.evaluate(() =>
      (window as unknown as { visitor: { fire(t: string, d: object): void } }).visitor.fire(
        'cart',
        { items: 3 },
      ),
    );
    const cart = await waitForLog(agent, (l) => l.on === 'oncart', 'the fired event');
    expect(cart.e).toEqual({ items: '3' });

    await visitor.close();
    await waitForLog(
      agent,
      (l) => l.on === 'onvisitorconn' && l.e?.connected === false,
      'visitor gone',
    );
    await agent.close();
  });

  it('a declined dialog reaches onterms as declined, and no session starts', async () => {
    const agent = await agentFor('bob');
    const visitor = await open('/visitor.html?vid=bob');
    await waitForLog(agent, (l) => l.on === 'onvisitorconn', 'visitor connect');
    const invoked = call(agent, 'invokeVisitor', {
      func: 'GLANCE.Cobrowse.Visitor.showTerms',
      args: { sessionKey: 'bob' },
    });
    await visitor.locator('button.decline').click({ timeout: WAIT });
    expect(await invoked).toEqual({ success: null });
    await waitForLog(
      agent,
      (l) => l.on === 'onterms' && l.e?.status === 'declined',
      'terms declined',
    );
    await visitor.waitForTimeout(300);
    expect((await logOf(agent)).some((l) => l.on === 'onvisitorsessionstart')).toBe(false);
    await visitor.close();
    await agent.close();
  });

  it('an absent visitor gives the original’s callbacks: {} from lookup, visitornotpresent from requests', async () => {
    const agent = await agentFor('nobody');
    expect(await call(agent, 'lookupVisitor')).toEqual({ success: {} });
    expect(
      await call(agent, 'invokeVisitor', { func: 'GLANCE.Cobrowse.Visitor.showTerms', args: {} }),
    ).toEqual({ fail: 'visitornotpresent' });
    expect(await call(agent, 'signalVisitor', { data: 'hello' })).toEqual({
      fail: 'visitornotpresent',
    });
    // Only the allowed visitor functions can be invoked.
    expect(
      await call(agent, 'invokeVisitor', { func: 'GLANCE.Cobrowse.Visitor.startSession' }),
    ).toEqual({
      fail: 'notallowed',
    });
    expect((await logOf(agent)).some((l) => l.on === 'onvisitorconn')).toBe(false);
    await agent.close();
  });

  it('the script tag alone starts presence, as the original’s default behavior', async () => {
    const agent = await agentFor('carol');
    const visitor = await open('/plain.html?vid=carol');
    await waitForLog(
      agent,
      (l) => l.on === 'onvisitorconn' && l.e?.connected === true,
      'visitor connect',
    );
    const seen = await waitForLog(agent, (l) => l.on === 'onpresence', 'presence');
    expect(seen.e).toMatchObject({ url: `${origin}/plain.html?vid=carol`, browser: 'Chrome' });
    // Hidden and shown again: the page reports its visibility by itself.
    await visitor.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitForLog(agent, (l) => l.on === 'onvisibility' && l.e?.visible === false, 'hidden');
    await visitor.close();
    await agent.close();
  });

  it('authorization failures reach onfail and onerror as `authorization`', async () => {
    refuseTokens = true;
    try {
      const refused = await open('/agent.html?vid=dave');
      expect(
        await refused.evaluate(
          () => (window as unknown as { authorized: Promise<string> }).authorized,
        ),
      ).toBe('failed: the token URL answered 403');
      await refused.close();
    } finally {
      refuseTokens = false;
    }
    const forged = await mintAgentToken({
      groupId: '12345',
      agentId: 'mallory',
      secret: 'not-the-groups-secret-0123456789abcdef',
      expiresIn: '1h',
    });
    const agent = await open(`/agent.html?vid=dave&token=${forged}`);
    await waitForLog(
      agent,
      (l) => l.on === 'onerror' && l.e?.code === 'authorization',
      'authorization error',
    );
    expect(await call(agent, 'lookupVisitor')).toEqual({ fail: 'authorization' });
    await agent.close();
  });
});
