// @vitest-environment happy-dom
import type { Visitor } from '@beckon/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addToCart } from '../src/cart.js';
import { mountChrome } from '../src/chrome.js';
import { loadConfig, QUERY_CONFIG_KEY } from '../src/demoConfig.js';
import { type DemoPage, startDemoPage } from '../src/startDemoPage.js';
import { mountStatusPill } from '../src/statusPill.js';
import type { KeyValueStorage } from '../src/storage.js';
import {
  DEFAULT_VISITOR_ID,
  readVisitorId,
  saveVisitorId,
  VISITOR_ID_KEY,
} from '../src/visitorId.js';
import { connectedDemoVisitor, connectOn, demoVisitorOn, mockService } from './helpers.js';

function memory(
  initial: Record<string, string> = {},
): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => {
      items.set(k, v);
    },
    removeItem: (k) => {
      items.delete(k);
    },
  };
}

const page = (search = '', hostname = 'shop.test') => ({
  href: `http://${hostname}:5174/products.html${search}`,
  hostname,
  search,
});

const json = (body: unknown, status = 200) =>
  Promise.resolve(new Response(JSON.stringify(body), { status }));
const notFound = () => Promise.resolve(new Response('not found', { status: 404 }));

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  document.body.replaceChildren();
});

describe('loadConfig', () => {
  it('takes the config file first, fetched relative to the page', async () => {
    const fetch = vi.fn((_url: string) =>
      json({ serverUrl: 'ws://file.test:9000/', groupId: 'filegroup' }),
    );
    const config = await loadConfig({
      fetch,
      location: page('?server=ws://query.test/&group=querygroup'),
      storage: memory(),
    });
    expect(fetch.mock.calls[0]?.[0]).toBe('http://shop.test:5174/beckon-config.json');
    expect(config).toMatchObject({
      serverUrl: 'ws://file.test:9000/',
      groupId: 'filegroup',
      sources: { serverUrl: 'file', groupId: 'file' },
      warnings: [],
    });
  });

  it('falls back to the query parameters when there is no file (404)', async () => {
    const config = await loadConfig({
      fetch: notFound,
      location: page('?server=wss://query.test/p&group=shop'),
      storage: memory(),
    });
    expect(config).toMatchObject({
      serverUrl: 'wss://query.test/p',
      groupId: 'shop',
      sources: { serverUrl: 'query', groupId: 'query' },
    });
  });

  it('falls back per value: a file without a group takes the query’s, then the default', async () => {
    const withQuery = await loadConfig({
      fetch: () => json({ serverUrl: 'ws://file.test/' }),
      location: page('?group=shop'),
      storage: memory(),
    });
    expect(withQuery).toMatchObject({
      groupId: 'shop',
      sources: { serverUrl: 'file', groupId: 'query' },
    });
    const withoutQuery = await loadConfig({
      fetch: () => json({ serverUrl: 'ws://file.test/' }),
      location: page(),
      storage: memory(),
    });
    expect(withoutQuery).toMatchObject({ groupId: 'demo', sources: { groupId: 'default' } });
  });

  it('uses port 8080 on the page’s host and group demo when nothing else is there', async () => {
    const config = await loadConfig({
      fetch: notFound,
      location: page('', '192.168.1.7'),
      storage: memory(),
    });
    expect(config).toEqual({
      serverUrl: 'ws://192.168.1.7:8080/',
      groupId: 'demo',
      sources: { serverUrl: 'default', groupId: 'default' },
      warnings: [],
    });
  });

  it('treats an HTML answer (vite dev), a network error and a JSON array as no file', async () => {
    for (const fetch of [
      () => Promise.resolve(new Response('<!doctype html><p>app</p>', { status: 200 })),
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => json([1, 2]),
    ]) {
      const config = await loadConfig({ fetch, location: page('?group=shop'), storage: memory() });
      expect(config.sources).toEqual({ serverUrl: 'default', groupId: 'query' });
    }
  });

  it('skips unusable values with a warning instead of using them', async () => {
    const config = await loadConfig({
      fetch: () => json({ serverUrl: 'ftp://file.test/', groupId: 'has space' }),
      location: page('?server=not a url&group=shop'),
      storage: memory(),
    });
    expect(config).toMatchObject({
      serverUrl: 'ws://shop.test:8080/',
      groupId: 'shop',
      sources: { serverUrl: 'default', groupId: 'query' },
    });
    expect(config.warnings).toEqual([
      expect.stringMatching(/^serverUrl from file must be a ws:, wss:, http: or https: URL/),
      expect.stringMatching(/^serverUrl from query is not a valid absolute URL/),
      expect.stringMatching(/^groupId from file may only contain/),
    ]);
  });

  it('remembers query parameters for the tab’s later pages, which have none', async () => {
    const storage = memory();
    await loadConfig({ fetch: notFound, location: page('?server=ws://query.test/'), storage });
    expect(JSON.parse(storage.items.get(QUERY_CONFIG_KEY) ?? 'null')).toEqual({
      server: 'ws://query.test/',
    });
    const next = await loadConfig({ fetch: notFound, location: page(), storage });
    expect(next).toMatchObject({ serverUrl: 'ws://query.test/', sources: { serverUrl: 'query' } });
    // A query parameter on the page itself wins over the remembered one.
    const again = await loadConfig({
      fetch: notFound,
      location: page('?server=ws://other.test/'),
      storage,
    });
    expect(again.serverUrl).toBe('ws://other.test/');
  });
});

