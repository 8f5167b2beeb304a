import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@beckon/source'] },
  ssr: { resolve: { conditions: ['@beckon/source'] } },
  test: { include: ['test/**/*.test.ts'] },
});
