import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The Chromium check of the built console (`pnpm test:browser`), kept out of `pnpm test`.
// Not mergeConfig: that would add to the unit tests' include list instead of replacing it.
export default defineConfig({
  ...shared,
  test: { ...shared.test, include: ['test/browser/**/*.browser.ts'], testTimeout: 30_000 },
});
