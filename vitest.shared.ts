import { defineConfig } from 'vitest/config';

// One config for every package: tests run on `src/` through the source export condition,
// and under CI each package also writes a JSON report that scripts/test-summary.mjs totals.
export default defineConfig({
  resolve: { conditions: ['@beckon/source'] },
  ssr: { resolve: { conditions: ['@beckon/source'] } },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results.json' }]]
      : ['default'],
  },
});
