// `npm run soak -- --browser`: the soak loop in headless Chromium, through the browser tests'
// harness (a Vite dev server on 127.0.0.1 serving bench/soak/, the browser find-browser.cjs
// finds). The page calls back here with each report; this side adds the RSS of all of
// Chromium's processes (on Linux, from /proc: the GPU process holds SwiftShader's memory),
// which the page cannot see. Any error the page reports ends the run.

import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AdapterInfo } from '../../src/index.ts';
import { collectErrors, launchChromium, ROOT, serve } from '../../test/browser/harness.ts';
import type { Report, SoakOptions } from './loop.ts';

/** Summed VmRSS of `root` and all its descendants, in bytes; null where there is no /proc. */
export function processTreeRss(root: number): number | null {
  if (process.platform !== 'linux') return null;
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
      rss.set(Number(name), Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const queue = [root]; queue.length > 0;) {
    const pid = queue.pop()!;
    total += rss.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs the loop in the page; `onReport` gets each report, RSS filled in. */
export async function soakInBrowser(
  options: SoakOptions, onStart: (adapter: AdapterInfo) => void, onReport: (report: Report) => void,
): Promise<Report[]> {
  const server = await serve({ configFile: false, root: resolve(ROOT, 'bench/soak'), optimizeDeps: { noDiscovery: true, include: [] } });
  // Precise performance.memory, and window.gc() so the heap is measured after a full collection.
  const chromium = await launchChromium({ args: ['--enable-precise-memory-info', '--js-flags=--expose-gc'] });
  try {
    const page = await chromium.browser.newPage();
    const errors = await collectErrors(page);
    const pid = chromium.browser.process()?.pid;
    const reports: Report[] = [];
    const finished = new Promise<void>((done, fail) => {
      page.on('error', fail); // the page crashed
      page.on('pageerror', fail);
      void Promise.all([
        page.exposeFunction('soakStart', onStart),
        page.exposeFunction('soakReport', (report: Report) => {
          const full = { ...report, rss: pid === undefined ? null : processTreeRss(pid) };
          reports.push(full);
          onReport(full);
        }),
        page.exposeFunction('soakDone', done),
        page.exposeFunction('soakFailed', (message: string) => fail(new Error(message))),
      ]).then(() => page.goto(`${server.url}?${new URLSearchParams(Object.entries(options).map(([k, v]) => [k, String(v)]))}`)).catch(fail);
    });
    await finished;
    if (errors.length > 0) throw new Error(`the soak page reported errors: ${errors.join('; ')}`);
    return reports;
  } finally {
    await chromium.close();
    await server.close();
  }
}
