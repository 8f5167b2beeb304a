/**
 * `pnpm size`: measures the client bundles, prints them against their budgets and targets,
 * and exits 1 when one is over its budget.
 */
import { measureBundles } from './measureBundles.js';
import { SIZE_BUDGETS } from './sizeBudgets.js';

const kB = (n: number | undefined) => (n === undefined ? '—' : `${(n / 1000).toFixed(1)} kB`);

let over = 0;
const rows = [['bundle', 'min', 'min+gzip', 'budget', 'target', '']];
for (const b of (await measureBundles()).flatMap((s) => (s.onDemand ? [s, s.onDemand] : [s]))) {
  const limits = SIZE_BUDGETS[b.name];
  const status =
    limits === undefined
      ? 'no budget'
      : b.gzipBytes > limits.budget
        ? 'OVER BUDGET'
        : limits.target !== undefined && b.gzipBytes > limits.target
          ? `within budget; ${kB(b.gzipBytes - limits.target)} over target`
          : 'ok';
  if (limits === undefined || b.gzipBytes > limits.budget) over++;
  rows.push([
    b.name,
    kB(b.minBytes),
    kB(b.gzipBytes),
    kB(limits?.budget),
    kB(limits?.target),
    status,
  ]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
process.exit(over ? 1 : 0);
