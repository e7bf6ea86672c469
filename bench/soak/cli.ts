// `npm run soak`: a long training run that watches for leaks (loop.ts), in Node or, with
// --browser, in headless Chromium (browser.ts). Prints a line every --every steps, then
// whether each counter stayed flat after warm-up (verdict.ts); exits 1 if one did not, 2 on
// a bad option (one line on stderr). Node runs with --expose-gc (package.json), so the heap
// is measured after a full collection.

import { adapterInfo, ready, type AdapterInfo } from '../../src/index.ts';
import { soak, SOAK_DEFAULTS, type Report, type SoakOptions } from './loop.ts';
import { formatReport, verdict } from './verdict.ts';

const USAGE = 'usage: npm run soak -- [--steps N] [--every N] [--browser]';

class SoakOptionError extends Error {}

function positiveInteger(name: string, value: string | undefined): number {
  if (value === undefined || value.startsWith('--')) throw new SoakOptionError(`--${name} needs a value`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new SoakOptionError(`--${name}: '${value}' must be a positive integer`);
  return n;
}

/** Options from argv: --steps N, --every N (also as --name=N), --browser, --help. */
export function parseSoakArgs(argv: string[]): { options: SoakOptions; browser: boolean; help: boolean } {
  const options = { ...SOAK_DEFAULTS };
  let browser = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--browser' && inline === undefined) browser = true;
    else if (flag === '--steps' || flag === '--every') options[flag.slice(2) as 'steps' | 'every'] = positiveInteger(flag.slice(2), inline ?? argv[++i]);
    else throw new SoakOptionError(`unknown option '${argv[i]}' (${USAGE.slice(7)})`);
  }
  if (options.steps < 2 * options.every) {
    throw new SoakOptionError(`--steps ${options.steps} must be at least twice --every ${options.every}: one report sets the baseline, later ones are compared with it`);
  }
  return { options, browser, help };
}

/** RSS and the heap after a full collection (global.gc exists with --expose-gc). */
function nodeMemory() {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseSoakArgs>;
  try {
    args = parseSoakArgs(argv);
  } catch (e) {
    if (!(e instanceof SoakOptionError)) throw e;
    process.stderr.write(`gpugrad soak: ${e.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { options } = args;
  const print = (line: string) => { process.stdout.write(line + '\n'); };
  const started = (where: string, memory: string) => (adapter: AdapterInfo) => {
    print(`soak in ${where} on ${adapter.description || adapter.architecture || adapter.vendor}: MLP width ${options.width}, ` +
      `depth ${options.depth}, batch ${options.batch}, SGD; ${options.steps} steps, a report every ${options.every}`);
    print(`(rss and heap: ${memory})`);
  };
  const onReport = (report: Report) => print(formatReport(report));
  let reports: Report[];
  try {
    if (args.browser) {
      const { soakInBrowser } = await import('./browser.ts'); // Puppeteer and Vite load only for --browser
      const memory = "all of Chromium's processes together (Linux only); the page's performance.memory after a full GC";
      reports = await soakInBrowser(options, started('headless Chromium', memory), onReport);
    } else {
      await ready({ verbose: false });
      started('Node', 'this process; the heap after a full GC')(adapterInfo());
      reports = await soak(options, nodeMemory, onReport);
    }
  } catch (e) {
    // No browser, no adapter, a device lost or a page error: gpugrad's and the harness's messages say what to do.
    process.stderr.write(`gpugrad soak: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const checks = verdict(reports);
  print(`after warm-up (step ${reports[0].step} on):`);
  for (const check of checks) print(`  ${check.line}`);
  const moved = checks.filter((c) => c.flat === false).map((c) => c.counter);
  const last = reports.at(-1)!;
  const msPerStep = (1000 * (last.seconds - reports[0].seconds)) / (last.step - reports[0].step);
  const timing = `${last.step} steps in ${last.seconds.toFixed(0)} s, ${msPerStep.toFixed(1)} ms per step after warm-up`;
  print(moved.length === 0 ? `soak: every counter stayed flat after warm-up (${timing})` : `soak: NOT FLAT after warm-up: ${moved.join(', ')} (${timing})`);
  return moved.length === 0 ? 0 : 1;
}
