// The benchmark page (bench/index.html) in headless Chromium, WebGPU on SwiftShader, served by
// Vite on 127.0.0.1 with the page's own config. A small run set through the URL must finish
// and download a results.json that agrees with runSuite in this Node process for the same
// options (same verdicts, statistics within 1e-4 relative); Cancel must stop a run and let
// a new one start cleanly; a bad URL value must show next to its field and start nothing;
// without WebGPU the page must say so. No test may leave a console error or an unhandled
// rejection. A small rescue run checks its signal at initialization against the ReLU closed
// form in the browser too. The quick preset runs to the end (125 s here at load 3-6). The finished pages are
// saved under test/artifacts/: page.png, page-phone.png, page-quick.png and page-charts.png.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'puppeteer';
import { ready } from '../src/index.ts';
import { parseOptions } from '../bench/suite/options.ts';
import { runSuite } from '../bench/suite/run.ts';
import { validateResults, type SuiteResults } from '../bench/suite/schema.ts';
import { collectErrors, launchChromium, ROOT, serve, type Chromium, type Served } from './browser/harness.ts';

const ARTIFACTS = resolve(ROOT, 'test/artifacts');
/** A run small enough for SwiftShader in a few seconds that still has every chart kind of its experiments. */
const SMALL = 'quick=1&experiments=signal,linear&depths=3,5&scales=1&activations=relu,tanh&width=16&batch=16&seed=3';

let server: Served;
let chromium: Chromium;
const downloadDirs: string[] = [];

interface Tab { page: Page; errors: string[]; downloads: string; context: BrowserContext }

/** A fresh browser context (its own downloads folder) with a page that records its errors. */
async function openTab(query: string): Promise<Tab> {
  const downloads = mkdtempSync(join(tmpdir(), 'gpugrad-downloads-'));
  downloadDirs.push(downloads);
  const context = await chromium.browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors = await collectErrors(page);
  await page.goto(`${server.url}?${query}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', { timeout: 60_000 });
  return { page, errors, downloads, context };
}

const state = (page: Page) => page.evaluate(() => document.body.dataset.state);

/** Waits for the run to end (done, cancelled or failed) and returns how it ended. */
async function runEnds(page: Page, timeout = 100_000): Promise<string | undefined> {
  // In slices of a minute: one wait may not outlast Puppeteer's protocolTimeout (180 s).
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await page.waitForFunction(() => ['done', 'cancelled', 'failed'].includes(document.body.dataset.state ?? ''),
        { timeout: Math.max(1, Math.min(60_000, deadline - Date.now())), polling: 200 });
      return state(page);
    } catch (e) {
      if ((e as Error).name !== 'TimeoutError' || Date.now() >= deadline) throw e;
    }
  }
}

/** Clicks a download button and returns the file's bytes once Chromium has written it. */
async function downloaded(tab: Tab, selector: string, name: string): Promise<Buffer> {
  const path = join(tab.downloads, name);
  rmSync(path, { force: true });
  await tab.page.click(selector);
  const deadline = Date.now() + 20_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${name} was not downloaded`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 200)); // the rename from .crdownload is the last step
  return readFileSync(path);
}

/** Every number in `page` within `rtol` of the one in `node` (relative), everything else equal. */
function compareStatistics(page: unknown, node: unknown, path: string, problems: string[], rtol = 1e-4): void {
  if (problems.length > 20) return;
  if (typeof page === 'number' && typeof node === 'number') {
    if (page !== node && !(Math.abs(page - node) <= rtol * Math.max(Math.abs(page), Math.abs(node)))) problems.push(`${path}: page ${page}, node ${node}`);
  } else if (Array.isArray(page) && Array.isArray(node)) {
    if (page.length !== node.length) problems.push(`${path}: page has ${page.length} entries, node ${node.length}`);
    else page.forEach((v, i) => compareStatistics(v, node[i], `${path}[${i}]`, problems, rtol));
  } else if (page && node && typeof page === 'object' && typeof node === 'object') {
    for (const key of new Set([...Object.keys(page), ...Object.keys(node)])) {
      compareStatistics((page as Record<string, unknown>)[key], (node as Record<string, unknown>)[key], `${path}.${key}`, problems, rtol);
    }
  } else if (page !== node) {
    problems.push(`${path}: page ${JSON.stringify(page)}, node ${JSON.stringify(node)}`);
  }
}

