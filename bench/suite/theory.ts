// What theory predicts, to print next to what was measured: the mean-field variance gain per
// layer, the effective scale s = Var(w)·fanIn of each named initializer, and the verdicts.

import type { NamedInit, SweepActivation } from './options.ts';
import type { Verdict } from './schema.ts';

/** E[f(u)] for u ~ N(0, 1), trapezoid rule on [-10, 10] (the tails beyond carry < 1e-22). */
export function gaussianExpectation(f: (u: number) => number, points = 4001): number {
  const h = 20 / (points - 1);
  let total = 0;
  for (let i = 0; i < points; i++) {
    const u = -10 + i * h;
    const weight = i === 0 || i === points - 1 ? 0.5 : 1;
    total += weight * f(u) * Math.exp(-0.5 * u * u);
  }
  return (total * h) / Math.sqrt(2 * Math.PI);
}

/**
 * Mean-field per-layer gain of Var(z) over hidden layers 1..depth, for Var(w) = s/fanIn, zero
 * biases and standardized inputs: linear s, ReLU s/2 (half the pre-activations are zeroed), and
 * for tanh the iteration q_{l+1} = s·E[tanh(√q_l u)²] from q_1 = s, reported as
 * (q_L / q_1)^(1/(L-1)) (Poole et al. 2016, Schoenholz et al. 2017).
 */
export function meanFieldGain(activation: SweepActivation, s: number, depth: number): number {
  if (activation === 'linear') return s;
  if (activation === 'relu') return s / 2;
  let q = s;
  const q1 = q;
  for (let l = 1; l < depth; l++) q = s * gaussianExpectation((u) => Math.tanh(Math.sqrt(q) * u) ** 2);
  return (q / q1) ** (1 / (depth - 1));
}

/** s = Var(w)·fanIn of a named initializer, for square hidden layers of `width` units. */
export function effectiveScale(init: NamedInit, width: number): number {
  const scales: Record<NamedInit, number> = {
    lecun: 1,
    xavier: 1, // 2/(fanIn + fanOut) · fanIn with fanIn = fanOut
    he: 2,
    'N(0,1)': width,
    '0.01*N(0,1)': 1e-4 * width,
  };
  return scales[init];
}

/**
 * The verdict of one run: overflow if an op gave a non-finite value in float32; underflow if
 * the signal or a gradient underflowed float32 to exact zeros somewhere; vanishing if the
 * forward std ratio is below 1e-3 or log10 of the first- over last-layer gradient norm below
 * -2; exploding if above 1e3 or +2; else stable.
 */
export function verdictOf(hasNonFinite: boolean, forwardStdRatio: number, log10GradRatio: number, hasUnderflow = false): Verdict {
  if (hasNonFinite) return 'overflow';
  if (hasUnderflow) return 'underflow';
  if (forwardStdRatio < 1e-3 || log10GradRatio < -2) return 'vanishing';
  if (forwardStdRatio > 1e3 || log10GradRatio > 2) return 'exploding';
  return 'stable';
}

/** Least-squares line y = a + b·x with its R². */
export function linearFit(xs: number[], ys: number[]): { intercept: number; slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { intercept: my - slope * mx, slope, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 1 };
}

/** The line through step time by depth: ms per layer (slope), fixed cost and R². */
export const stepTimeFit = (steps: { depth: number; msPerStep: number }[]) =>
  linearFit(steps.map((s) => s.depth), steps.map((s) => s.msPerStep));
