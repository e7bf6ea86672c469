// The Chromium side of `npm run bench:speed`: builds the page (bench/speed/vite.config.ts)
// into a temporary folder, serves it from 127.0.0.1 with Vite's preview server, and runs it
// in headless Chromium through the browser tests' launcher (WebGPU on; SwiftShader without a
// GPU), a fresh Chromium for each library. Progress lines and each finished cell come back
// through exposed functions; the result through page.evaluate.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, preview } from 'vite';
import { collectErrors, launchChromium } from '../../test/browser/harness.ts';
import type { PageOptions } from './page.ts';
import { mergeRuns, type Cell, type EnvResult, type LibStatus } from './run.ts';

const CONFIG = resolve(import.meta.dirname, 'vite.config.ts');

/**
 * Each library in a Chromium of its own, one after the other, from one build of the page: in one
 * page the peers that ran before slowed gpugrad's forward pass at depth 10 from 44 to 53 ms
 * (each peer's WebGPU device shares the GPU process and SwiftShader's threads), as one process
 * does in Node (cli.ts).
 */
export async function runInBrowser(options: PageOptions, onProgress: (line: string) => void): Promise<EnvResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'gpugrad-speed-page-'));
  try {
    onProgress('[browser] bundling the page with Vite');
    await build({ configFile: CONFIG, build: { outDir } });
    const server = await preview({ configFile: CONFIG, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
    try {
      const url = server.resolvedUrls?.local[0];
      if (!url) throw new Error('the preview server did not report a URL');
      const parts: EnvResult[] = [];
      for (const lib of options.libs) parts.push(await runPage(url, { ...options, libs: [lib] }, onProgress));
      return mergeRuns('browser', parts);
    } finally {
      await new Promise<void>((done) => server.httpServer.close(() => done()));
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Runs the page at `url` for `options.libs` in a fresh headless Chromium. */
async function runPage(url: string, options: PageOptions, onProgress: (line: string) => void): Promise<EnvResult> {
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    const errors = await collectErrors(page);
    // Cells come back one by one as they finish: if the page dies, what it measured stays.
    const libs: LibStatus[] = [];
    const cells: Cell[] = [];
    let crashed: Error | null = null;
    page.on('error', (e) => { crashed = e; }); // the page's process crashed
    await page.exposeFunction('speedProgress', onProgress);
    await page.exposeFunction('speedLib', (lib: LibStatus) => { libs.push(lib); });
    await page.exposeFunction('speedCell', (cell: Cell) => { cells.push(cell); });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.speedStart === 'function', { timeout: 60_000 });
    onProgress(`[browser] ${await chromium.browser.version()}`);
    await page.evaluate((o) => window.speedStart(o), options);
    // Polled from here rather than with waitForFunction: a long synchronous stretch in the page
    // (a peer compiling its shaders) only delays the answer.
    let outcome: Window['speedResult'];
    for (;;) {
      try {
        outcome = crashed ? undefined : await page.evaluate(() => window.speedResult);
      } catch (e) {
        crashed ??= e instanceof Error ? e : new Error(String(e));
      }
      if (outcome || crashed) break;
      await new Promise((done) => setTimeout(done, 1000));
    }
    if (errors.length) onProgress(`[browser] the page reported ${errors.length} error(s); first: ${errors[0].slice(0, 300)}`);
    if (outcome?.ok) return { ...outcome.result, pageErrors: errors };
    // The page failed or died: keep the cells it sent, mark the rest.
    const reason = crashed ? `the page crashed: ${(crashed as Error).message.split('\n')[0]}` : `the page failed: ${outcome && !outcome.ok ? outcome.error.split('\n')[0] : 'no result'}`;
    onProgress(`[browser] ${reason}`);
    for (const w of options.workloads) {
      for (const lib of options.libs) {
        if (!cells.some((c) => c.workload === w.id && c.lib === lib)) cells.push({ workload: w.id, lib, status: 'failed', reason, times: [] });
      }
    }
    return { env: 'browser', userAgent: await chromium.browser.userAgent().catch(() => ''), libs, cells, pageErrors: [...errors, reason] };
  } finally {
    await chromium.close();
  }
}
