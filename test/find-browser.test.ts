// Finding the browser the headless tests launch (test/browser/find-browser.cjs), on fake
// candidate lists, PATHs and environments in a temporary folder; and Puppeteer reading
// .puppeteerrc.cjs from where `npm ci` runs its install script.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './browser/harness.ts';

const finder = createRequire(import.meta.url)('./browser/find-browser.cjs') as typeof import('./browser/find-browser.cjs');

let dir: string;
/** A file in the temporary folder, executable or not. */
function file(name: string, executable = true): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gpugrad-browsers-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findSystemBrowser', () => {
  it('takes the first executable name on PATH, in PATH order, skipping files that are not executable', () => {
    file('a/chromium', false);
    const b = file('b/google-chrome');
    file('c/chromium');
    const env = { PATH: [join(dir, 'a'), join(dir, 'b'), join(dir, 'c')].join(':') };
    const candidates = { names: ['chromium', 'google-chrome'], paths: [] };
    expect(finder.findSystemBrowser({ env, candidates })).toBe(join(dir, 'c/chromium'));
    expect(finder.findSystemBrowser({ env, candidates: { names: ['google-chrome'], paths: [] } })).toBe(b);
  });

  it('falls back to absolute paths, and finds nothing where nothing is', () => {
    const fixed = file('opt/chrome');
    const env = { PATH: join(dir, 'empty') };
    expect(finder.findSystemBrowser({ env, candidates: { names: ['chromium'], paths: [join(dir, 'nope'), fixed] } })).toBe(fixed);
    expect(finder.findSystemBrowser({ env, candidates: { names: ['chromium'], paths: [join(dir, 'nope'), dir] } })).toBeUndefined();
  });

  it('knows the usual places on Linux, macOS and Windows', () => {
    const linux = finder.systemCandidates('linux', {});
    expect(linux.names).toEqual(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']);
    expect(linux.paths).toEqual(expect.arrayContaining(['/usr/bin/chromium', '/usr/bin/google-chrome-stable', '/snap/bin/chromium']));
    expect(finder.systemCandidates('darwin', { HOME: '/Users/me' }).paths).toEqual(expect.arrayContaining([
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Users/me/Applications/Chromium.app/Contents/MacOS/Chromium',
    ]));
    expect(finder.systemCandidates('win32', { PROGRAMFILES: 'C:\\Program Files' }).paths).toHaveLength(1);
  });
});

describe('findBrowser', () => {
  const none = { names: ['chromium'], paths: [] };
  const bare = () => ({ PATH: join(dir, 'empty') });

  it('puts PUPPETEER_EXECUTABLE_PATH first, over a system browser', () => {
    const chosen = file('chosen/chrome');
    const system = { names: [], paths: [file('system/chromium')] };
    expect(finder.findBrowser({ env: { ...bare(), PUPPETEER_EXECUTABLE_PATH: chosen }, candidates: system }))
      .toEqual({ path: chosen, source: 'PUPPETEER_EXECUTABLE_PATH' });
    expect(finder.findBrowser({ env: bare(), candidates: system })).toEqual({ path: system.paths[0], source: 'system' });
  });

  it('fails in one line when PUPPETEER_EXECUTABLE_PATH names a missing file', () => {
    const missing = join(dir, 'missing/chrome');
    const attempt = () => finder.findBrowser({ env: { ...bare(), PUPPETEER_EXECUTABLE_PATH: missing }, candidates: none });
    expect(attempt).toThrow(`PUPPETEER_EXECUTABLE_PATH=${missing} is not an executable file`);
    expect(attempt).not.toThrow(/\n/);
  });

  it("uses Puppeteer's downloaded browser only when there is no system one and the file exists", () => {
    const downloaded = file('cache/chrome-linux64/chrome');
    expect(finder.findBrowser({ env: bare(), candidates: none, puppeteerPath: () => downloaded }))
      .toEqual({ path: downloaded, source: 'puppeteer' });
    for (const puppeteerPath of [() => join(dir, 'cache/absent/chrome'), () => undefined, () => { throw new Error('no cache'); }]) {
      const attempt = () => finder.findBrowser({ env: bare(), candidates: none, puppeteerPath });
      expect(attempt).toThrow(/^no Chromium or Chrome found: install one \(Debian: apt-get install chromium;.*PUPPETEER_EXECUTABLE_PATH$/);
      expect(attempt).not.toThrow(/\n/);
    }
  });
});

describe('.puppeteerrc.cjs', () => {
  it('is what Puppeteer reads from its install folder: no download with a system browser, never chrome-headless-shell', async () => {
    const read = 'const c = require("puppeteer").default.configuration; ' +
      'console.log(JSON.stringify({ skip: c.skipDownload, shell: c["chrome-headless-shell"].skipDownload }))';
    const env = { ...process.env };
    for (const name of ['PUPPETEER_SKIP_DOWNLOAD', 'PUPPETEER_EXECUTABLE_PATH']) delete env[name];
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', read], { cwd: join(ROOT, 'node_modules/puppeteer'), env });
    expect(JSON.parse(stdout)).toEqual({ skip: finder.findSystemBrowser() !== undefined, shell: true });
  });
});