describe('visitor ID storage', () => {
  it('defaults to demo-visitor', () => {
    expect(readVisitorId(memory())).toBe(DEFAULT_VISITOR_ID);
    expect(DEFAULT_VISITOR_ID).toBe('demo-visitor');
  });

  it('saves a trimmed ID under the shared key and reads it back', () => {
    const storage = memory();
    expect(saveVisitorId('  alice-42 ', storage)).toEqual({ ok: true, visitorId: 'alice-42' });
    expect(storage.items.get(VISITOR_ID_KEY)).toBe('alice-42');
    expect(readVisitorId(storage)).toBe('alice-42');
  });

  it('refuses an invalid ID with the reason and keeps the stored one', () => {
    const storage = memory({ [VISITOR_ID_KEY]: 'alice' });
    for (const bad of ['', 'a b', 'x'.repeat(63), 'ünïcode']) {
      const result = saveVisitorId(bad, storage);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/^The visitor ID /);
    }
    expect(readVisitorId(storage)).toBe('alice');
  });

  it('ignores an invalid stored ID and survives storage that throws', () => {
    expect(readVisitorId(memory({ [VISITOR_ID_KEY]: 'not valid!' }))).toBe(DEFAULT_VISITOR_ID);
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(readVisitorId(broken)).toBe(DEFAULT_VISITOR_ID);
    expect(saveVisitorId('bob', broken)).toEqual({ ok: true, visitorId: 'bob' });
  });

  it('uses localStorage by default, so every tab shares it', () => {
    saveVisitorId('carol');
    expect(localStorage.getItem(VISITOR_ID_KEY)).toBe('carol');
    expect(readVisitorId()).toBe('carol');
  });
});

describe('status pill and session banner', () => {
  let visitor: Visitor | undefined;
  afterEach(() => visitor?.disconnect());

  it('shows the connection word, the focus and the session', () => {
    const h = connectedDemoVisitor();
    visitor = h.visitor;
    const slot = document.createElement('div');
    document.body.append(slot);
    mountStatusPill(slot, h.visitor);
    expect(byTestId('connection-status')?.textContent).toBe('connected');
    expect(byTestId('focus-status')?.dataset.focused).toBe('true');
    expect(byTestId('focus-status')?.textContent).toBe('this tab has focus');
    expect(byTestId('session-status')?.hidden).toBe(true);

    h.service.current?.push({ type: 'blur', epoch: 99 });
    expect(byTestId('focus-status')?.dataset.focused).toBe('false');
    expect(byTestId('focus-status')?.textContent).toBe('another tab has focus');

    h.visitor.startSession({ key: 'alice', presenceStart: true });
    expect(byTestId('session-status')?.hidden).toBe(false);
    expect(byTestId('session-status')?.textContent).toBe('screen share session alice active');

    h.service.current?.drop();
    expect(byTestId('connection-status')?.textContent).toBe('reconnecting');
    expect(byTestId('status-pill')?.dataset.connection).toBe('reconnecting');
    expect(byTestId('connection-detail')?.textContent).toMatch(
      /attempt 1 · connection lost \(1006\)/,
    );
    expect(byTestId('focus-status')?.textContent).toBe('not connected');
  });

  it('shows notConfigured for a group without presence', () => {
    const { service } = mockService();
    service.replyNotConfigured();
    visitor = demoVisitorOn(service);
    const slot = document.createElement('div');
    mountStatusPill(slot, visitor);
    connectOn(service, visitor);
    const pill = (id: string) => slot.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    expect(pill('connection-status')?.textContent).toBe('notConfigured');
    expect(pill('connection-detail')?.hidden).toBe(false);
    expect(pill('focus-status')?.dataset.focused).toBe('false');
  });
});

