// Experiment 1, signal propagation: for each activation x initializer x depth, one forward and
// backward pass through a deep MLP of square layers, recording per-layer statistics of the
// forward signal and of the gradients, all reduced on the GPU and read back once per run.

import { checkNumerics, init, moments, MOMENT, mseLoss, NumericsError, readAll, setDebug, tidy, type Tensor, relu, tanh } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import type { SweepActivation } from '../options.ts';
import { NAMED_INITS } from '../options.ts';
import type { LayerStats, SignalRun } from '../schema.ts';
import { effectiveScale, meanFieldGain, verdictOf } from '../theory.ts';

interface SweepInit { init: string; scale: number }

/** Var = s/fanIn for each scale, then the named initializers. */
function sweepInits(scales: number[], width: number): SweepInit[] {
  return [
    ...scales.map((s) => ({ init: `Var=${s}/n`, scale: s })),
    ...NAMED_INITS.map((name) => ({ init: name, scale: effectiveScale(name, width) })),
  ];
}

const STATS_PER_LAYER = 5;

/** Progress cost of one sweep run: forward and backward through depth + 1 layers, and statistics. */
const runCost = (depth: number, width: number, batch: number) => stepCost(depth + 1, width, batch) * 1.3;

export function signalCost(ctx: Context): number {
  const { depths, activations, scales, width, batch } = ctx.options;
  const runs = activations.length * sweepInits(scales, width).length;
  return runs * depths.reduce((sum, d) => sum + runCost(d, width, batch), 0);
}

/**
 * One forward+backward pass; returns the run's statistics. The pass runs with checkNumerics on:
 * the first op whose output went non-finite (the overflow verdict) is found on the GPU, by the
 * library's own check, and named in the run's detail.
 */
export async function signalRun(activation: SweepActivation, sweep: SweepInit, depth: number,
  width: number, batch: number, seed: number): Promise<SignalRun> {
  const before = setDebug({ checkNumerics: true });
  let stats: Tensor[];
  let nonFinite = '';
  try {
    stats = forwardBackward(activation, sweep, depth, width, batch, seed);
    await checkNumerics();
  } catch (error) {
    if (!(error instanceof NumericsError)) throw error;
    nonFinite = error.message.replace(/^checkNumerics: /, '');
  } finally {
    setDebug(before);
  }
  const values = await readAll(stats!);
  for (const s of stats!) s.dispose();
  return summarize(activation, sweep, depth, values, nonFinite);
}

function forwardBackward(activation: SweepActivation, sweep: SweepInit, depth: number, width: number, batch: number, seed: number): Tensor[] {
  return tidy(() => {
    const x = standardized(init.normal([batch, width], { seed }));
    const target = init.normal([batch, width], { seed: seed + 1 });
    const std_w = Math.sqrt(sweep.scale / width);
    const weights: Tensor[] = [];
    const zs: Tensor[] = [];
    const as: Tensor[] = [];
    let h = x;
    for (let l = 1; l <= depth + 1; l++) {
      // Zero biases: a bias adds nothing to the variance story and would only blur it.
      const w = init.normal([width, width], { std: std_w, seed: seed + 100 + l, requiresGrad: true });
      const z = h.matmul(w).retainGrad();
      const isOutput = l === depth + 1;
      h = isOutput || activation === 'linear' ? z : activation === 'relu' ? relu(z) : tanh(z);
      weights.push(w);
      zs.push(z);
      as.push(h);
    }
    mseLoss(h, target).backward();
    // Per layer: moments of z, a, dL/dW, W and dL/dz, one dispatch each, one readback in all.
    return weights.flatMap((w, i) => [moments(zs[i]), moments(as[i]), moments(w.grad!), moments(w), moments(zs[i].grad!)]);
  });
}

