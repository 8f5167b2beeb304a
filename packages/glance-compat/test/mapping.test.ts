// The facade's translations, on their own: data into Beckon's namespace and back, error
// codes, the visitor data shape, and the configuration a page gives.
import { AgentRequestError } from '@beckon/core/agent';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import {
  decodeData,
  encodeData,
  errorCode,
  pageFacts,
  readGlanceConfig,
  toVisitorData,
} from '../src/index.js';

describe('presence data', () => {
  it('travels in Beckon’s namespace and comes back in the page’s names', () => {
    const sent = { url: '/cart', mydata: 'abc', myotherdata: 99999, c_plan: 'pro', title: 'Cart' };
    const encoded = encodeData(sent);
    expect(encoded).toEqual({
      ok: true,
      data: {
        url: '/cart',
        c_mydata: 'abc',
        c_myotherdata: '99999',
        c_c_plan: 'pro',
        title: 'Cart',
      },
    });
    if (!encoded.ok) throw new Error('unreachable');
    expect(decodeData(encoded.data)).toEqual({
      url: '/cart',
      mydata: 'abc',
      myotherdata: '99999',
      c_plan: 'pro',
      title: 'Cart',
    });
  });

  it('refuses what Beckon cannot carry, naming the field', () => {
    expect(encodeData({ nested: { a: 1 } })).toMatchObject({ ok: false, param: 'data.nested' });
    expect(encodeData({ flag: true })).toMatchObject({ ok: false, param: 'data.flag' });
    expect(encodeData({ n: Number.NaN })).toMatchObject({ ok: false, param: 'data.n' });
    expect(encodeData({ 'my-data': 'x' })).toMatchObject({ ok: false, param: 'data.my-data' });
    expect(encodeData({ [`x${'y'.repeat(62)}`]: 'x' })).toMatchObject({ ok: false });
    expect(encodeData([1, 2])).toMatchObject({ ok: false, param: 'data' });
  });

  it('reads the page’s URL, browser, version and platform', () => {
    const facts = pageFacts({
      location: { href: 'https://shop.example/cart' } as Location,
      navigator: {
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        platform: 'Linux x86_64',
      } as Navigator,
    });
    expect(facts).toEqual({
      url: 'https://shop.example/cart',
      browser: 'Chrome',
      browserver: '131.0.0.0',
      platform: 'Linux x86_64',
    });
    const firefox = pageFacts({
      location: { href: 'https://x.example/' } as Location,
      navigator: {
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0',
        platform: 'Win32',
      } as Navigator,
    });
    expect(firefox).toMatchObject({ browser: 'Firefox', browserver: '128.0' });
  });
});

describe('the agent side’s shapes', () => {
  it('names errors as the original does', () => {
    expect(errorCode(new AgentRequestError('visitorNotPresent', 'gone'))).toBe('visitornotpresent');
    expect(errorCode(new AgentRequestError('unauthorized', 'no'))).toBe('authorization');
    expect(errorCode(new AgentRequestError('forbidden', 'no'))).toBe('authorization');
    expect(errorCode(new AgentRequestError('timeout', 'slow'))).toBe('timeout');
    expect(errorCode(Object.assign(new Error('refused'), { code: 'authorization' }))).toBe(
      'authorization',
    );
    expect(errorCode('weird')).toBe('internal');
  });

  it('gives the visitor data shape, or {} for a visitor who is not present', () => {
    const summary = {
      visitorId: 'alice',
      present: true,
      visibility: 'visible' as const,
      presence: { url: '/cart', c_browser: 'Chrome', c_mydata: 'abc' },
      connections: 2,
      epoch: 3,
      lastActiveAt: 1_760_000_000_500,
    };
    expect(toVisitorData('12345', summary)).toEqual({
      visitorid: 'alice',
      groupid: '12345',
      url: '/cart',
      browser: 'Chrome',
      mydata: 'abc',
      visitorpresent: '1760000000.5',
      visibility: 'visible',
      connections: 2,
    });
    expect(toVisitorData('12345', null)).toEqual({});
    expect(toVisitorData('12345', { ...summary, present: false, visibility: 'away' })).toEqual({});
  });
});

describe('the page’s configuration', () => {
  it('comes from the script tag, then the #glance-cobrowse element, then GLANCE_COBROWSE', () => {
    const win = new Window();
    win.document.body.innerHTML = `
      <meta id="glance-cobrowse" data-groupid="72" data-presenceserver="wss://meta.example/">
      <script id="tag" data-presenceserver="wss://tag.example/" data-tokenurl="/token"></script>`;
    (win as unknown as { GLANCE_COBROWSE: object }).GLANCE_COBROWSE = {
      groupid: 1,
      visitorid: 'from-global',
    };
    const config = readGlanceConfig(
      win.document.getElementById('tag') as unknown as Element,
      win as unknown as globalThis.Window,
    );
    expect(config).toEqual({
      groupid: '72',
      visitorid: 'from-global',
      presenceserver: 'wss://tag.example/',
      tokenurl: '/token',
    });
  });
});
