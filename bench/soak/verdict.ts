// What `npm run soak` prints and concludes, the same for Node and the page: one line per
// report, then whether each counter stayed flat after warm-up. gpugrad's own counters must
// not move at all after the first report; process memory wobbles with the allocator and the
// garbage collector, so it gets a tolerance: every later value at most PROCESS_TOLERANCE of
// the baseline or PROCESS_FLOOR bytes above it, whichever is more. Measured on SwiftShader
// over 5,000 steps: RSS moved up to 6%; the heap after a full GC 1% in Node, and by 0.5 MiB
// (18% of a 2.8 MiB heap, back the next report) in Chromium.

import type { Report } from './loop.ts';

export const PROCESS_TOLERANCE = 0.1;
export const PROCESS_FLOOR = 1 << 20;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const orNa = (bytes: number | null) => (bytes === null ? 'n/a' : mb(bytes));

/** `step 1000  193.4 s  loss 0.0217  tensors 52  live 5.5 MiB  pooled 8.6 MiB  pipelines 21  rss 564.3 MiB  heap 17.5 MiB` */
export function formatReport(r: Report): string {
  return `step ${String(r.step).padStart(6)}  ${r.seconds.toFixed(1).padStart(7)} s  loss ${r.loss.toFixed(4)}  ` +
    `tensors ${r.liveTensors}  live ${mb(r.liveBytes)}  pooled ${mb(r.pooledBytes)}  pipelines ${r.pipelines}  ` +
    `rss ${orNa(r.rss)}  heap ${orNa(r.heap)}`;
}

export interface Check {
  counter: string;
  /** true: flat; false: moved; null: the runtime does not report it. */
  flat: boolean | null;
  line: string;
}

type Counter = 'liveTensors' | 'liveBytes' | 'pooledBytes' | 'pipelines' | 'rss' | 'heap';
const COUNTERS: [Counter, string, 'exact' | 'tolerance', (v: number) => string][] = [
  ['liveTensors', 'live tensors', 'exact', String],
  ['liveBytes', 'live bytes', 'exact', mb],
  ['pooledBytes', 'pooled bytes', 'exact', mb],
  ['pipelines', 'compiled pipelines', 'exact', String],
  ['rss', 'process RSS', 'tolerance', mb],
  ['heap', 'JS heap', 'tolerance', mb],
];

/** One check per counter: reports[0] is the baseline, every later report is compared with it. */
export function verdict(reports: Report[]): Check[] {
  if (reports.length < 2) throw new Error('soak: a verdict needs a baseline report and at least one more');
  const [base, ...later] = reports;
  return COUNTERS.map(([key, counter, rule, show]) => {
    const baseline = base[key];
    const values = later.map((r) => r[key]);
    if (baseline === null || values.some((v) => v === null)) return { counter, flat: null, line: `${counter}: not available here` };
    const nums = values as number[];
    if (rule === 'exact') {
      const furthest = nums.reduce((a, b) => (Math.abs(b - baseline) > Math.abs(a - baseline) ? b : a));
      const flat = furthest === baseline;
      return { counter, flat, line: `${counter}: ${show(baseline)} at step ${base.step}, furthest ${show(furthest)}, ${flat ? 'flat' : 'NOT FLAT'} (must equal it)` };
    }
    const highest = Math.max(...nums);
    const flat = highest <= baseline + Math.max(baseline * PROCESS_TOLERANCE, PROCESS_FLOOR);
    const change = `${highest >= baseline ? '+' : ''}${((highest / baseline - 1) * 100).toFixed(1)}%`;
    return {
      counter, flat,
      line: `${counter}: ${show(baseline)} at step ${base.step}, highest ${show(highest)} (${change}), ${flat ? 'flat' : 'NOT FLAT'} ` +
        `(tolerance +${PROCESS_TOLERANCE * 100}% or +${mb(PROCESS_FLOOR)}, whichever is more)`,
    };
  });
}
