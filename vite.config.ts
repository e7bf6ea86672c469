// One Vite config for the three ways in: the library build (`npm run build`, dist/), the
// benchmark page (`npm run dev` / `build:page`, rooted at bench/), and vitest.
// The reference gives defineConfig vitest's `test` key.
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { resolve } from 'node:path';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    lib: {
      entry: { index: resolve(import.meta.dirname, 'src/index.ts') },
      formats: ['es'],
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
