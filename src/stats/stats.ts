// Statistics of tensors, computed on the GPU, and a gather that reads many scalars back in
// one transfer. The benchmark suite records five numbers per layer per step; reading each
// one back separately would cost a GPU round trip apiece.

import { noGrad } from '../autograd.ts';
import { getDevice } from '../device/device.ts';
import { GpugradError } from '../errors.ts';
import { abs, add, div, max, mean, mul, sqrt, square, sub, sum } from '../ops/index.ts';
import { Tensor } from '../tensor.ts';

// Each statistic divides by max|x| first and multiplies it back at the end: squaring a
// finite float32 above 1.8e19 overflows, and an exploding layer would otherwise read as
// non-finite while its values are still finite. (1e-30 keeps an all-zero tensor at 0.)
function scaled(x: Tensor, fn: (unit: Tensor) => Tensor): Tensor {
  return noGrad(() => {
    const m = add(max(abs(x)), 1e-30);
    return mul(fn(div(x, m)), m);
  });
}

/** Population standard deviation over all elements, two-pass (subtract the mean first). */
export const std = (x: Tensor): Tensor => scaled(x, (u) => sqrt(mean(square(sub(u, mean(u))))));

/** Frobenius (L2) norm over all elements. */
export const norm = (x: Tensor): Tensor => scaled(x, (u) => sqrt(sum(square(u))));

/** Root mean square over all elements. */
export const rms = (x: Tensor): Tensor => scaled(x, (u) => sqrt(mean(square(u))));

/** Reads one-element tensors back in a single transfer, in order. */
export async function readScalars(scalars: Tensor[]): Promise<Float32Array> {
  if (scalars.length === 0) return new Float32Array(0);
  const device = getDevice();
  const gathered = Tensor.empty([scalars.length]);
  try {
    scalars.forEach((s, i) => {
      if (s.size !== 1) throw new GpugradError(`readScalars: tensor ${i} has ${s.size} elements, not 1`);
      device.copy(s.buffer('readScalars'), gathered.buffer('readScalars'), 4, i * 4);
    });
    return await gathered.data();
  } finally {
    gathered.dispose();
  }
}

