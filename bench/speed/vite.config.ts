// Vite config of the speed benchmark's page (bench/speed/index.html): browser.ts builds it
// into a temporary folder and serves the bundle on 127.0.0.1, so the page runs every library
// as an application would ship it (minified, production builds).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { wgslRaw } from '../../scripts/wgsl-raw.ts';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  plugins: [wgslRaw()],
  // gpugrad's sources and the packages are above bench/speed/.
  server: { fs: { allow: [resolve(import.meta.dirname, '../..')] } },
  build: {
    target: 'es2022',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    // tfjs' .wasm files stay files (served as they are), not inlined.
    assetsInlineLimit: 0,
  },
});