function summarize(activation: SweepActivation, sweep: SweepInit, depth: number, v: Float32Array[], nonFinite: string): SignalRun {
  const layers: LayerStats[] = [];
  for (let l = 0; l <= depth; l++) {
    const [z, a, dw, w, dz] = v.slice(l * STATS_PER_LAYER, (l + 1) * STATS_PER_LAYER);
    const gradNorm = dw[MOMENT.norm];
    layers.push({
      layer: l + 1, zStd: z[MOMENT.std], aStd: a[MOMENT.std], gradNorm,
      relGradNorm: gradNorm / w[MOMENT.norm], dzStd: dz[MOMENT.std],
    });
  }
  const first = layers[0];
  const last = layers[depth - 1]; // the last hidden layer
  // The gain per layer from the deepest hidden layer whose signal float32 still holds well
  // (std above 1e-30, far from the subnormals that CPU adapters flush to 0): past an underflow
  // the std is 0 and says nothing about the gain (the mean-field value is not 0).
  const deepest = [...layers.slice(0, depth)].reverse().find((l) => l.zStd > 1e-30 && Number.isFinite(l.zStd)) ?? first;
  const measuredGain = deepest.layer > 1 ? (deepest.zStd ** 2 / first.zStd ** 2) ** (1 / (deepest.layer - 1)) : NaN;
  const forwardStdRatio = last.aStd / first.aStd;
  const log10GradRatio = Math.log10(first.gradNorm / last.gradNorm);
  const overflow = firstNonFinite(layers) || nonFinite;
  const underflow = overflow ? '' : firstUnderflow(layers);
  const detail = overflow ? [firstNonFinite(layers), nonFinite && `first non-finite op: ${nonFinite}`].filter(Boolean).join('; ') : underflow;
  return {
    activation, init: sweep.init, scale: sweep.scale, depth, layers, measuredGain,
    meanFieldGain: meanFieldGain(activation, sweep.scale, depth), forwardStdRatio, log10GradRatio,
    verdict: verdictOf(overflow !== '', forwardStdRatio, log10GradRatio, underflow !== ''), detail,
  };
}

/** Where float32 first rounded the signal or a gradient to exact zeros (std or norm 0), forward then backward. */
function firstUnderflow(layers: LayerStats[]): string {
  for (const l of layers) {
    if (l.zStd === 0) return `forward z = a·W underflowed float32 to zeros at layer ${l.layer}; the measured gain uses layers 1 to ${l.layer - 1}`;
    if (l.aStd === 0) return `forward activation underflowed float32 to zeros at layer ${l.layer}`;
  }
  for (const l of [...layers].reverse()) {
    if (l.dzStd === 0 || l.gradNorm === 0) return `backward gradient underflowed float32 to zeros at layer ${l.layer}`;
  }
  return '';
}

/** Names the op and layer where float32 first gave up: forward in layer order, then backward from the top. */
function firstNonFinite(layers: LayerStats[]): string {
  for (const l of layers) {
    if (!Number.isFinite(l.zStd)) return `forward matmul z = a·W overflowed float32 at layer ${l.layer}`;
    if (!Number.isFinite(l.aStd)) return `forward activation overflowed float32 at layer ${l.layer}`;
  }
  for (const l of [...layers].reverse()) {
    if (!Number.isFinite(l.dzStd)) return `backward dL/dz overflowed float32 at layer ${l.layer}`;
    if (!Number.isFinite(l.gradNorm) || !Number.isFinite(l.relGradNorm)) return `backward dL/dW = aᵀ·dz overflowed float32 at layer ${l.layer}`;
  }
  return '';
}

/** Standardizes each input feature to mean 0 and std 1 over the batch (normalized inputs). */
function standardized(x: Tensor): Tensor {
  const centered = x.sub(x.mean(0, true));
  return centered.div(centered.square().mean(0, true).sqrt());
}

export async function signalExperiment(ctx: Context): Promise<SignalRun[]> {
  const { depths, activations, scales, width, batch, seed } = ctx.options;
  const runs: SignalRun[] = [];
  for (const activation of activations) {
    for (const sweep of sweepInits(scales, width)) {
      for (const depth of depths) {
        const run = await signalRun(activation, sweep, depth, width, batch, seed);
        runs.push(run);
        ctx.emit('signal', run);
        await ctx.advance(`signal: ${activation} / ${sweep.init} / depth ${depth}`, runCost(depth, width, batch));
      }
    }
  }
  return runs;
}
