// Experiment 4, speed: milliseconds per training step (forward + backward + SGD update) by
// depth, which should grow linearly (every layer costs the same), and matmul GFLOP/s by size
// and kernel variant, both timed by timeRounds.

import { getDevice, init, matmul, mseLoss, nn, optim, tidy, type MatmulVariant } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import type { MatmulRun, SpeedRun } from '../schema.ts';
import { stepTimeFit } from '../theory.ts';

const ROUNDS = 3;
const ROUND_MS = 100;

/**
 * Milliseconds per call of `work` (which records GPU work): the median of ROUNDS timed rounds,
 * each of enough calls to last about ROUND_MS, and each ending in one wait for the GPU. A
 * garbage collection or another process can stretch any one round; a call of a few ms timed
 * alone would mostly time the submit and the wait. The first, untimed call compiles the
 * pipelines and fills the buffer pool, and sizes the rounds.
 */
async function timeRounds(work: () => void): Promise<{ ms: number; reps: number }> {
  const device = getDevice();
  let t = performance.now();
  work();
  await device.sync();
  const perRound = Math.min(20, Math.max(1, Math.ceil(ROUND_MS / (performance.now() - t))));
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    t = performance.now();
    for (let i = 0; i < perRound; i++) work();
    await device.sync();
    times.push((performance.now() - t) / perRound);
  }
  times.sort((x, y) => x - y);
  return { ms: times[ROUNDS >> 1], reps: perRound * ROUNDS };
}

const MATMUL_VARIANTS: MatmulVariant[] = ['naive', 'block', 'block_vec4', 'wide', 'quad', 'tiled'];
/** The variants this adapter runs: quad needs subgroups. */
const runnable = () => MATMUL_VARIANTS.filter((v) => v !== 'quad' || getDevice().info.subgroups);
const matmulSizes = (quick: boolean) => (quick ? [128, 256, 512] : [128, 256, 512, 1024]);
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
  const { ms: msPerStep, reps } = await timeRounds(step);
  opt.dispose();
  model.dispose(); // and the gradients with the parameters
  x.dispose();
  y.dispose();
  return { depth, msPerStep, reps };
}

async function timeMatmul(size: number, variant: MatmulVariant, seed: number): Promise<MatmulRun> {
  const a = init.normal([size, size], { seed });
  const b = init.normal([size, size], { seed: seed + 1 });
  const { ms } = await timeRounds(() => tidy(() => { matmul(a, b, variant); }));
  a.dispose();
  b.dispose();
  return { size, variant, ms, gflops: (2 * size ** 3) / (ms * 1e6) };
}

/** Progress cost of timing a step at `depth` (its untimed first call and ROUNDS rounds). */
const stepTimingCost = (depth: number, width: number, batch: number) => (ROUNDS + 1) * stepCost(depth + 1, width, batch) * 1.6;
/** Relative time per FLOP of each kernel on a CPU adapter (measured on SwiftShader), for the progress estimate. */
const SLOWNESS: Record<string, number> = { naive: 8, block: 1.4, block_vec4: 1, wide: 0.7, quad: 0.6, tiled: 4 };
const matmulCost = (size: number, variant: MatmulVariant) => (SLOWNESS[variant] * 2 * size ** 3 * 4) / 1e6;

export function speedCost(ctx: Context): number {
  const { depths, width, batch, preset } = ctx.options;
  const steps = speedDepths(depths, preset === 'quick').reduce((s, d) => s + stepTimingCost(d, width, batch), 0);
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
    await ctx.advance(`speed: step at depth ${depth}`, stepTimingCost(depth, width, batch));
  }
  const matmulRuns: MatmulRun[] = [];
  for (const size of matmulSizes(preset === 'quick')) {
    for (const variant of runnable()) {
      const run = await timeMatmul(size, variant, seed);
      matmulRuns.push(run);
      ctx.emit('matmul', run);
      await ctx.advance(`speed: matmul ${size} (${variant})`, matmulCost(size, variant));
    }
  }
  const fit = stepTimeFit(steps);
  return { steps, msPerLayer: fit.slope, r2: fit.r2, matmul: matmulRuns };
}
