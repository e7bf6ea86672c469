// Experiment 2, the deep linear example: W = c·I in every layer, no activation, no bias. Then
// a_l = c^l x exactly, and dL/dx = c^L dL/da_L, so 1.5·I explodes as 1.5^L and 0.5·I vanishes
// as 0.5^L. The measured scales must match the closed form to float32 precision.

import { init, moments, MOMENT, readAll, sum, tidy, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import type { LinearRun } from '../schema.ts';

const LINEAR_CS = [0.5, 1, 1.5];
const LINEAR_DEPTHS = [10, 30];

export async function linearRun(c: number, depth: number, width: number, batch: number, seed: number): Promise<LinearRun> {
  const stats = tidy(() => {
    const x = init.normal([batch, width], { seed, requiresGrad: true });
    const r = init.normal([batch, width], { seed: seed + 1 });
    const norms: Tensor[] = [moments(x)];
    let a = x;
    for (let l = 1; l <= depth; l++) {
      a = a.matmul(init.identity([width, width], { scale: c, requiresGrad: true }));
      norms.push(moments(a));
    }
    // L = sum(a_L · r), so dL/da_L = r and dL/dx = c^L r.
    sum(a.mul(r)).backward();
    return [...norms, moments(r), moments(x.grad!)];
  });
  const v = (await readAll(stats)).map((m) => m[MOMENT.norm]);
  for (const s of stats) s.dispose();
  const activationScale = Array.from({ length: depth }, (_, i) => ({
    layer: i + 1, measured: v[i + 1] / v[0], expected: c ** (i + 1),
  }));
  const gradientScale = { measured: v[depth + 2] / v[depth + 1], expected: c ** depth };
  const errors = [...activationScale, gradientScale].map((s) => Math.abs(s.measured - s.expected) / s.expected);
  return { c, depth, activationScale, gradientScale, worstRelativeError: Math.max(...errors) };
}

export function linearCost(ctx: Context): number {
  const { width, batch } = ctx.options;
  return LINEAR_CS.length * LINEAR_DEPTHS.reduce((s, d) => s + stepCost(d, width, batch), 0);
}

export async function linearExperiment(ctx: Context): Promise<LinearRun[]> {
  const { width, batch, seed } = ctx.options;
  const runs: LinearRun[] = [];
  for (const depth of LINEAR_DEPTHS) {
    for (const c of LINEAR_CS) {
      const run = await linearRun(c, depth, width, batch, seed);
      runs.push(run);
      ctx.emit('linear', run);
      await ctx.advance(`linear: W = ${c}·I, depth ${depth}`, stepCost(depth, width, batch));
    }
  }
  return runs;
}
