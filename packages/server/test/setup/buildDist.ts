import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests that start the server as a real process run its built output, and that output
// loads @beckon/core from core's dist. Build both once, before any test file runs, so no
// two test files race to write the same dist/.
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
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
}

export default function setup(): void {
  for (const name of ['core', 'server']) {
    const dir = join(pkg, '..', name);
    if (stale(dir)) build(dir);
  }
}
