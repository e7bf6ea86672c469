// The loop of `npm run soak`, the same in Node (cli.ts) and in the page (page.ts): a deep
// MLP trains with SGD on a few fixed batches of random data for many steps, and every
// `every` steps a report records what gpugrad holds (live tensors and bytes, pooled bytes,
// compiled pipelines) and what the process holds (RSS, JS heap: whatever the runtime tells).
// verdict() then says whether each stayed flat after the first report, the warm-up: a leak of
// one tensor, one buffer or one pipeline per step shows as a counter that keeps moving.

import { init, memory, nn, optim, readScalars, softmaxCrossEntropy, tidy, type Tensor } from '../../src/index.ts';

export interface SoakOptions {
  steps: number;
  /** Steps between reports; the first report is the baseline. */
  every: number;
  width: number;
  depth: number;
  batch: number;
}
export const SOAK_DEFAULTS: SoakOptions = { steps: 20_000, every: 1_000, width: 256, depth: 10, batch: 64 };

/** Bytes, or null where the runtime does not say. */
export interface ProcessMemory { rss: number | null; heap: number | null }

export interface Report extends ProcessMemory {
  step: number;
  seconds: number;
  /** Mean training loss since the previous report. */
  loss: number;
  liveTensors: number;
  liveBytes: number;
  pooledBytes: number;
  pipelines: number;
}

const INPUTS = 256;
const CLASSES = 10;
/** Distinct batches the model cycles through, so the loss falls as it learns them. */
const BATCHES = 8;
/**
 * How often losses are read back (and so the CPU waits for the GPU): the largest divisor of
 * `every` up to 100, so that every report interval is made of the same readbacks.
 */
function syncInterval(every: number): number {
  let steps = Math.min(every, 100);
  while (every % steps !== 0) steps--;
  return steps;
}

/**
 * Trains for options.steps steps and reports every options.every steps, waiting for onReport
 * before going on (the GPU is idle meanwhile); returns the reports.
 */
export async function soak(
  options: SoakOptions, processMemory: () => ProcessMemory, onReport: (report: Report) => void | Promise<void> = () => {},
): Promise<Report[]> {
  const started = performance.now();
  const model = nn.mlp({ inputSize: INPUTS, width: options.width, depth: options.depth, outputSize: CLASSES, init: 'kaimingNormal', seed: 1 });
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const xs = Array.from({ length: BATCHES }, (_, i) => init.normal([options.batch, INPUTS], { seed: 100 + i }));
  const labels = xs.map((_, i) => Array.from({ length: options.batch }, (_, row) => (row * 7 + i * 3) % CLASSES));
  const reports: Report[] = [];
  let pending: Tensor[] = [];
  let lossSum = 0;
  let lossCount = 0;
  const sync = syncInterval(options.every);
  try {
    for (let step = 1; step <= options.steps; step++) {
      pending.push(tidy(() => {
        opt.zeroGrad();
        const loss = softmaxCrossEntropy(model.forward(xs[step % BATCHES]), labels[step % BATCHES]);
        loss.backward();
        opt.step();
        return loss;
      }));
      const isReport = step % options.every === 0;
      if (step % sync !== 0) continue;
      for (const value of await readScalars(pending)) lossSum += value;
      lossCount += pending.length;
      for (const loss of pending) loss.dispose();
      pending = [];
      if (!isReport) continue;
      const m = memory();
      const report: Report = {
        step, seconds: (performance.now() - started) / 1000, loss: lossSum / lossCount,
        liveTensors: m.liveTensors, liveBytes: m.liveBytes, pooledBytes: m.pooledBytes, pipelines: m.pipelines.compiled,
        ...processMemory(),
      };
      lossSum = lossCount = 0;
      reports.push(report);
      await onReport(report);
    }
  } finally {
    for (const t of [...pending, ...xs]) t.dispose();
    model.dispose();
    opt.dispose();
  }
  return reports;
}
