#!/usr/bin/env node
// Entry point of `pnpm bench`, `bench:smoke`, `bench:report` and `size`. Node runs no
// TypeScript, so this bundles the bench's TypeScript entries (and Beckon from source, via
// the `@beckon/source` condition) into bench/.build with esbuild, then runs the command's
// bundle. Nothing needs to be built first.
//
//   node bench/bin/bench.mjs run [--smoke] [--out <file>] [--only idle,latency,…] [--runs <n>]
//   node bench/bin/bench.mjs report [<results.json>]
//   node bench/bin/bench.mjs size
//   node bench/bin/bench.mjs soak [--smoke] [--minutes n] [--visitors n] [--agents n] [--out file]
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { root, workspaceResolve } from './workspaceResolve.mjs';

// Each command's entry, and for `run` the processes it forks.
const COMMANDS = {
  run: [
    'run',
    'servers/beckonServer',
    'servers/baselineRelay',
    'servers/socketIoRelay',
    'clients/loadClient',
    'clients/stormClient',
    'clients/sessionClient',
  ],
  report: ['report'],
  size: ['sizeCheck'],
  soak: ['soak', 'servers/beckonServer', 'clients/soakClient'],
};

const [command, ...args] = process.argv.slice(2);
if (!(command in COMMANDS)) {
  console.error(
    'usage: bench.mjs run [--smoke] [--out file] [--only …] [--runs n] | report [file] | size | soak [--smoke] [--minutes n] [--visitors n] [--agents n] [--out file]',
  );
  process.exit(2);
}

const outdir = join(root, 'bench', '.build');
await build({
  entryPoints: Object.fromEntries(
    COMMANDS[command].map((e) => [e.split('/').pop(), join(root, 'bench', 'src', `${e}.ts`)]),
  ),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ESM builds of the dependencies, as an app's bundler would pick.
  conditions: ['module'],
  // esbuild stays a real import: the size check runs it.
  external: ['esbuild', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies (ws, pino) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
  },
  plugins: [workspaceResolve()],
  logLevel: 'warning',
});

// @beckon/redis reads its Lua scripts from beside its code: beside the bundles, here.
cpSync(join(root, 'packages', 'redis', 'src', 'lua'), join(outdir, 'lua'), { recursive: true });

const result = spawnSync(process.execPath, [join(outdir, `${COMMANDS[command][0]}.mjs`), ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