describe('mountChrome', () => {
  it('marks the current page and validates the new visitor ID before handing it over', () => {
    const changes: string[] = [];
    mountChrome({
      page: 'product',
      visitorId: 'alice',
      onChangeVisitorId: (id) => changes.push(id),
    });
    expect(byTestId('nav-products')?.getAttribute('aria-current')).toBe('page');
    expect(byTestId('nav-home')?.hasAttribute('aria-current')).toBe(false);
    expect(byTestId('visitor-id')?.textContent).toBe('alice');

    byTestId('change-visitor')?.click();
    const input = byTestId('visitor-id-input') as HTMLInputElement;
    expect(input.value).toBe('alice');
    input.value = 'not valid!';
    byTestId('visitor-id-save')?.click();
    expect(changes).toEqual([]);
    expect(document.querySelector('[role="alert"]')?.textContent).toMatch(/may only contain/);
    expect(input.getAttribute('aria-invalid')).toBe('true');

    input.value = '  bob ';
    byTestId('visitor-id-save')?.click();
    expect(changes).toEqual(['bob']);
  });

  it('shows the cart count and follows changes', () => {
    mountChrome({ page: 'home', visitorId: 'alice', onChangeVisitorId: () => {} });
    expect(byTestId('cart-count')?.textContent).toBe('0');
    addToCart('alpine-mug');
    addToCart('alpine-mug');
    expect(byTestId('cart-count')?.textContent).toBe('2');
  });
});

describe('startDemoPage', () => {
  let demo: DemoPage | undefined;
  afterEach(() => {
    vi.useRealTimers();
    demo?.stop();
    demo = undefined;
  });

  it('a cart change in a tab that lost focus does not take focus back', async () => {
    history.replaceState(null, '', '/cart.html?visitor=dave');
    const { service } = mockService();
    demo = await startDemoPage({
      page: 'cart',
      transport: service.transport,
      configEnvironment: { fetch: notFound, storage: memory() },
    });
    service.flush();
    const first = service.current!;
    await vi.waitFor(() => expect(first.sent.some((m) => m.type === 'presence')).toBe(true));
    // The same visitor in another tab (here: another visitor object) takes focus.
    const other = demoVisitorOn(service);
    connectOn(service, other, { visitorId: 'dave' });
    expect(demo.visitor.getSnapshot().focused).toBe(false);
    const presenceCount = first.sent.filter((m) => m.type === 'presence').length;

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    addToCart('trail-pack');
    demo.refreshPresence();
    vi.advanceTimersByTime(5000);
    service.flush();
    expect(first.sent.filter((m) => m.type === 'presence')).toHaveLength(presenceCount);
    expect(first.focused).toBe(false);
    expect(demo.visitor.getSnapshot().focused).toBe(false);
    other.disconnect();
  });

  it('signs in with ?visitor=, connects, sends url, title and c_cart, and follows other tabs', async () => {
    history.replaceState(null, '', '/products.html?visitor=bob');
    document.title = 'Products · Beckon Outfitters';
    addToCart('trail-pack');
    const { service, sent } = mockService();
    demo = await startDemoPage({
      page: 'products',
      transport: service.transport,
      configEnvironment: { fetch: notFound, storage: memory() },
    });
    service.flush();
    expect(localStorage.getItem(VISITOR_ID_KEY)).toBe('bob');
    expect(service.current?.identity).toMatchObject({ groupId: 'demo', visitorId: 'bob' });
    expect(byTestId('visitor-id')?.textContent).toBe('bob');
    expect(byTestId('connection-status')?.textContent).toBe('connected');
    await vi.waitFor(() =>
      expect(sent()).toContainEqual({
        type: 'presence',
        data: {
          url: `${location.origin}/products.html?visitor=bob`,
          title: 'Products · Beckon Outfitters',
          c_cart: '1',
        },
      }),
    );

    // wirePage's refresh(): throttled like navigation, and the connect presence just went out.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const cartsSent = () => sent().flatMap((m) => (m.type === 'presence' ? [m.data.c_cart] : []));
    addToCart('trail-pack');
    demo.refreshPresence();
    expect(cartsSent()).toEqual(['1']);
    vi.advanceTimersByTime(1000);
    expect(cartsSent()).toEqual(['1', '2']);
    expect(sent().at(-1)).toMatchObject({ type: 'presence', data: { c_cart: '2' } });
    vi.useRealTimers();

    // Another tab picked a new visitor ID: this one follows without a reload.
    localStorage.setItem(VISITOR_ID_KEY, 'carol');
    window.dispatchEvent(new StorageEvent('storage', { key: VISITOR_ID_KEY, newValue: 'carol' }));
    service.flush();
    expect(service.current?.identity).toMatchObject({ visitorId: 'carol' });
    expect(byTestId('visitor-id')?.textContent).toBe('carol');
    expect(demo.visitorId()).toBe('carol');
  });

  it('turns the default UI off for a custom-consent page', async () => {
    history.replaceState(null, '', '/help.html');
    const { service } = mockService();
    demo = await startDemoPage({
      page: 'help',
      consent: 'custom',
      transport: service.transport,
      configEnvironment: { fetch: notFound, storage: memory() },
    });
    service.flush();
    expect(demo.visitor.getSnapshot()).toMatchObject({ connection: 'connected', defaultUI: false });
    expect(byTestId('nav-help')?.getAttribute('aria-current')).toBe('page');
  });
});
