import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const page = (file: string) => resolve(import.meta.dirname, file);

// A multi-page build: every HTML page is an input, so `dist/` is a plain static site that
// any server can serve from any folder (`base: './'`).
export default defineConfig({
  base: './',
  appType: 'mpa',
  plugins: [react()],
  resolve: {
    // Workspace packages resolve to their TypeScript sources: no package build needed.
    conditions: ['@beckon/source', 'module', 'browser', 'development|production'],
  },
  build: {
    rolldownOptions: {
      input: {
        home: page('index.html'),
        products: page('products.html'),
        product: page('product.html'),
        cart: page('cart.html'),
        help: page('help.html'),
        terms: page('terms/index.html'),
      },
    },
  },
  server: { port: 5174 },
  preview: { port: 5174 },
});
