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