beforeAll(async () => {
  await ready({ verbose: false });
  server = await serve({ configFile: resolve(ROOT, 'bench/vite.config.ts') });
  chromium = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  for (const dir of downloadDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the benchmark page', () => {
  it('runs a small suite from the URL to the end, and its results.json agrees with the command line', async () => {
    const tab = await openTab(SMALL);
    const { page } = tab;
    expect(await state(page)).toBe('ready');
    expect(await page.$eval('#adapter', (el) => el.textContent)).toMatch(/Adapter: .*(GPU|CPU fallback)/);
    const started = performance.now();
    await page.click('#run');
    expect(await runEnds(page)).toBe('done');
    const pageSeconds = (performance.now() - started) / 1000;

    const fromPage = JSON.parse((await downloaded(tab, '#download-json', 'results.json')).toString('utf8')) as SuiteResults;
    expect(validateResults(fromPage)).toEqual([]);
    expect(fromPage.adapter.source).toBe('navigator.gpu');
    const options = parseOptions(Object.fromEntries(new URLSearchParams(SMALL)));
    expect(fromPage.options).toEqual(options);
    // The URL the page ends on reproduces the run.
    expect(parseOptions(Object.fromEntries(new URL(page.url()).searchParams))).toEqual(options);

    const nodeStarted = performance.now();
    const fromNode = JSON.parse(JSON.stringify(await runSuite(options))) as SuiteResults;
    console.log(`page test: small run ${pageSeconds.toFixed(1)} s in the page, ${((performance.now() - nodeStarted) / 1000).toFixed(1)} s in Node`);
    expect(fromPage.signal.map((s) => s.verdict)).toEqual(fromNode.signal.map((s) => s.verdict));
    const problems: string[] = [];
    for (const key of ['options', 'signal', 'linear', 'training', 'speed', 'notes'] as const) compareStatistics(fromPage[key], fromNode[key], key, problems);
    expect(problems).toEqual([]);

    // The charts of these experiments, the verdict table, and working chart downloads.
    for (const chart of ['gradient-heatmap', 'activation-std']) expect(await page.$(`#chart-${chart} .chart svg`), chart).not.toBeNull();
    expect(await page.$eval('#tables', (el) => el.textContent)).toContain('Signal propagation: verdicts');
    expect((await downloaded(tab, '#chart-gradient-heatmap button[data-format="svg"]', 'gradient-heatmap.svg')).toString('utf8')).toMatch(/^<svg/);
    expect((await downloaded(tab, '#chart-activation-std button[data-format="png"]', 'activation-std.png')).subarray(1, 4).toString()).toBe('PNG');

    await page.screenshot({ path: join(ARTIFACTS, 'page.png'), fullPage: true });
    // Phone-sized (isMobile would make Puppeteer reload the page, losing the results).
    await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 2 });
    // On a phone the page scrolls down, never sideways: wide charts and tables scroll in their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'page-phone.png'), fullPage: true });
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('Cancel stops a run and a new run starts cleanly, and the page stays responsive meanwhile', async () => {
    const tab = await openTab('quick=1&experiments=signal&seed=5');
    const { page } = tab;
    await page.click('#run');
    await page.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('#progress-bar')!.value) > 0, { timeout: 60_000, polling: 100 });
    expect(await state(page)).toBe('running');
    // A frame is painted promptly while the GPU works.
    const frameMs = await page.evaluate(() => new Promise<number>((r) => { const t = performance.now(); requestAnimationFrame(() => r(performance.now() - t)); }));
    console.log(`page test: a frame came ${frameMs.toFixed(0)} ms after asking during a run`);
    expect(frameMs).toBeLessThan(2000);
    await page.click('#cancel');
    expect(await runEnds(page, 60_000)).toBe('cancelled');
    expect(await page.$eval('#progress-bar', (el) => (el as HTMLProgressElement).value)).toBeLessThan(1);
    expect(await page.$eval('#download-json', (el) => (el as HTMLButtonElement).disabled)).toBe(true);

    // A smaller run through the form: only what the form says, nothing left from the first run.
    await page.click('#opt-depths', { count: 3 });
    await page.keyboard.type('4');
    await page.click('#opt-width', { count: 3 });
    await page.keyboard.type('16');
    await page.click('#opt-batch', { count: 3 });
    await page.keyboard.type('8');
    await page.click('#opt-activations-tanh');
    await page.click('#opt-activations-linear');
    await page.click('#run');
    expect(await runEnds(page)).toBe('done');
    expect(await page.evaluate(() => document.body.dataset.runs)).toBe('2');
    const results = JSON.parse((await downloaded(tab, '#download-json', 'results.json')).toString('utf8')) as SuiteResults;
    expect(validateResults(results)).toEqual([]);
    expect(results.options).toMatchObject({ experiments: ['signal'], depths: [4], width: 16, batch: 8, activations: ['relu'], seed: 5 });
    expect(new Set(results.signal.map((s) => `${s.activation} ${s.depth}`))).toEqual(new Set(['relu 4']));
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('a small rescue run in the browser: Var = 1/n\'s signal at initialization is He\'s times 2^-l, the form\'s rescue fields set it, and it has its chart', async () => {
    const tab = await openTab('quick=1&experiments=rescue&rescueDepth=6&rescueWidth=16&rescueBatch=8&rescueSteps=6&rescueInits=lecun&rescueVariants=plain,batchnorm&seed=4');
    const { page } = tab;
    expect(await page.$eval('#opt-rescueDepth', (el) => (el as HTMLInputElement).value)).toBe('6');
    expect(await page.$eval('#opt-rescueVariants-layernorm', (el) => (el as HTMLInputElement).checked)).toBe(false);
    await page.click('#run');
    expect(await runEnds(page, 200_000)).toBe('done');
    const results = JSON.parse((await downloaded(tab, '#download-json', 'results.json')).toString('utf8')) as SuiteResults;
    expect(validateResults(results)).toEqual([]);
    const runs = results.rescue!.runs;
    expect(runs.map((r) => `${r.init} ${r.variant}`)).toEqual(['he plain', 'lecun plain', 'lecun batchnorm']);
    // The same seed with half the variance, through ReLU without biases: exactly 2^-l per layer.
    runs[1].signal.forEach((v, l) => expect(Math.abs(v! / runs[0].signal[l]! / 2 ** -(l + 1) - 1), `layer ${l + 1}`).toBeLessThan(1e-4));
    // Batch norm: every layer's mean square E[relu(z)^2] = 1/2 for normalized z (8 examples: a loose bound).
    for (const v of runs[2].signal) expect(Math.abs(v! - 0.5)).toBeLessThan(0.25);
    expect(results.rescue!.verdict.sentence).toMatch(/reproduce/i);
    expect(await page.$('#chart-rescue .chart svg')).not.toBeNull();
    expect(await page.$eval('#tables', (el) => el.textContent)).toContain('What rescues a deep net');
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  }, 240_000);

  it('a lost device ends the run with a message, keeps what was measured, and Run starts again on a new device', async () => {
    const tab = await openTab('quick=1&experiments=signal&depths=4,8&width=16&batch=8&activations=relu&seed=5');
    const { page } = tab;
    await page.click('#run');
    await page.waitForFunction(() => document.querySelectorAll('#tables tr').length > 1, { timeout: 60_000, polling: 100 });
    await page.evaluate(() => (window as unknown as { gpugrad: { getDevice(): { gpu: GPUDevice } } }).gpugrad.getDevice().gpu.destroy());
    expect(await runEnds(page, 60_000)).toBe('failed');
    expect(await page.evaluate(() => document.body.dataset.failure)).toBe('device-lost');
    expect(await page.$eval('#progress-text', (el) => el.textContent)).toMatch(/^The GPU device was lost during the run .*Run starts again on a new device\.$/);
    expect(await page.$$eval('#tables tr', (rows) => rows.length), 'what was measured stays').toBeGreaterThan(1);
    await page.click('#run');
    const ended = await runEnds(page);
    expect(ended, `${await page.$eval('#progress-text', (el) => el.textContent ?? '')} ${tab.errors.join('; ')}`).toBe('done');
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('a bad value in the URL shows next to its field and starts nothing', async () => {
    const tab = await openTab('quick=1&width=abc&experiments=signal,bogus&depths=3&rescueBatch=1');
    const { page } = tab;
    const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
    expect(await text('#error-width')).toMatch(/'abc' must be an integer from 4 to 4096/);
    expect(await text('#error-experiments')).toMatch(/'bogus' is not one of/);
    expect(await text('#error-depths')).toBe('');
    expect(await text('#error-rescueBatch')).toMatch(/'1' must be an integer from 2 to 4096/);
    expect(await page.$eval('#opt-width', (el) => (el as HTMLInputElement).value)).toBe('abc');
    expect(await page.$eval('#run', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    await page.evaluate(() => document.querySelector<HTMLFormElement>('#options')!.requestSubmit());
    await new Promise((r) => setTimeout(r, 300));
    expect(await state(page)).toBe('ready');
    expect(await page.evaluate(() => document.body.dataset.runs)).toBeUndefined();
    expect(await page.$eval('#progress', (el) => (el as HTMLElement).hidden)).toBe(true);

    // Fixing the fields clears the errors and the URL follows the form.
    await page.click('#opt-width', { count: 3 });
    await page.keyboard.type('32');
    expect(await text('#error-width')).toBe('');
    await page.click('#opt-experiments-linear');
    expect(await text('#error-experiments')).toBe('');
    await page.click('#opt-rescueBatch', { count: 3 });
    await page.keyboard.type('16');
    expect(await text('#error-rescueBatch')).toBe('');
    expect(await page.$eval('#run', (el) => (el as HTMLButtonElement).disabled)).toBe(false);
    expect(new URL(page.url()).search).toContain('width=32');

    // An unknown option is an error of the whole form.
    await page.goto(`${server.url}?quick=1&widht=32`, { waitUntil: 'load' });
    expect(await text('#form-error')).toMatch(/unknown option 'widht'/);
    expect(await page.$eval('#run', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('without WebGPU the page says so, with what to do, and offers no Run', async () => {
    const context = await chromium.browser.createBrowserContext();
    const page = await context.newPage();
    const errors = await collectErrors(page);
    await page.evaluateOnNewDocument(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', { timeout: 30_000 });
    expect(await state(page)).toBe('no-webgpu');
    const message = await page.$eval('#no-webgpu', (el) => ((el as HTMLElement).hidden ? '' : el.textContent ?? ''));
    expect(message).toMatch(/WebGPU is not available here/);
    expect(message).toMatch(/Chrome or Edge 113/);
    expect(message).toMatch(/npm run bench -- --quick/);
    expect(await page.$eval('#run', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();

    // Chromium without --enable-unsafe-webgpu: navigator.gpu is there, but no adapter comes.
    const plain = await launchChromium({ webgpu: false });
    try {
      const other = await plain.browser.newPage();
      const otherErrors = await collectErrors(other);
      await other.goto(server.url, { waitUntil: 'load' });
      await other.waitForFunction(() => document.body.dataset.state !== 'loading', { timeout: 30_000 });
      expect(await state(other)).toBe('no-webgpu');
      expect(await other.$eval('#no-webgpu', (el) => el.textContent)).toMatch(/gave the page no adapter.*What to do/s);
      expect(otherErrors).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('the quick preset runs to the end, MNIST training included, with every chart and table', async () => {
    const tab = await openTab('quick=1');
    const started = performance.now();
    await tab.page.click('#run');
    // About 3 minutes on a quiet 2-core machine; the limit leaves room for a loaded one.
    expect(await runEnds(tab.page, 720_000)).toBe('done');
    console.log(`page test: the quick preset took ${((performance.now() - started) / 1000).toFixed(1)} s in headless Chromium`);
    const results = JSON.parse((await downloaded(tab, '#download-json', 'results.json')).toString('utf8')) as SuiteResults;
    expect(validateResults(results)).toEqual([]);
    expect(results.options).toEqual(parseOptions({ quick: '1' }));
    expect(results.signal.length).toBeGreaterThan(0);
    expect(results.training?.runs.every((r) => r.curve.length > 0)).toBe(true);
    for (const key of ['saxe', 'isometry', 'glorot', 'chaos', 'trainability', 'rescue'] as const) expect(results[key]?.verdict.sentence, key).toMatch(/reproduce/i);
    for (const chart of ['gradient-heatmap', 'activation-std', 'training', 'step-time', 'matmul', 'saxe', 'isometry', 'glorot', 'chaos-phase', 'chaos-correlation', 'trainability', 'rescue']) {
      expect(await tab.page.$(`#chart-${chart} .chart svg`), chart).not.toBeNull();
    }
    const tables = await tab.page.$eval('#tables', (el) => el.textContent);
    for (const heading of ['Signal propagation: verdicts', 'Deep linear example', 'Training on MNIST', 'Speed']) expect(tables).toContain(heading);
    await tab.page.screenshot({ path: join(ARTIFACTS, 'page-quick.png'), fullPage: true });
    // The form and the charts, without the tables: the picture the README shows (docs/page.png).
    const tablesTop = await tab.page.evaluate(() => document.querySelector('#tables')!.getBoundingClientRect().top + window.scrollY);
    await tab.page.screenshot({ path: join(ARTIFACTS, 'page-charts.png'), captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(tablesTop) } });
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  }, 760_000);
});
