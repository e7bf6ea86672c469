// Statistics of tensors computed on the GPU, and a gather that reads many small tensors back
// in one transfer. The benchmark suite records several numbers per layer per step; reading
// each back separately would cost a GPU round trip apiece, and composing them from ops would
// cost a dozen dispatches apiece.

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { Tensor } from '../tensor.ts';

/** Indices into the result of moments(). */
export const MOMENT = { mean: 0, std: 1, norm: 2, maxAbs: 3 } as const;

/**
 * [mean, std, norm, max|x|] of all elements as a 4-element tensor, in one dispatch (never
 * recorded for autograd). std is the population standard deviation, norm the L2/Frobenius
 * norm. Computed on x / max|x| and scaled back, so an exploding but finite tensor gives finite
 * statistics; a tensor holding inf or NaN gives non-finite ones, and an empty one NaN mean
 * and std (0/0, as NumPy).
 */
export function moments(x: Tensor): Tensor {
  const out = Tensor.empty([4], 'moments');
  getDevice().dispatch({ shader: shaders.moments, constants: { WG: 256 } }, [x.buffer('moments')], [out.buffer('moments')], { size: x.size }, [1, 1, 1]);
  return out;
}

/** Reads several tensors back in a single transfer; returns their values in order. */
export async function readAll(tensors: Tensor[]): Promise<Float32Array[]> {
  const total = tensors.reduce((n, t) => n + t.size, 0);
  if (total === 0) return tensors.map(() => new Float32Array(0));
  const device = getDevice();
  const gathered = Tensor.empty([total], 'readAll');
  try {
    let offset = 0;
    for (const t of tensors) {
      if (t.size) device.copy(t.buffer('readAll'), gathered.buffer('readAll'), t.size * 4, offset * 4);
      offset += t.size;
    }
    const flat = await gathered.data();
    let start = 0;
    return tensors.map((t) => flat.slice(start, (start += t.size)));
  } finally {
    gathered.dispose();
  }
}

/** Reads one-element tensors back in a single transfer. */
export async function readScalars(scalars: Tensor[]): Promise<Float32Array> {
  return Float32Array.from((await readAll(scalars)).map((values) => values[0]));
}
