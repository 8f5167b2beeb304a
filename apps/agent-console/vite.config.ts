import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Workspace packages resolve to their `src/` through the `@beckon/source` condition, so the
// console builds without building the packages first. `base: './'` lets `dist/` be served
// from any path (the start script serves it at the root, tests from a random port).
export default defineConfig({
  base: './',
  plugins: [react()],
  resolve: { conditions: ['@beckon/source', 'module', 'browser', 'development|production'] },
  server: { port: 5173, host: '127.0.0.1' },
  preview: { port: 5173, host: '127.0.0.1' },
  build: { outDir: 'dist', sourcemap: true },
});
