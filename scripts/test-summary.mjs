#!/usr/bin/env node
// Totals the JSON reports vitest writes under CI into one closing line, so a reader of the
// CI log sees the whole suite's outcome at a glance.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const dirs = ['bench', 'docs'];
for (const root of ['packages', 'apps']) {
  if (existsSync(root)) for (const name of readdirSync(root)) dirs.push(join(root, name));
}
for (const dir of dirs) {
  const file = join(dir, 'test-results.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
