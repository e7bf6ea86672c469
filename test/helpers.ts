// Shared test helpers: move float64 reference arrays (test/reference/ndarray.ts) to and from
// the GPU, and draw inputs already rounded to float32 so the reference starts from exactly
// the values the GPU sees. Nothing here computes an op: results are judged only by the
// float64 references, closed forms or finite differences.

import { expect } from 'vitest';
import { tensor, type Tensor } from '../src/index.ts';
import { nd, randn, uniform, type Nd, type Rng } from './reference/ndarray.ts';
import { matmul } from './reference/ops.ts';
import { expectClose, type Tol } from './reference/check.ts';

/** The same array with every element rounded to the nearest float32. */
export function f32(x: Nd): Nd {
  return nd(Array.from(x.data, Math.fround), x.shape);
}

/** Uploads an Nd as a float32 tensor. */
export function toTensor(x: Nd, requiresGrad = false): Tensor {
  return tensor(Float32Array.from(x.data), x.shape, { requiresGrad });
}

/** Reads a tensor back as plain numbers. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

export interface Draw {
  /** Uniform in [lo, hi) instead of standard normal. */
  range?: [number, number];
  /** Push values with |x| < minAbs out to ±minAbs (keeps kinks of relu/abs away). */
  minAbs?: number;
}

/** A random float32-rounded array: standard normal, or uniform in `range`. */
export function rand(shape: number[], rng: Rng, draw: Draw = {}): Nd {
  const x = draw.range ? uniform(shape, draw.range[0], draw.range[1], rng) : randn(shape, rng);
  if (draw.minAbs) {
    const m = draw.minAbs;
    x.data.forEach((v, i) => { if (Math.abs(v) < m) x.data[i] = v < 0 ? -m - Math.abs(v) : m + Math.abs(v); });
  }
  return f32(x);
}

/** Asserts the tensor has the reference's shape and values within `tolerance`. */
export async function expectTensor(t: Tensor, expected: Nd, tolerance: Tol, label: string): Promise<void> {
  expect(t.shape, `${label}: shape`).toEqual(expected.shape);
  expectClose(await t.data(), expected.data, tolerance, label);
}

/** Shape as text, for test names. */
export const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/** The float64 matmul reference, extended to a 2-D left operand shared by a batched right one. */
export function refMatmul(a: Nd, b: Nd): Nd {
  if (a.shape.length === 3 || b.shape.length === 2) return matmul(a, b);
  const batch = b.shape[0];
  const tiled = nd(Array.from({ length: batch }, () => Array.from(a.data)).flat(), [batch, ...a.shape]);
  return matmul(tiled, b);
}

/** One op test case: GPU function and float64 reference over the same inputs. */
export interface OpCase {
  label: string;
  inputs: Nd[];
  gpu: (...xs: Tensor[]) => Tensor;
  ref: (...xs: Nd[]) => Nd;
  /** Tolerance of the GPU result against the reference. */
  tol: Tol;
  /** Which inputs require a gradient (default: all, for ops with a VJP). */
  grad?: boolean[];
}

/** A 0-d reference array holding v. */
export const scalarNd = (v: number): Nd => nd([v], []);

/** fn applied to every element of a reference array. */
export const mapNd = (x: Nd, fn: (v: number) => number): Nd => nd(Array.from(x.data, fn), x.shape);

/**
 * Checks mean and variance of n samples against their exact values, in float64.
 * Bounds: SE(mean) = sigma / sqrt(n); for the unbiased sample variance s^2,
 * Var(s^2) = (mu4 - sigma^4 (n-3)/(n-1)) / n with mu4 = kurtosis * sigma^4 (3 for a normal, 9/5 for a
 * uniform, E[X^4]/E[X^2]^2 of the ±2-truncated normal). Both estimates are sums of n iid terms, so
 * nearly Gaussian: 6 standard errors fail by chance with probability ~2e-9. At n = 1e6 that is 0.85%
 * of the variance for a normal, so a wrong fan (2x), gain or truncation factor (1.29x) cannot pass.
 */
export function expectMoments(x: Float32Array, mean: number, variance: number, kurtosis: number, label: string): void {
  const n = x.length;
  let s = 0;
  for (const v of x) s += v;
  const m = s / n;
  let ss = 0;
  for (const v of x) ss += (v - m) ** 2;
  const s2 = ss / (n - 1);
  const seMean = Math.sqrt(variance / n);
  const seVar = Math.sqrt((kurtosis * variance ** 2 - variance ** 2 * (n - 3) / (n - 1)) / n);
  expect(Math.abs(m - mean), `${label}: mean ${m} vs ${mean}, 6 SE = ${6 * seMean}`).toBeLessThanOrEqual(6 * seMean);
  expect(Math.abs(s2 - variance), `${label}: variance ${s2} vs ${variance}, 6 SE = ${6 * seVar}`).toBeLessThanOrEqual(6 * seVar);
}
