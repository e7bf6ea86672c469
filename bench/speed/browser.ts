// The Chromium side of `npm run bench:speed`: builds the page (bench/speed/vite.config.ts)
// into a temporary folder, serves it from 127.0.0.1 with Vite's preview server, and runs it
// in headless Chromium through the browser tests' launcher (WebGPU on; SwiftShader without a
// GPU). Progress lines come back through an exposed function; the result through page.evaluate.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, preview } from 'vite';
import { collectErrors, launchChromium } from '../../test/browser/harness.ts';
import type { PageOptions } from './page.ts';
import type { EnvResult } from './run.ts';

const CONFIG = resolve(import.meta.dirname, 'vite.config.ts');

export async function runInBrowser(options: PageOptions, onProgress: (line: string) => void): Promise<EnvResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'gpugrad-speed-page-'));
  try {
    onProgress('[browser] bundling the page with Vite');
    await build({ configFile: CONFIG, build: { outDir } });
    const server = await preview({ configFile: CONFIG, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
    const url = server.resolvedUrls?.local[0];
    const chromium = await launchChromium();
    try {
      if (!url) throw new Error('the preview server did not report a URL');
      const page = await chromium.browser.newPage();
      const errors = await collectErrors(page);
      await page.exposeFunction('speedProgress', onProgress);
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => typeof window.speedStart === 'function', { timeout: 60_000 });
      onProgress(`[browser] ${await chromium.browser.version()}`);
      await page.evaluate((o) => window.speedStart(o), options);
      await page.waitForFunction(() => window.speedResult !== undefined, { timeout: 0, polling: 500 });
      const outcome = await page.evaluate(() => window.speedResult!);
      if (!outcome.ok) throw new Error(`the page failed: ${outcome.error}`);
      // Errors the page logged (a peer's console.error) are noted, not fatal: the cells say what failed.
      if (errors.length) onProgress(`[browser] the page reported ${errors.length} error(s); first: ${errors[0].slice(0, 300)}`);
      return { ...outcome.result, pageErrors: errors };
    } finally {
      await chromium.close();
      await new Promise<void>((done) => server.httpServer.close(() => done()));
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
