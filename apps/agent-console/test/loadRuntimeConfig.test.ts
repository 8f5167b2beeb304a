import { describe, expect, it } from 'vitest';
import { type ConfigEnvironment, loadRuntimeConfig } from '../src/loadRuntimeConfig.js';

const env = (
  answer: (url: string) => Response | Promise<Response>,
  href = 'http://127.0.0.1:5173/',
): ConfigEnvironment & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    href,
    fetch: async (url) => {
      asked.push(url);
      return answer(url);
    },
  };
};

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

describe('loadRuntimeConfig', () => {
  it('reads beckon-config.json next to the page', async () => {
    const e = env(
      () => json({ serverUrl: 'ws://x:1/', groupId: 'demo', agentToken: 'jwt' }),
      'http://h/console/index.html?group=other',
    );
    expect(await loadRuntimeConfig(e)).toEqual({
      serverUrl: 'ws://x:1/',
      groupId: 'demo',
      agentToken: 'jwt',
      source: 'file',
    });
    expect(e.asked).toEqual(['http://h/console/beckon-config.json']);
  });

  it('falls back to the query parameters when the file is missing', async () => {
    const e = env(
      () => new Response('not found', { status: 404 }),
      'http://127.0.0.1:5173/?server=ws%3A%2F%2Fsvc%3A9000%2F&group=shop&token=abc',
    );
    expect(await loadRuntimeConfig(e)).toEqual({
      serverUrl: 'ws://svc:9000/',
      groupId: 'shop',
      agentToken: 'abc',
      source: 'query',
    });
  });

  it('falls back to the defaults, on the page’s host, when nothing is given', async () => {
    const e = env(() => {
      throw new TypeError('fetch failed');
    }, 'http://localhost:5173/');
    expect(await loadRuntimeConfig(e)).toEqual({
      serverUrl: 'ws://localhost:8080/',
      groupId: 'demo',
      source: 'defaults',
    });
  });

  it('treats vite dev’s index.html answer as no file', async () => {
    const e = env(() => new Response('<!doctype html><html></html>', { status: 200 }));
    const config = await loadRuntimeConfig(e);
    expect(config.source).toBe('defaults');
    expect(config.warning).toBeUndefined();
  });

  it('warns about a broken file and falls back', async () => {
    expect(await loadRuntimeConfig(env(() => new Response('{oops')))).toMatchObject({
      source: 'defaults',
      warning: 'beckon-config.json is not valid JSON',
    });
    expect(await loadRuntimeConfig(env(() => json({ groupId: 'demo' })))).toMatchObject({
      source: 'defaults',
      warning: expect.stringContaining('serverUrl'),
    });
    expect(
      await loadRuntimeConfig(
        env(() => json({ serverUrl: 'ws://x/', groupId: 'g', agentToken: 5 })),
      ),
    ).toMatchObject({ warning: expect.stringContaining('agentToken') });
  });

  it('treats an empty token in the file as no token', async () => {
    const config = await loadRuntimeConfig(
      env(() => json({ serverUrl: 'ws://x/', groupId: 'g', agentToken: '' })),
    );
    expect(config).toEqual({ serverUrl: 'ws://x/', groupId: 'g', source: 'file' });
  });
});
