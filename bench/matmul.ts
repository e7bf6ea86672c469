// Matmul throughput: GFLOP/s by size and kernel variant, measured on the adapter in use.
// Each size runs a warm-up, then enough repetitions to fill about `minSeconds`, timed from
// submit to onSubmittedWorkDone (no readback inside the timed loop).

import { getDevice, matmul, tidy, type MatmulVariant } from '../src/index.ts';
import { init } from '../src/index.ts';

export interface MatmulResult { size: number; variant: MatmulVariant; ms: number; gflops: number; reps: number }

export async function matmulThroughput(sizes: number[], variants: MatmulVariant[], minSeconds = 1,
  onProgress?: (done: number, total: number) => void): Promise<MatmulResult[]> {
  const device = getDevice();
  const results: MatmulResult[] = [];
  let done = 0;
  for (const size of sizes) {
    const a = init.normal([size, size], { seed: 1 });
    const b = init.normal([size, size], { seed: 2 });
    for (const variant of variants) {
      const once = () => tidy(() => { matmul(a, b, variant); });
      once();
      await device.sync(); // compile and warm up
      let reps = 0;
      const start = performance.now();
      while (performance.now() - start < minSeconds * 1000 || reps < 2) {
        once();
        await device.sync();
        reps++;
      }
      const ms = (performance.now() - start) / reps;
      results.push({ size, variant, ms, reps, gflops: (2 * size ** 3) / (ms * 1e6) });
      onProgress?.(++done, sizes.length * variants.length);
    }
    a.dispose();
    b.dispose();
  }
  return results;
}
