// `npm run size`: what gpugrad costs a browser app, measured on the built package (dist/, made by
// the `npm run build` the script runs first). Vite bundles and minifies, as in an app build,
// (1) every export of `gpugrad` (`export * from 'gpugrad'`: nothing tree-shaken away) and
// (2) examples/browser, a page that trains an MLP; it prints raw, minified and gzipped sizes.
// The README's size line comes from here; test/package.test.ts holds the example to a budget.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const alias = [{ find: /^gpugrad$/, replacement: join(root, 'dist/index.js') }];
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** Bundles with Vite (minified or not) and returns the bytes of the JavaScript it emits. */
async function bundle(config, minify) {
  const out = await build({
    configFile: false, logLevel: 'silent', resolve: { alias }, ...config,
    build: { ...config.build, write: false, minify, target: 'es2022' },
  });
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
  return Buffer.concat(chunks.filter((c) => c.type === 'chunk').map((c) => Buffer.from(c.code)));
}

function report(name, raw, min) {
  console.log(`${name.padEnd(34)} ${kB(raw.length).padStart(9)} raw ${kB(min.length).padStart(9)} minified ` +
    `${kB(gzipSync(min, { level: 9 }).length).padStart(8)} gzipped`);
}

const tmp = mkdtempSync(join(tmpdir(), 'gpugrad-size-'));
try {
  const entry = join(tmp, 'all.js');
  writeFileSync(entry, "export * from 'gpugrad';\n");
  const lib = { root: tmp, build: { lib: { entry, formats: ['es'], fileName: 'all' } } };
  report("all of gpugrad (export * from it)", await bundle(lib, false), await bundle(lib, true));
  const page = { root: join(root, 'examples/browser') };
  report('examples/browser (trains an MLP)', await bundle(page, false), await bundle(page, true));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
