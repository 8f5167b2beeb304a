import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
};

/**
 * The built console (`dist/`, from `vite build`) as routes for the static test server,
 * with `/` serving `index.html`.
 *
 * @example
 * const site = await startStaticServer(distRoutes());
 */
export function distRoutes(): Record<string, { body: Uint8Array; type: string }> {
  const routes: Record<string, { body: Uint8Array; type: string }> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const ext = name.split('.').pop() ?? '';
        routes[`/${relative(DIST, path)}`] = {
          body: readFileSync(path),
          type: TYPES[ext] ?? 'application/octet-stream',
        };
      }
    }
  };
  walk(DIST);
  const index = routes['/index.html'];
  if (!index) throw new Error(`${DIST} has no index.html: run vite build first`);
  routes['/'] = index;
  return routes;
}
