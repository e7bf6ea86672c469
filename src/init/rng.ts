// Launches rng.wgsl: uniform, normal and truncated-normal tensors from a seed, made on the GPU.

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { GpugradError } from '../errors.ts';
import { constantOf, grid } from '../ops/launch.ts';
import { Tensor, type Shape } from '../tensor.ts';

/** How varianceScaling() draws weights of a given variance. */
export type Distribution = 'uniform' | 'normal' | 'truncatedNormal';
const DIST: Record<Distribution, number> = { uniform: 0, normal: 1, truncatedNormal: 2 };

/** Seeds are integers in [0, 2^53); the low and high 32 bits form Philox's key. */
export function splitSeed(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new GpugradError(`init: seed must be a non-negative integer, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/**
 * A tensor of random values: uniform in [a, b), or normal with mean a and std b (truncated:
 * values beyond 2 std of that normal are redrawn).
 */
export function random(shape: Shape, distribution: Distribution, a: number, b: number, seed: number): Tensor {
  const out = Tensor.empty(shape, 'init');
  if (out.size === 0) return out;
  const [lo, hi] = splitSeed(seed);
  const shader = shaders.rng;
  const kernel = { shader, constants: { DIST: DIST[distribution] } };
  // One invocation per 4 outputs (one Philox block).
  getDevice().dispatch(kernel, [], [out.buffer('init')], { size: out.size, seed_lo: lo, seed_hi: hi, a, b },
    grid(Math.ceil(out.size / 4), constantOf(shader, 'WG')));
  return out;
}
