// The page `npm run soak -- --browser` opens in headless Chromium: runs loop.ts with the
// options in its URL, and hands the adapter, each report and the end to
// the functions browser.ts exposed to it. The JS heap comes from performance.memory
// (Chromium only; precise and after a full GC with the flags browser.ts passes); RSS is
// not the page's to know: browser.ts fills it in from outside.

import { adapterInfo, ready, type AdapterInfo } from '../../src/index.ts';
import { soak, SOAK_DEFAULTS, type Report, type SoakOptions } from './loop.ts';

declare global {
  interface Window {
    soakStart(adapter: AdapterInfo): Promise<void>;
    soakReport(report: Report): Promise<void>;
    soakDone(): Promise<void>;
    soakFailed(message: string): Promise<void>;
    /** With --js-flags=--expose-gc. */
    gc?: () => void;
  }
}

/** Chromium's non-standard performance.memory. */
const heap = () => (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;

const params = new URLSearchParams(location.search);
const options = { ...SOAK_DEFAULTS };
for (const key of Object.keys(options) as (keyof SoakOptions)[]) options[key] = Number(params.get(key) ?? options[key]);
try {
  await ready({ verbose: false });
  await window.soakStart(adapterInfo());
  const memory = () => {
    window.gc?.();
    return { rss: null, heap: heap() };
  };
  // soak() waits for each report to reach browser.ts, which measures RSS meanwhile.
  await soak(options, memory, (report) => window.soakReport(report));
  await window.soakDone();
} catch (error) {
  await window.soakFailed(error instanceof Error ? error.message : String(error));
}
