import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pnpm soak --smoke`, end to end: the soak's harness (a service process killed and drained
// under churn, load processes of real visitors, agents sending requests) with 150 visitors
// for half a minute. It proves the harness and its checks work; the soak itself (thousands
// of visitors, minutes) stays out of the test command: docs/reliability.md has its figures.
const bin = fileURLToPath(new URL('../bin/bench.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'beckon-soak-'));
const out = join(dir, 'soak.json');
let exitCode: number | null;
let output = '';
// biome-ignore lint/suspicious/noExplicitAny: the results file is read loosely
let results: any;

beforeAll(async () => {
  exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [bin, 'soak', '--smoke', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  results = JSON.parse(readFileSync(out, 'utf8'));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm soak --smoke', () => {
  it('survives a kill and a drain under churn with nothing lost', () => {
    expect(exitCode, output).toBe(0);
    // Restarts alternate, a kill first, for as long as the restart phase lasts: two at
    // least, a third when the machine restarts the service quickly.
    const modes: string[] = results.faults.restarts.map((r: { mode: string }) => r.mode);
    expect(modes.length).toBeGreaterThanOrEqual(2);
    expect(modes).toEqual(modes.map((_, i) => (i % 2 === 0 ? 'kill' : 'drain')));
    for (const r of results.faults.restarts) expect(r.backMs, output).toBeGreaterThan(0);
    expect(results.requests.sent).toBeGreaterThan(0);
    expect(results.requests.silent).toBe(0);
    expect(results.requests.stillPending).toBe(0);
    expect(results.check.wrongEntriesAtEnd).toBe(0);
    expect(results.check.listedAtEnd).toBe(results.params.visitors);
    expect(results.check.serverCounters.internalErrors).toBe(0);
  });

  it("samples the service's heap through the run", () => {
    expect(results.memory.samples.length).toBeGreaterThanOrEqual(4);
    expect(results.memory.heapAfterWarmUpMB).toBeGreaterThan(0);
    expect(typeof results.memory.growthMB).toBe('number');
  });
});
