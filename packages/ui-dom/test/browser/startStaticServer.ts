import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A response body, with its content type when the path's extension does not say it. */
export type StaticRoute = string | { body: string | Uint8Array; type: string };

/** A tiny in-memory web server for browser tests. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly origin: string;
  /** Adds or replaces the response for a path (`/app.html`); the query string is ignored. */
  route(path: string, response: StaticRoute): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
};

function typeOf(path: string): string {
  const ext = path.split('.').pop() ?? '';
  return TYPES[ext] ?? 'text/html; charset=utf-8';
}

/**
 * Serves fixed responses on 127.0.0.1 and a random port; anything else is a 404. Pages
 * must come over HTTP (not `file:`) so they have an origin, as on a real site.
 *
 * @example
 * const site = await startStaticServer({ '/': '<h1>Hi</h1>', '/app.js': 'console.log(1)' });
 * await page.goto(`${site.origin}/`);
 * await site.close();
 */
export async function startStaticServer(
  routes: Record<string, StaticRoute> = {},
): Promise<StaticServer> {
  const table = new Map(Object.entries(routes));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = table.get(path);
    if (route === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const { body, type } = typeof route === 'string' ? { body: route, type: typeOf(path) } : route;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    route(path, response) {
      table.set(path, response);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
