import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLES, type BundleSize, measureBundles } from '../src/measureBundles.js';
import { SIZE_BUDGETS } from '../src/sizeBudgets.js';

// A regression guard, not the goal: each bundle must stay within the size recorded in
// src/sizeBudgets.ts (+~5%). The goals of issue 6 are below as expected failures, so the
// day one is reached this file says so and the budget can follow.
let sizes: BundleSize[];

beforeAll(async () => {
  sizes = await measureBundles();
}, 60_000);

const size = (name: string) => {
  const found = sizes.find((s) => s.name === name);
  if (!found) throw new Error(`bundle ${name} was not measured`);
  return found;
};

describe('client bundle sizes (min+gzip)', () => {
  it('has a budget for every bundle', () => {
    for (const spec of BUNDLES) expect(SIZE_BUDGETS[spec.name], spec.name).toBeDefined();
  });

  it.each(BUNDLES.map((b) => b.name))('%s stays within its budget', (name) => {
    const { gzipBytes } = size(name);
    const budget = SIZE_BUDGETS[name]?.budget ?? 0;
    expect(gzipBytes, `${name} is ${gzipBytes} B, budget ${budget} B`).toBeLessThanOrEqual(budget);
  });

  it('bundles Beckon itself, not an empty shell', () => {
    const visitor = size('visitor');
    const paths = visitor.inputs.map((i) => i.path).join(' ');
    expect(paths).toContain('core/src/visitor/visitorMachine.ts');
    expect(visitor.gzipBytes).toBeGreaterThan(5_000);
    // The UI bundles carry their UI on top of the visitor API.
    expect(size('visitor+ui-dom').gzipBytes).toBeGreaterThan(visitor.gzipBytes);
    expect(size('visitor+ui-react').gzipBytes).toBeGreaterThan(visitor.gzipBytes);
  });

  // Goals (issue 6): visitor API + transport-ws ≤ 16 kB, with ui-dom ≤ 20 kB. Not met yet
  // (see docs/benchmarks.md); when one passes, `it.fails` turns red: make it a plain `it`
  // and lower the budget.
  it.fails('goal: visitor API + transport-ws ≤ 16 kB', () => {
    expect(size('visitor').gzipBytes).toBeLessThanOrEqual(SIZE_BUDGETS.visitor?.target ?? 0);
  });
  it.fails('goal: with ui-dom ≤ 20 kB', () => {
    expect(size('visitor+ui-dom').gzipBytes).toBeLessThanOrEqual(
      SIZE_BUDGETS['visitor+ui-dom']?.target ?? 0,
    );
  });
});
