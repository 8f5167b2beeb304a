// Bundles the script-tag build: core, transport-ws and ui-dom in one minified IIFE.
// `node scripts/build-iife.mjs` writes dist/beckon.iife.js; tests import `buildIife` and
// bundle in memory, so they never depend on a stale dist.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleIife } from '../../../scripts/bundleIife.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles src/iife.ts (see scripts/bundleIife.mjs at the root for the recipe).
 *
 * @example
 * const code = await buildIife({ write: false }); // the bundle as a string
 */
export function buildIife({ write = true, minify = true } = {}) {
  return bundleIife({
    entry: here('../src/iife.ts'),
    outfile: here('../dist/beckon.iife.js'),
    write,
    minify,
  });
}

/**
 * Bundles src/serviceWorkerScript.ts: Beckon's worker code as a classic script,
 * dist/beckon-sw.js, for workers that load it with importScripts (or are only Beckon's).
 *
 * @example
 * await buildServiceWorker(); // writes dist/beckon-sw.js
 */
export async function buildServiceWorker({ write = true } = {}) {
  const result = await build({
    entryPoints: [here('../src/serviceWorkerScript.ts')],
    outfile: here('../dist/beckon-sw.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write,
    logLevel: write ? 'info' : 'warning',
  });
  if (write) return undefined;
  return result.outputFiles.find((file) => file.path.endsWith('.js')).text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildIife();
  await buildServiceWorker();
}
