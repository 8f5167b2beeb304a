// The script-tag builds' one recipe, for every package that ships one (ui-dom,
// glance-compat): a minified IIFE of the package's sources.
import { build } from 'esbuild';

/**
 * Bundles `entry` into a browser IIFE at `outfile`; with `write: false`, returns the code.
 * Workspace packages resolve to their `src` through the `@beckon/source` condition; `module`
 * must stay in the list, or xstate's CommonJS build is picked and bundled with its require
 * shims.
 *
 * @example
 * const code = await bundleIife({ entry: 'src/iife.ts', outfile: 'dist/beckon.iife.js', write: false });
 */
export async function bundleIife({ entry, outfile, write = true, minify = true }) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: write,
    legalComments: 'none',
    conditions: ['@beckon/source', 'module'],
    write,
    logLevel: write ? 'info' : 'warning',
  });
  if (write) return undefined;
  return result.outputFiles.find((file) => file.path.endsWith('.js')).text;
}
