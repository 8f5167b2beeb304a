import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/bench.mjs', import.meta.url));

/**
 * Runs `bench.mjs` with `args` as a child process, killed after `timeoutMs`; resolves with
 * its exit code and everything it printed (for the assertion messages).
 *
 * @example
 * const { code, output } = await runBench(['run', '--smoke', '--out', file]);
 */
export function runBench(
  args: string[],
  timeoutMs = 170_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
