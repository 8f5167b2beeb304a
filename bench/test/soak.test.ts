import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from './runBench.js';

// `pnpm soak --smoke`, end to end: the soak's harness (a service process killed and drained
// under churn, load processes of real visitors, agents sending requests) with 150 visitors
// for half a minute. It proves the harness and its checks work; the soak itself (thousands
// of visitors, minutes) stays out of the test command: docs/reliability.md has its figures.
const dir = mkdtempSync(join(tmpdir(), 'beckon-soak-'));
const out = join(dir, 'soak.json');
let exitCode: number | null;
let output: string;
// biome-ignore lint/suspicious/noExplicitAny: the results file is read loosely
let results: any;

beforeAll(async () => {
  ({ code: exitCode, output } = await runBench(['soak', '--smoke', '--out', out]));
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
