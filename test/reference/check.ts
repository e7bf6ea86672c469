/**
 * Comparison helpers for gpugrad's tests: float64 central-difference gradients,
 * a float32 tolerance model, and an element-wise closeness check that fails with
 * a message naming the worst element. Like the rest of test/reference/, this file
 * never calls the library (src/): it judges library results, so it must not
 * share code with them.
 */
import { clone, zeros, type Nd } from './ndarray.ts';

/** Float32 machine epsilon, 2^-23 (the gap between 1 and the next float32). */
export const EPS32 = 2 ** -23;

/** Constant of the tolerance model (see `tolerance`). */
export const TOL_C = 32;

export interface Tol {
  atol: number;
  rtol: number;
}

/**
 * Float32 tolerance t = scale * TOL_C * EPS32 * sqrt(n + 1), meant to be used as
 * BOTH atol and rtol: pass when |actual - expected| <= t + t * |expected|.
 *
 * Model. n is the reduction length feeding each output element (1 for
 * element-wise ops, K for a matmul, the row length for softmax, the element
 * count for a full sum). Each float32 add rounds with relative error <= EPS32/2,
 * and with random rounding the accumulated error grows like sqrt(n) units of the
 * running magnitude (pairwise/tree reductions on the GPU do better than this).
 * The +1 covers the input rounding to float32 and a few-ULP error of GPU
 * transcendentals (exp, log, tanh) even when n = 1. TOL_C = 32 leaves a wide
 * margin over the sqrt(n) typical error (for a sequential float32 dot product
 * of N(0,1) terms the margin is > 100 standard deviations for results of typical
 * size), while a result that is wrong by 1e-3 relative still fails for n up to
 * ~65000 (t(65536) ~ 1e-3), and by far for the n <= 4096 used in tests
 * (t(1) = 5.4e-6, t(1024) = 1.2e-4, t(4096) = 2.4e-4).
 *
 * The absolute part guards outputs that cancel to near zero. It assumes the
 * running sums are O(1); when they are larger (big inputs, large zero-mean
 * reductions whose partial sums grow like sqrt(n), exp of large arguments),
 * pass `scale` ~ the magnitude of the terms or partial sums. Measured for
 * sequential float32 dot products of N(0,1) vectors, worst |err|/allowed over
 * 400 trials: 0.01 (n=1), 0.09 (256), 0.28 (1024), 0.18 (4096), 0.62 (16384,
 * near-zero results) - so scale 1 is safe up to n ~ 4096; use scale > 1 beyond.
 */
export function tolerance(reductionLength: number, scale = 1): number {
  const n = Math.max(0, reductionLength);
  return scale * TOL_C * EPS32 * Math.sqrt(n + 1);
}

/** `{ atol: t, rtol: t }` with t = tolerance(reductionLength, scale). */
export function tol(reductionLength: number, scale = 1): Tol {
  const t = tolerance(reductionLength, scale);
  return { atol: t, rtol: t };
}

/**
 * Throws unless, for every i, |actual[i] - expected[i]| <= atol + rtol * |expected[i]|.
 * Also throws when the lengths differ, when actual is NaN/infinite where expected is
 * finite, or when expected is NaN/infinite and actual is not the same value.
 * The message names `label`, the number of bad elements, and the worst one
 * (index, actual, expected, |diff|, allowed).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { atol, rtol }: Tol, label: string): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length mismatch, actual ${actual.length} vs expected ${expected.length}`);
  }
  let bad = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let excess: number; // > 0 means out of tolerance; larger is worse
    if (!Number.isFinite(e)) {
      excess = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) ? -Infinity : Infinity;
    } else if (!Number.isFinite(a)) {
      excess = Infinity;
    } else {
      excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    }
    if (excess > 0) {
      bad++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (bad > 0) {
    const a = actual[worst];
    const e = expected[worst];
    throw new Error(
      `${label}: ${bad} of ${expected.length} elements out of tolerance (atol=${atol.toExponential(3)}, ` +
        `rtol=${rtol.toExponential(3)}); worst at index ${worst}: actual=${a}, expected=${e}, ` +
        `|diff|=${Math.abs(a - e)}, allowed=${atol + rtol * Math.abs(e)}`,
    );
  }
}

/**
 * Central-difference gradient of a scalar function of several Nd inputs, in
 * float64: grad[k][j] = (f(x + h e_j) - f(x - h e_j)) / (2h) for element j of
 * input k. Returns one Nd per input, shaped like it. `inputs` are not modified
 * (f sees perturbed copies); f must not keep references to the arrays it is given.
 * The default h = 1e-6 gives truncation error ~1e-12 * |f'''| and rounding error
 * ~1e-10 * |f| for inputs of order 1.
 */
export function finiteDiffGrad(f: (inputs: Nd[]) => number, inputs: Nd[], h = 1e-6): Nd[] {
  const work = inputs.map(clone);
  return work.map((x) => {
    const grad = zeros(x.shape);
    for (let j = 0; j < x.data.length; j++) {
      const v = x.data[j];
      const vp = v + h;
      const vm = v - h;
      x.data[j] = vp;
      const fp = f(work);
      x.data[j] = vm;
      const fm = f(work);
      x.data[j] = v;
      grad.data[j] = (fp - fm) / (vp - vm); // the step actually taken, after float64 rounding
    }
    return grad;
  });
}
