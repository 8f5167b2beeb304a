import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The cluster tests run `beckon-server` processes from their built output, which loads
// @beckon/core, @beckon/server and this package from their dist/. Build whatever is stale
// once, before any test file runs (turbo has usually built them already).
const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function stale(dir: string): boolean {
  const built = join(dir, 'dist', 'index.js');
  if (!existsSync(built)) return true;
  const at = statSync(built).mtimeMs;
  return readdirSync(join(dir, 'src'), { recursive: true, withFileTypes: true }).some(
    (e) => e.isFile() && statSync(join(e.parentPath, e.name)).mtimeMs > at,
  );
}

function build(dir: string): void {
  const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`tsc failed in ${dir}:\n${result.stdout}${result.stderr}`);
  if (existsSync(join(dir, 'src', 'lua'))) {
    cpSync(join(dir, 'src', 'lua'), join(dir, 'dist', 'lua'), { recursive: true });
  }
}

export default function setup(): void {
  for (const name of ['core', 'server', 'redis']) {
    const dir = join(packages, name);
    if (stale(dir)) build(dir);
  }
}
