// Which Chromium or Chrome the headless-browser tests and `npm run soak -- --browser` launch,
// and whether `npm ci` needs Puppeteer to download one. CommonJS without dependencies, because
// .puppeteerrc.cjs requires it while Puppeteer installs itself; harness.ts uses it through
// createRequire. The order: PUPPETEER_EXECUTABLE_PATH, then a browser installed on the system,
// then the one Puppeteer downloaded; failing all three, one line saying what to do.
'use strict';
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');

/** Names looked up on PATH, then absolute paths, per platform; the first executable one wins. */
function systemCandidates(platform = process.platform, env = process.env) {
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium'];
    return { names: [], paths: ['/Applications', join(env.HOME ?? '', 'Applications')].flatMap((dir) => apps.map((app) => join(dir, app))) };
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(Boolean);
    return { names: [], paths: roots.map((root) => join(root, 'Google', 'Chrome', 'Application', 'chrome.exe')) };
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  return { names, paths: [...names.map((name) => `/usr/bin/${name}`), '/snap/bin/chromium', '/opt/google/chrome/chrome'] };
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first system Chromium or Chrome: `candidates` names on PATH, then its paths; undefined if none. */
function findSystemBrowser({ env = process.env, candidates = systemCandidates(process.platform, env) } = {}) {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const onPath = candidates.names.flatMap((name) => dirs.map((dir) => join(dir, name)));
  return [...onPath, ...candidates.paths].find(isExecutable);
}

/**
 * The browser to launch, and where it was found. `puppeteerPath` returns where Puppeteer keeps
 * the browser it downloads (puppeteer.executablePath()), whether or not it is there.
 * Throws an Error with a one-line message when there is none.
 */
function findBrowser({ env = process.env, candidates, puppeteerPath = () => undefined } = {}) {
  const chosen = env.PUPPETEER_EXECUTABLE_PATH;
  if (chosen) {
    if (isExecutable(chosen)) return { path: chosen, source: 'PUPPETEER_EXECUTABLE_PATH' };
    throw new Error(`PUPPETEER_EXECUTABLE_PATH=${chosen} is not an executable file: point it at Chromium or Chrome, or unset it`);
  }
  const system = findSystemBrowser({ env, candidates });
  if (system) return { path: system, source: 'system' };
  let downloaded;
  try {
    downloaded = puppeteerPath();
  } catch {
    downloaded = undefined; // Puppeteer could not even say where its browser would be
  }
  if (downloaded && isExecutable(downloaded)) return { path: downloaded, source: 'puppeteer' };
  throw new Error('no Chromium or Chrome found: install one (Debian: apt-get install chromium; Ubuntu: snap install chromium; ' +
    'macOS: Google Chrome), or run `npx puppeteer browsers install chrome`, or set PUPPETEER_EXECUTABLE_PATH');
}

module.exports = { systemCandidates, findSystemBrowser, findBrowser };
