// What the headless-browser tests and `npm run soak -- --browser` share: a Vite dev server on
// 127.0.0.1 (fresh dependency cache, no watching, no HMR), headless Chromium with WebGPU (on
// SwiftShader without a GPU; a fresh profile each launch) from whichever browser
// find-browser.cjs finds, and a collector of everything a page reports as an error:
// console.error, uncaught exceptions, unhandled rejections and failed requests.

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, mergeConfig, type InlineConfig } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer';

export const ROOT = resolve(import.meta.dirname, '../..');

const { findBrowser } = createRequire(import.meta.url)('./find-browser.cjs') as typeof import('./find-browser.cjs');

/** The browser to launch (find-browser.cjs); throws one line naming what to install when there is none. */
export function browserExecutable(): string {
  return findBrowser({ puppeteerPath: () => puppeteer.executablePath() }).path;
}

/** WebGPU on, and nothing that tries to reach the network. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--enable-unsafe-webgpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];

export interface Served { url: string; close(): Promise<void> }

/** Starts a Vite dev server on 127.0.0.1 at a free port; `config` adds to the defaults. */
export async function serve(config: InlineConfig): Promise<Served> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'gpugrad-vite-'));
  const server = await createServer(mergeConfig({
    logLevel: 'warn',
    cacheDir,
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null, fs: { allow: [ROOT] } },
  } satisfies InlineConfig, config));
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the Vite dev server did not report a URL');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

export interface Chromium { browser: Browser; close(): Promise<void> }

/** Headless Chromium; `webgpu: false` leaves out --enable-unsafe-webgpu, `args` adds flags. */
export async function launchChromium({ webgpu = true, args = [] as string[] } = {}): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'gpugrad-chromium-'));
  const flags = CHROMIUM_FLAGS.filter((f) => webgpu || f !== '--enable-unsafe-webgpu');
  const browser = await puppeteer.launch({
    executablePath: browserExecutable(),
    headless: true,
    args: [...flags, ...args, `--user-data-dir=${profile}`],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Collects the page's errors into the returned array. Call before the first navigation:
 * unhandled rejections are turned into console errors by a script that runs before the page's.
 */
export async function collectErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  await page.evaluateOnNewDocument(() => {
    window.addEventListener('unhandledrejection', (event) => console.error(`unhandled rejection: ${String(event.reason)}`));
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  return errors;
}
