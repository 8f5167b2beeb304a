import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// React 19, the version installed as `react`; vitest.react18.config.ts runs the same tests
// under React 18.
export default mergeConfig(
  shared,
  defineConfig({
    test: { setupFiles: ['./test/setup.ts'], env: { BECKON_REACT_MAJOR: '19' } },
  }),
);
