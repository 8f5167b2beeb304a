#!/usr/bin/env node
// `pnpm --filter @beckon/docs typecheck` (after tsc on the tool itself): typechecks every
// ts/tsx block of the repository's Markdown. Node runs no TypeScript, so this bundles the
// checker (src/checkDocs.ts) with esbuild into docs/.build first, the way bench/bin does.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const docsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(docsDir, '.build', 'checkDocs.mjs');
await build({
  entryPoints: [join(docsDir, 'src', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(outfile).href);
process.exitCode = main(docsDir);
