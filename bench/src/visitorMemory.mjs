#!/usr/bin/env node
// `pnpm memory:visitor`: bundles visitorMemory.ts (Beckon from source, like bin/bench.mjs)
// and runs it with the garbage collector exposed. Arguments: [visitors per round] [rounds].
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { root, workspaceResolve } from '../bin/workspaceResolve.mjs';

const outfile = join(root, 'bench', '.build', 'visitorMemory.mjs');
await build({
  entryPoints: [join(root, 'bench', 'src', 'visitorMemory.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['module'],
  plugins: [workspaceResolve()],
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
