import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

const require = createRequire(import.meta.url);

// The same tests under React 18, installed as the npm aliases `react18` / `react-dom18`.
// Vite's aliases cover what it transforms (the tests and src); test/react18.setup.ts covers
// the CommonJS `require`s inside react-dom and Testing Library, which Node resolves itself.
export default mergeConfig(
  shared,
  defineConfig({
    resolve: {
      alias: [
        { find: /^react$/, replacement: require.resolve('react18') },
        { find: /^react\/jsx-runtime$/, replacement: require.resolve('react18/jsx-runtime') },
        {
          find: /^react\/jsx-dev-runtime$/,
          replacement: require.resolve('react18/jsx-dev-runtime'),
        },
        { find: /^react-dom$/, replacement: require.resolve('react-dom18') },
        { find: /^react-dom\/client$/, replacement: require.resolve('react-dom18/client') },
      ],
    },
    test: {
      setupFiles: ['./test/react18.setup.ts', './test/setup.ts'],
      env: { BECKON_REACT_MAJOR: '18' },
    },
  }),
);
