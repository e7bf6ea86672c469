// One Vite config for the library build (`npm run build`: dist/, with the gpugrad and
// gpugrad/bench entries) and for vitest. The benchmark page has its own: bench/vite.config.ts.
// The reference gives defineConfig vitest's `test` key.
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { wgslRaw } from './scripts/wgsl-raw.ts';

const here = (path: string) => resolve(import.meta.dirname, path);

// The benchmark entry loads MNIST lazily from the `mnist` package (21 MB of JSON): it stays an
// external import, and gets the import attribute Node needs to load JSON (bundlers accept it too).
const mnistJson = /import\((["'])(mnist\/[^"']+\.json)\1\)/g;
const jsonImportAttributes = {
  name: 'gpugrad:json-import-attributes',
  renderChunk(code: string) {
    const out = code.replace(mnistJson, 'import($1$2$1, { with: { type: "json" } })');
    return out === code ? null : { code: out, map: null };
  },
};

export default defineConfig({
  plugins: [wgslRaw()],
  // Examples import the package by name, as users do; inside the repo the name means the sources.
  resolve: {
    alias: [
      { find: /^gpugrad$/, replacement: here('src/index.ts') },
      { find: /^gpugrad\/bench$/, replacement: here('bench/suite/index.ts') },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Published as readable ESM: the user's bundler minifies (README gives the minified size).
    minify: false,
    lib: {
      // Two entries: the library, and the benchmark suite (`gpugrad/bench`). Both import one
      // shared chunk (dist/gpugrad-src.js), so the suite carries no second copy of the library
      // and the library entry carries none of the suite.
      // A third, `bench-cli`, is the `gpugrad-bench` command (package.json's bin).
      entry: { index: here('src/index.ts'), bench: here('bench/suite/index.ts'), 'bench-cli': here('bench/bin.ts') },
      formats: ['es'],
    },
    rolldownOptions: {
      external: [/^mnist\//, /^node:/],
      plugins: [jsonImportAttributes],
      // The code both entries share lands in one chunk; keep its export names readable.
      output: { chunkFileNames: 'gpugrad-[name].js', minifyInternalExports: false },
    },
  },
  server: { host: '127.0.0.1' },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every test file gets a fresh Dawn device; two CPU cores run SwiftShader's threads.
    fileParallelism: false,
  },
});
