// Puppeteer's configuration, read when `npm ci` runs Puppeteer's install script (allowed in
// package.json's allowScripts) and whenever the tests import Puppeteer. Puppeteer downloads
// its Chrome only when this machine has no Chromium or Chrome of its own: a system browser
// found by test/browser/find-browser.cjs (the one the tests then launch) skips the download,
// and so does PUPPETEER_SKIP_DOWNLOAD=1 or PUPPETEER_EXECUTABLE_PATH, which Puppeteer reads
// after this file. The tests run Chrome's own headless mode, so chrome-headless-shell, the
// second browser Puppeteer would fetch, is never needed.
const { findSystemBrowser } = require('./test/browser/find-browser.cjs');

module.exports = {
  skipDownload: findSystemBrowser() !== undefined,
  'chrome-headless-shell': { skipDownload: true },
};
