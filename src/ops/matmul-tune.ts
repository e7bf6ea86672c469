// The matmul autotuner: times every kernel that can run a product on this adapter and keeps
// the fastest for the product's layout and shape class, so matmul(), linear() and their
// backward passes pick it under 'auto'. Measuring takes a readback per timing, so it is an
// explicit async step (a model's products are a handful of shapes: tune them once, before
// training), and its choices can be saved with matmulTuning() and loaded with setMatmulTuning().

import { getDevice } from '../device/device.ts';
import { GpugradError } from '../errors.ts';
import * as init from '../init/index.ts';
import { tidy } from '../scope.ts';
import type { Tensor } from '../tensor.ts';
import { checkNumber, checkOptions } from './args.ts';
import { matmul } from './matmul.ts';
import { candidates, layoutOf, recordChoice, tuningKey, type Kernel, type Layout } from './matmul-kernels.ts';

/** A product to tune: op(a)·op(b) with op(a) [m, k] and op(b) [k, n]. */
export interface TuneShape { m: number; k: number; n: number; transposeA?: boolean; transposeB?: boolean }

/** What tuneMatmul() measured for one product. */
export interface TuneResult {
  /** The cache key: adapter, layout, shape class. */
  key: string;
  layout: Layout;
  m: number;
  k: number;
  n: number;
  /** Median milliseconds per product of each kernel that can run it. */
  ms: Partial<Record<Kernel, number>>;
  /** The fastest, now the choice of 'auto' for products of this class. */
  choice: Kernel;
}

/** The three products of a linear layer's training step: forward x·W, dx = dz·Wᵀ, dW = xᵀ·dz. */
export function linearProducts(batch: number, inFeatures: number, outFeatures: number): TuneShape[] {
  return [
    { m: batch, k: inFeatures, n: outFeatures },
    { m: batch, k: outFeatures, n: inFeatures, transposeB: true },
    { m: inFeatures, k: batch, n: outFeatures, transposeA: true },
  ];
}

async function timeOnce(run: () => void): Promise<number> {
  const t0 = performance.now();
  tidy(run);
  await getDevice().sync();
  return performance.now() - t0;
}

/**
 * Times each kernel that fits each product (one warm-up, then the median of `repeats` runs,
 * each waited for on the GPU) and records the fastest as 'auto''s choice for the product's
 * layout and shape class on this adapter. Returns the timings. Takes seconds on a CPU adapter
 * for products of 512 and up; `onProgress` hears each product as it finishes.
 */
export async function tuneMatmul(shapes: TuneShape[], options: { repeats?: number; onProgress?: (r: TuneResult) => void } = {}): Promise<TuneResult[]> {
  checkOptions('tuneMatmul', options);
  const repeats = checkNumber('tuneMatmul', 'repeats', options.repeats ?? 3, { integer: true, min: 1 });
  if (!Array.isArray(shapes)) throw new GpugradError(`tuneMatmul: shapes must be an array of { m, k, n, transposeA?, transposeB? }`);
  const results: TuneResult[] = [];
  for (const [i, s] of shapes.entries()) {
    for (const d of ['m', 'k', 'n'] as const) checkNumber('tuneMatmul', `shapes[${i}].${d}`, s?.[d], { integer: true, min: 1 });
    const [ta, tb] = [s.transposeA ?? false, s.transposeB ?? false];
    const layout = layoutOf(ta, tb);
    const dims = { m: s.m, k: s.k, n: s.n };
    const [a, b]: Tensor[] = [init.normal(ta ? [s.k, s.m] : [s.m, s.k], { seed: 1 }), init.normal(tb ? [s.n, s.k] : [s.k, s.n], { seed: 2 })];
    try {
      const ms: Partial<Record<Kernel, number>> = {};
      for (const variant of candidates(layout, dims)) {
        const run = () => { matmul(a, b, { transposeA: ta, transposeB: tb, variant }); };
        await timeOnce(run); // compiles the pipeline
        const times: number[] = [];
        for (let r = 0; r < repeats; r++) times.push(await timeOnce(run));
        ms[variant] = times.sort((x, y) => x - y)[Math.floor(repeats / 2)];
      }
      const choice = (Object.entries(ms) as [Kernel, number][]).reduce((best, e) => (e[1] < best[1] ? e : best))[0];
      const key = tuningKey(layout, dims);
      recordChoice(key, choice);
      const result = { key, layout, ...dims, ms, choice };
      results.push(result);
      options.onProgress?.(result);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  return results;
}
