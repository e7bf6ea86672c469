// Dynamical isometry (Saxe et al. 2013; Pennington et al. 2017), two experiments.
// isometry: the input-output Jacobian J = prod_l W_l·diag(phi'(z_l)) of a net at
// initialization, at one input, formed on the GPU by matmuls and decomposed on the CPU in
// float64; orthogonal linear nets keep every singular value at 1, Gaussian ones spread with
// depth as meanfield.ts's jacobianSpectrum predicts.
// saxe: deep linear nets learning a fixed random linear teacher by full-batch gradient descent
// with step size lr/depth (each of the depth layers moves the product by about the same
// amount); the number of steps to a relative loss of 0.1 against depth. With orthogonal
// weights it should not grow with depth; with Gaussian Var = 1/n weights it should.

import { greater, init, optim, readAll, readScalars, square, sub, sum, tanh, tidy, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import { jacobianSpectrum } from '../meanfield.ts';
import { verdictLead, type SaxeRun, type SpectrumRun, type SuiteResults } from '../schema.ts';
import { singularValues } from '../svd.ts';

/** The nets of the spectra: each activation at its critical sigma_w^2 (sigma_b^2 = 0), both weight kinds. */
const SPECTRA = [
  { activation: 'linear', sw2: 1 }, { activation: 'tanh', sw2: 1 }, { activation: 'relu', sw2: 2 },
] as const;
const WEIGHTS = ['orthogonal', 'gaussian'] as const;
/** Width of both experiments: the papers' 64-128 (the float64 SVD grows as width^3). */
const isoWidth = (width: number) => Math.min(width, 128);

function weight(kind: 'orthogonal' | 'gaussian', n: number, sw2: number, seed: number, requiresGrad = false): Tensor {
  return kind === 'orthogonal'
    ? init.orthogonal([n, n], { gain: Math.sqrt(sw2), seed, requiresGrad })
    : init.normal([n, n], { std: Math.sqrt(sw2 / n), seed, requiresGrad });
}

/** The Jacobian's singular values of one net at initialization, at one N(0, 1) input. */
export async function spectrumRun(activation: SpectrumRun['activation'], weights: SpectrumRun['weights'], sw2: number,
  depth: number, width: number, seed: number): Promise<SpectrumRun> {
  const [jacobian] = tidy(() => {
    let a: Tensor = init.normal([1, width], { seed });
    let j: Tensor | null = null;
    for (let l = 1; l <= depth; l++) {
      const w = weight(weights, width, sw2, seed + l);
      const z = a.matmul(w);
      // d a_l / d a_{l-1} = W_l·diag(phi'(z_l)): scale column k of the product by phi'(z_k).
      const slope = activation === 'linear' ? null : activation === 'tanh' ? sub(1, square(tanh(z))) : greater(z, 0);
      a = activation === 'linear' ? z : activation === 'tanh' ? tanh(z) : z.mul(slope!);
      const step = slope ? w.mul(slope) : w;
      j = j ? j.matmul(step) : step;
    }
    return [j!];
  });
  const [values] = await readAll([jacobian]);
  jacobian.dispose();
  const s = singularValues(values, width, width);
  const lambdas = s.map((v) => v * v);
  const meanLambda = lambdas.reduce((x, y) => x + y, 0) / width;
  const variance = lambdas.reduce((x, y) => x + (y - meanLambda) ** 2, 0) / width;
  return {
    activation, weights, sw2, depth, singularValues: s, meanLambda, relativeVariance: variance / meanLambda ** 2,
    theory: jacobianSpectrum(activation, weights, sw2, 0, depth),
  };
}

export function isometryCost(ctx: Context): number {
  const n = isoWidth(ctx.options.width);
  // the matmul chain, plus the CPU's SVD (about 10 sweeps of n^3 / 2 flops, in cost units)
  return SPECTRA.length * WEIGHTS.length * ctx.options.isometryDepths.reduce((s, d) => s + stepCost(d, n, n) / 3 + (10 * n ** 3) / 2e6, 0);
}

export async function isometryExperiment(ctx: Context): Promise<NonNullable<SuiteResults['isometry']>> {
  const { isometryDepths, seed } = ctx.options;
  const width = isoWidth(ctx.options.width);
  const runs: SpectrumRun[] = [];
  for (const { activation, sw2 } of SPECTRA) {
    for (const weights of WEIGHTS) {
      for (const depth of isometryDepths) {
        runs.push(await spectrumRun(activation, weights, sw2, depth, width, seed));
        await ctx.advance(`isometry: ${activation} / ${weights} / depth ${depth}`, stepCost(depth, width, width) / 3 + (10 * width ** 3) / 2e6);
      }
    }
  }
  const deepest = Math.max(...isometryDepths);
  const find = (a: string, w: string) => runs.find((r) => r.activation === a && r.weights === w && r.depth === deepest)!;
  const orth = find('linear', 'orthogonal');
  const gauss = find('linear', 'gaussian');
  const orthSpread = Math.max(...orth.singularValues.map((s) => Math.abs(s - 1)));
  const reproduced = orthSpread < 1e-3 && gauss.relativeVariance > deepest / 2 ? 'yes' : 'no';
  const result = {
    width, runs,
    verdict: {
      reproduced,
      sentence: `${verdictLead(reproduced)} dynamical isometry: at depth ${deepest} every singular value of the ` +
        `orthogonal linear net's Jacobian is within ${orthSpread.toExponential(1)} of 1, while the Gaussian one's squared singular values ` +
        `spread to Var/mean² = ${gauss.relativeVariance.toFixed(1)} (theory ${gauss.theory.relativeVariance.toFixed(0)}, largest ` +
        `${gauss.singularValues[0].toFixed(1)}, smallest ${gauss.singularValues[width - 1].toExponential(1)}).`,
    },
  } satisfies NonNullable<SuiteResults['isometry']>;
  ctx.emit('isometry', result);
  return result;
}

/** Relative loss below which a net counts as having learned the teacher. */
export const SAXE_THRESHOLD = 0.1;
/** Step size of the end-to-end map; each layer's is this over the depth. */
export const SAXE_LR = 0.2;
/** Loss read back every this many steps (a readback per step would stall the GPU). */
const READ_EVERY = 10;

/** One deep linear net learning the teacher; stops at the threshold or after maxSteps. */
export async function saxeRun(kind: 'orthogonal' | 'gaussian', depth: number, width: number, maxSteps: number, seed: number,
  onStep?: () => Promise<void>): Promise<SaxeRun> {
  // X = sqrt(n)·Q: the batch of n inputs is exactly white (XᵀX = n·I), so the loss is the
  // distance of the end-to-end map to the teacher, ||P - T||² / (2n)·n.
  const x = init.orthogonal([width, width], { gain: Math.sqrt(width), seed: seed + 991 });
  const y = x.matmul(init.normal([width, width], { std: Math.sqrt(1 / width), seed: seed + 992 }));
  const ySquares = sum(square(y));
  const ws = Array.from({ length: depth }, (_, l) => weight(kind, width, 1, seed + 1000 + l, true));
  const opt = new optim.SGD(ws, { lr: SAXE_LR / depth });
  const curve: SaxeRun['curve'] = [];
  let pending: Tensor[] = [];
  let stepsToThreshold: number | null = null;
  try {
    for (let step = 1; step <= maxSteps && stepsToThreshold === null; step++) {
      pending.push(tidy(() => {
        opt.zeroGrad();
        const out = ws.reduce((h: Tensor, w) => h.matmul(w), x);
        const err = square(sub(out, y));
        sum(err).div(2 * width).backward();
        opt.step();
        return sum(err).div(ySquares);
      }));
      if (step % READ_EVERY === 0 || step === maxSteps) {
        const losses = await readScalars(pending);
        for (const l of pending) l.dispose();
        pending = [];
        losses.forEach((loss, i) => {
          const at = step - losses.length + 1 + i;
          curve.push({ step: at, loss: Number.isFinite(loss) ? loss : null });
          if (stepsToThreshold === null && loss < SAXE_THRESHOLD) stepsToThreshold = at;
        });
        if (losses.some((l) => !Number.isFinite(l))) break; // diverged: it will never reach the threshold
      }
      await onStep?.();
    }
  } finally {
    opt.dispose();
    for (const t of [...pending, ...ws, x, y, ySquares]) t.dispose();
  }
  return { init: kind, depth, stepsToThreshold, curve };
}

const saxeDepthsOf = (ctx: Context) => ctx.options.saxeDepths;
const saxeStepCost = (depth: number, width: number) => stepCost(depth, width, width) * 1.3;

export function saxeCost(ctx: Context): number {
  const n = isoWidth(ctx.options.width);
  // Gaussian nets may run every step; orthogonal ones stop early (counted as done when they do).
  return WEIGHTS.length * saxeDepthsOf(ctx).reduce((s, d) => s + ctx.options.teacherSteps * saxeStepCost(d, n), 0);
}

export async function saxeExperiment(ctx: Context): Promise<NonNullable<SuiteResults['saxe']>> {
  const { teacherSteps, seed } = ctx.options;
  const width = isoWidth(ctx.options.width);
  const runs: SaxeRun[] = [];
  for (const kind of WEIGHTS) {
    for (const depth of saxeDepthsOf(ctx)) {
      const label = `saxe: ${kind} / depth ${depth}`;
      const run = await saxeRun(kind, depth, width, teacherSteps, seed, () => ctx.advance(label, saxeStepCost(depth, width)));
      const ran = run.curve.at(-1)?.step ?? 0;
      if (ran < teacherSteps) await ctx.advance(label, (teacherSteps - ran) * saxeStepCost(depth, width));
      runs.push(run);
    }
  }
  const show = (kind: string) => runs.filter((r) => r.init === kind).map((r) => `${r.depth}: ${r.stepsToThreshold ?? `>${teacherSteps}`}`).join(', ');
  // Depth 1 is a linear regression: it learns exponentially fast, with none of the coupled,
  // sigmoidal dynamics of a product of layers that Saxe et al. analyse, so the comparison
  // starts at the shallowest net with two layers or more. Flat: the deepest orthogonal net needs
  // at most twice the steps of that one; growing: the deepest Gaussian one at least twice.
  const deep = runs.filter((r) => r.depth >= 2);
  const orth = deep.filter((r) => r.init === 'orthogonal').map((r) => r.stepsToThreshold ?? Infinity);
  const gauss = deep.filter((r) => r.init === 'gaussian').map((r) => r.stepsToThreshold ?? Infinity);
  const flat = orth.length >= 2 && orth.every(Number.isFinite) && orth.at(-1)! <= 2 * orth[0];
  const grows = gauss.length >= 2 && gauss.at(-1)! >= 2 * gauss[0];
  const reproduced = flat && grows ? 'yes' : flat || grows ? 'partly' : 'no';
  const result = {
    threshold: SAXE_THRESHOLD, learningRate: SAXE_LR, width, runs,
    verdict: {
      reproduced,
      sentence: `${verdictLead(reproduced)} Saxe et al.: steps to a ` +
        `relative loss of ${SAXE_THRESHOLD} by depth were orthogonal ${show('orthogonal')}; Gaussian ${show('gaussian')} ` +
        `(judged from depth 2 on: orthogonal ${flat ? 'stays within 2x' : 'grows more than 2x'}, Gaussian ${grows ? 'grows 2x or more' : 'grows less than 2x'}).`,
    },
  } satisfies NonNullable<SuiteResults['saxe']>;
  ctx.emit('saxe', result);
  return result;
}
