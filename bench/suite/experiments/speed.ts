// Experiment 4, speed: milliseconds per training step (forward + backward + SGD update) by
// depth, which should grow linearly (every layer costs the same), and matmul GFLOP/s by size
// and kernel variant. Times run from the first dispatch to onSubmittedWorkDone.

import { getDevice, init, matmul, mseLoss, nn, optim, tidy, type MatmulVariant } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import type { MatmulRun, SpeedRun } from '../schema.ts';
import { linearFit } from '../theory.ts';

const MATMUL_REPS = 3;
const STEP_ROUNDS = 5;
const ROUND_MS = 100;
const MIN_MS = 300;

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export const MATMUL_VARIANTS: MatmulVariant[] = ['naive', 'block', 'block_vec4'];
export const matmulSizes = (quick: boolean) => (quick ? [128, 256, 512] : [128, 256, 512, 1024]);
/** Enough depths for a line fit to mean something, even when the sweep has only two. */
const speedDepths = (depths: number[], quick: boolean) => (quick ? [2, 5, 10, 20] : depths);

async function timeStep(depth: number, width: number, batch: number, seed: number): Promise<SpeedRun> {
  const model = nn.mlp({ inputSize: width, width, depth, outputSize: width, activation: 'relu', init: 'kaimingNormal', seed });
  const opt = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const x = init.normal([batch, width], { seed });
  const y = init.normal([batch, width], { seed: seed + 1 });
  const step = () => tidy(() => {
    opt.zeroGrad();
    mseLoss(model.forward(x), y).backward();
    opt.step();
  });
  const device = getDevice();
  step();
  await device.sync(); // compile pipelines and fill the buffer pool first
  // The median of STEP_ROUNDS rounds, each of enough steps to last about ROUND_MS: a garbage
  // collection or another process can stretch any one round, and one step of a few ms would
  // mostly time the submit and the wait.
  let t = performance.now();
  step();
  await device.sync();
  const perRound = Math.min(20, Math.max(1, Math.ceil(ROUND_MS / (performance.now() - t))));
  const times: number[] = [];
  for (let round = 0; round < STEP_ROUNDS; round++) {
    t = performance.now();
    for (let i = 0; i < perRound; i++) step();
    await device.sync();
    times.push((performance.now() - t) / perRound);
  }
  const msPerStep = median(times);
  const reps = perRound * STEP_ROUNDS;
  opt.zeroGrad();
  opt.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return { depth, msPerStep, reps };
}

async function timeMatmul(size: number, variant: MatmulVariant, seed: number): Promise<MatmulRun> {
  const a = init.normal([size, size], { seed });
  const b = init.normal([size, size], { seed: seed + 1 });
  const device = getDevice();
  const once = () => tidy(() => { matmul(a, b, variant); });
  once();
  await device.sync();
  let reps = 0;
  const start = performance.now();
  // At least MATMUL_REPS repetitions and MIN_MS, so small sizes are not dominated by one submit.
  while (reps < MATMUL_REPS || performance.now() - start < MIN_MS) {
    once();
    await device.sync();
    reps++;
  }
  const ms = (performance.now() - start) / reps;
  a.dispose();
  b.dispose();
  return { size, variant, ms, gflops: (2 * size ** 3) / (ms * 1e6) };
}

const matmulCost = (size: number, variant: MatmulVariant) => ((variant === 'naive' ? 8 : 1) * 2 * size ** 3 * 4) / 1e6;

export function speedCost(ctx: Context): number {
  const { depths, width, batch, preset } = ctx.options;
  const steps = speedDepths(depths, preset === 'quick').reduce((s, d) => s + (STEP_ROUNDS + 2) * stepCost(d + 1, width, batch) * 1.6, 0);
  const mm = matmulSizes(preset === 'quick').reduce((s, n) => s + MATMUL_VARIANTS.reduce((t, v) => t + matmulCost(n, v), 0), 0);
  return steps + mm;
}

export async function speedExperiment(ctx: Context): Promise<NonNullable<import('../schema.ts').SuiteResults['speed']>> {
  const { depths, width, batch, seed, preset } = ctx.options;
  const steps: SpeedRun[] = [];
  for (const depth of speedDepths(depths, preset === 'quick')) {
    const run = await timeStep(depth, width, batch, seed);
    steps.push(run);
    ctx.emit('speed', run);
    await ctx.advance(`speed: step at depth ${depth}`, (STEP_ROUNDS + 2) * stepCost(depth + 1, width, batch) * 1.6);
  }
  const matmulRuns: MatmulRun[] = [];
  for (const size of matmulSizes(preset === 'quick')) {
    for (const variant of MATMUL_VARIANTS) {
      const run = await timeMatmul(size, variant, seed);
      matmulRuns.push(run);
      ctx.emit('matmul', run);
      await ctx.advance(`speed: matmul ${size} (${variant})`, matmulCost(size, variant));
    }
  }
  const fit = linearFit(steps.map((s) => s.depth), steps.map((s) => s.msPerStep));
  return { steps, msPerLayer: fit.slope, r2: fit.r2, matmul: matmulRuns };
}
