import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLES, type BundleSize, measureBundles } from '../src/measureBundles.js';
import { SIZE_BUDGETS } from '../src/sizeBudgets.js';

// A regression guard, not the goal: each bundle must stay within the size recorded in
// src/sizeBudgets.ts (+~2%). The goals of issue 15 are below as expected failures, so the
// day one is reached this file says so and the budget can follow.
let sizes: BundleSize[];

beforeAll(async () => {
  sizes = await measureBundles();
}, 60_000);

const size = (name: string) => {
  const found = sizes
    .flatMap((s) => (s.onDemand ? [s, s.onDemand] : [s]))
    .find((s) => s.name === name);
  if (!found) throw new Error(`bundle ${name} was not measured`);
  return found;
};

describe('client bundle sizes (min+gzip)', () => {
  it('measures every bundle, and the on-demand part apart, each with a budget', () => {
    const names = BUNDLES.flatMap((b) => [b.name, ...(b.onDemand ? [b.onDemand.name] : [])]);
    expect(sizes.flatMap((s) => [s.name, ...(s.onDemand ? [s.onDemand.name] : [])])).toEqual(names);
    for (const name of names) expect(SIZE_BUDGETS[name], name).toBeDefined();
  });

  it.each(Object.keys(SIZE_BUDGETS))('%s stays within its budget', (name) => {
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

  it('keeps zod out of the visitor, and the consent dialog out of the page until asked', () => {
    const all = (name: string) => size(name).inputs.map((i) => i.path);
    expect(all('visitor').filter((p) => p.startsWith('zod/'))).toEqual([]);
    expect(all('visitor')).toContain('core/src/wire/frameTable.ts');
    expect(all('visitor+ui-dom')).not.toContain('ui-dom/src/consentDialogView.ts');
    expect(all('visitor+ui-dom')).not.toContain('ui-dom/src/dialogStyles.ts');
    expect(all('ui-dom:dialog')).toEqual(
      expect.arrayContaining(['ui-dom/src/consentDialogView.ts', 'ui-dom/src/dialogStyles.ts']),
    );
  });

  // Goals (issue 15): visitor API + transport-ws ≤ 22 kB; the page with ui-dom before any
  // request ≤ 23 kB. Not met yet (see docs/benchmarks.md); when one passes, `it.fails` turns
  // red: make it a plain `it` and lower the budget to it.
  it.fails('goal: visitor API + transport-ws ≤ 22 kB', () => {
    expect(size('visitor').gzipBytes).toBeLessThanOrEqual(SIZE_BUDGETS.visitor?.target ?? 0);
  });
  it.fails('goal: the page with ui-dom, before any request, ≤ 23 kB', () => {
    expect(size('visitor+ui-dom').gzipBytes).toBeLessThanOrEqual(
      SIZE_BUDGETS['visitor+ui-dom']?.target ?? 0,
    );
  });
});
