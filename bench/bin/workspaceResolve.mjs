// An esbuild plugin that lets the bench bundle Beckon from source without being linked into
// the workspace's node_modules: `@beckon/<name>[/<sub>]` resolves to the `@beckon/source`
// export of packages/<name>, and the few bare imports the bench itself makes (`ws`) resolve
// from packages/server, which depends on them. Everything else resolves as usual, from the
// file that imports it (so xstate, zod, pino and jose come from the packages that use them).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Found by walking up, not by a fixed `../..`: this file is also bundled into bench/.build.
function findRoot(from) {
  let dir = from;
  for (let i = 0; i < 20; i++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`no pnpm-workspace.yaml above ${from}`);
}

/** The repository root: the nearest directory above this file with pnpm-workspace.yaml. */
export const root = findRoot(dirname(fileURLToPath(import.meta.url)));
const benchDir = join(root, 'bench');
const serverDir = join(root, 'packages', 'server');

/**
 * The file `@beckon/<name>[/<sub>]` resolves to under the `@beckon/source` condition, or
 * undefined when the package or export does not exist.
 *
 * @example
 * sourceEntry('@beckon/core/agent'); // '/…/packages/core/src/agent/index.ts'
 */
export function sourceEntry(specifier) {
  const match = /^@beckon\/([^/]+)(\/.*)?$/.exec(specifier);
  if (!match) return undefined;
  const dir = join(root, 'packages', match[1]);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const target = manifest.exports?.[`.${match[2] ?? ''}`];
  const file = typeof target === 'object' && target ? target['@beckon/source'] : undefined;
  return typeof file === 'string' ? join(dir, file) : undefined;
}

/**
 * The plugin. Pass it to esbuild's `plugins`.
 *
 * @example
 * await build({ entryPoints: ['bench/src/run.ts'], bundle: true, plugins: [workspaceResolve()] });
 */
export function workspaceResolve() {
  return {
    name: 'beckon-workspace',
    setup(build) {
      build.onResolve({ filter: /^@beckon\// }, (args) => {
        const file = sourceEntry(args.path);
        return file
          ? { path: file }
          : { errors: [{ text: `no @beckon/source export for ${args.path}` }] };
      });
      build.onResolve({ filter: /^ws$/ }, async (args) => {
        if (!args.importer.startsWith(benchDir)) return undefined;
        return build.resolve(args.path, { kind: args.kind, resolveDir: serverDir });
      });
    },
  };
}
