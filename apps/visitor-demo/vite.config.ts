import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const page = (file: string) => resolve(import.meta.dirname, file);

// The shop's service worker, `sw.js` next to the pages: @beckon/ui-dom's built worker code
// (`dist/beckon-sw.js`), which shows the wake-up notification and brings the shop back on a
// click. Served by `vite dev` and written into `dist/` by `vite build`.
function beckonServiceWorker(): Plugin {
  const read = () => {
    const pkg = createRequire(import.meta.url).resolve('@beckon/ui-dom/package.json');
    return readFileSync(resolve(dirname(pkg), 'dist', 'beckon-sw.js'), 'utf8');
  };
  return {
    name: 'beckon-service-worker',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== '/sw.js') return next();
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.end(read());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: read() });
    },
  };
}

// A multi-page build: every HTML page is an input, so `dist/` is a plain static site that
// any server can serve from any folder (`base: './'`).
export default defineConfig({
  base: './',
  appType: 'mpa',
  plugins: [react(), beckonServiceWorker()],
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
