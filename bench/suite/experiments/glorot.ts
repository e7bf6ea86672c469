// Where the gradients die (Glorot and Bengio 2010): a tanh net of 5 hidden layers on MNIST,
// with the "standard" initialization U[-1/sqrt(n), 1/sqrt(n)] (n Var(W) = 1/3) against the
// normalized one U[±sqrt(6/(n_in + n_out))] (n Var(W) = 1 for square layers). At each snapshot
// (step 0 is initialization) a held-out batch goes forward and back, and every layer's
// activations tanh(z_l) and back-propagated gradients dL/dz_l are binned on the GPU
// (histograms()) and their spread taken by moments(), all read back in one transfer each.
// The expectation at initialization is mean-field: Var(dL/dz_l) = Var(dL/dz_(l+1)) ·
// n Var(W_(l+1)) · E[tanh'(sqrt(q_l) z)^2], with q_l the pre-activation variance carried forward.

import { getDevice, histograms, init, moments, MOMENT, nn, optim, readAll, softmaxCrossEntropy, tanh, tidy, zeroGrad, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import { batchOf, loadMnist, shuffled, trainingStep, type Dataset } from '../data.ts';
import { normalExpectation } from '../meanfield.ts';
import { verdictLead, type GlorotRun, type GlorotLayer, type SuiteResults } from '../schema.ts';

/** Hidden layers, as in the paper. */
export const GLOROT_DEPTH = 5;
/** The initializations compared. */
export const GLOROT_INITS = ['standard', 'normalized'] as const;
export type GlorotInit = (typeof GLOROT_INITS)[number];
const BATCH = 32;
/** Held-out examples of the histograms. */
const PROBE = 256;
const SGD = { lr: 0.01, momentum: 0.9 };
/** Training steps between waits for the GPU. */
const SYNC_EVERY = 20;
/** Gradient histograms span ±GRAD_SPAN times the largest per-layer std of the snapshot. */
const GRAD_SPAN = 4;

/** n_in · Var(W) of a layer: the factor it applies to variances, forward and backward. */
export function varianceGain(initName: GlorotInit, fanIn: number, fanOut: number): number {
  return initName === 'standard' ? 1 / 3 : (2 * fanIn) / (fanIn + fanOut);
}

/**
 * Mean-field Var(dL/dz_l) / Var(dL/dz_L) for l = 1..L (the last is 1), from the inputs' mean
 * square: q_1 = gain_1 · E[x²], q_(l+1) = gain · E[tanh(sqrt(q_l) z)²], and each layer back
 * multiplies by gain · E[tanh'(sqrt(q_l) z)²].
 */
export function expectedGradientProfile(initName: GlorotInit, inputSize: number, width: number, meanSquare: number, depth = GLOROT_DEPTH): number[] {
  const q: number[] = [varianceGain(initName, inputSize, width) * meanSquare];
  for (let l = 1; l < depth; l++) q.push(varianceGain(initName, width, width) * normalExpectation((z) => Math.tanh(Math.sqrt(q[l - 1]) * z) ** 2));
  const factor = q.map((ql) => varianceGain(initName, width, width) * normalExpectation((z) => (1 - Math.tanh(Math.sqrt(ql) * z) ** 2) ** 2));
  const profile = new Array<number>(depth).fill(1);
  for (let l = depth - 2; l >= 0; l--) profile[l] = profile[l + 1] * factor[l];
  return profile;
}

function layersOf(initName: GlorotInit, inputSize: number, width: number, classes: number, seed: number): nn.Linear[] {
  return Array.from({ length: GLOROT_DEPTH + 1 }, (_, i) => {
    const [fanIn, fanOut] = [i === 0 ? inputSize : width, i === GLOROT_DEPTH ? classes : width];
    const bound = initName === 'standard' ? 1 / Math.sqrt(fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    const weights: nn.Initializer = (shape, o) => init.uniform(shape, { ...o, low: -bound, high: bound });
    return new nn.Linear(fanIn, fanOut, { init: weights, biasInit: 'zeros', seed: seed + 2 * i });
  });
}

/** Forward and back on the probe batch; every layer's histograms and spreads in two readbacks. */
async function snapshot(layers: nn.Linear[], probe: { x: Tensor; labels: number[] }, bins: number, step: number) {
  const kept = tidy(() => {
    let h = probe.x;
    const zs: Tensor[] = [];
    const as: Tensor[] = [];
    for (const [i, layer] of layers.entries()) {
      const z = layer.forward(h);
      if (i === GLOROT_DEPTH) {
        softmaxCrossEntropy(z, probe.labels).backward();
        break;
      }
      zs.push(z.retainGrad());
      as.push((h = tanh(z)));
    }
    const grads = zs.map((z) => z.grad!);
    // z is kept too: disposing it would take its retained gradient with it.
    return [...as, ...grads, ...[...as, ...grads].map(moments), ...zs];
  });
  zeroGrad(layers.flatMap((l) => l.parameters()));
  try {
    const [as, grads, stats] = [kept.slice(0, GLOROT_DEPTH), kept.slice(GLOROT_DEPTH, 2 * GLOROT_DEPTH), await readAll(kept.slice(2 * GLOROT_DEPTH, 4 * GLOROT_DEPTH))];
    const gradStd = grads.map((_, l) => stats[GLOROT_DEPTH + l][MOMENT.std]);
    const span = GRAD_SPAN * Math.max(...gradStd.filter(Number.isFinite), 1e-30);
    const ranges = [...as.map(() => [-1, 1] as [number, number]), ...grads.map(() => [-span, span] as [number, number])];
    const hist = await histograms([...as, ...grads], { bins, range: ranges });
    const out: GlorotLayer[] = as.map((_, l) => ({
      layer: l + 1,
      activationStd: stats[l][MOMENT.std],
      gradVar: gradStd[l] ** 2,
      gradVarExpected: null,
      activations: hist[l].counts,
      gradients: hist[GLOROT_DEPTH + l].counts,
    }));
    return { step, gradRange: span, layers: out };
  } finally {
    for (const t of kept) t.dispose();
  }
}

/** One net: snapshots at the given steps of SGD on MNIST (0 = initialization). */
export async function glorotRun(initName: GlorotInit, width: number, snapshots: number[], bins: number, seed: number, data: Dataset,
  onStep: () => Promise<void> = async () => {}): Promise<GlorotRun> {
  const layers = layersOf(initName, data.features, width, data.classes, seed);
  const opt = new optim.SGD(layers.flatMap((l) => l.parameters()), SGD);
  const order = shuffled(data.train.count, seed);
  const probe = batchOf(data.test, Array.from({ length: Math.min(PROBE, data.test.count) }, (_, i) => i));
  const forward = (x: Tensor) => layers.reduce((h, l, i) => (i === GLOROT_DEPTH ? l.forward(h) : tanh(l.forward(h))), x);
  const run: GlorotRun = { init: initName, snapshots: [] };
  try {
    const last = Math.max(...snapshots);
    for (let step = 0; step <= last; step++) {
      if (step > 0) {
        trainingStep({ forward }, opt, data.train, order, step, BATCH).dispose();
        // Nothing is read back between snapshots: wait for the GPU now and then, so progress
        // reports work done, not work queued.
        if (step % SYNC_EVERY === 0) await getDevice().sync();
        await onStep();
      }
      if (snapshots.includes(step)) run.snapshots.push(await snapshot(layers, probe, bins, step));
    }
    // The expectation holds for independent random weights: at initialization only.
    const first = run.snapshots.find((s) => s.step === 0);
    if (first) {
      const pixels = data.test.x.subarray(0, probe.labels.length * data.features);
      const meanSquare = pixels.reduce((sum, v) => sum + v * v, 0) / probe.labels.length / data.features;
      const profile = expectedGradientProfile(initName, data.features, width, meanSquare);
      const top = first.layers[GLOROT_DEPTH - 1].gradVar;
      first.layers.forEach((l, i) => { l.gradVarExpected = top * profile[i]; });
    }
    return run;
  } finally {
    probe.x.dispose();
    opt.dispose();
    for (const l of layers) for (const p of l.parameters()) p.dispose();
  }
}

const glorotStepCost = (width: number) => stepCost(GLOROT_DEPTH, width, BATCH) * 2.4 + (784 * width * BATCH * 3) / 1e6;
const snapshotCost = (width: number) => stepCost(GLOROT_DEPTH, width, PROBE) * 2;

export function glorotCost(ctx: Context): number {
  const { glorotInits, glorotSnapshots, width } = ctx.options;
  return glorotInits.length * (Math.max(...glorotSnapshots) * glorotStepCost(width) + glorotSnapshots.length * snapshotCost(width));
}

/** Var(dL/dz_1) / Var(dL/dz_L) at initialization: measured, and the mean-field expectation. */
const shrink = (run: GlorotRun) => {
  const layers = run.snapshots.find((s) => s.step === 0)?.layers;
  if (!layers) return null;
  const top = layers[GLOROT_DEPTH - 1];
  return { measured: layers[0].gradVar / top.gradVar, expected: layers[0].gradVarExpected! / top.gradVarExpected!,
    worst: Math.max(...layers.map((l) => Math.abs(Math.log(l.gradVar / l.gradVarExpected!)))) };
};

export async function glorotExperiment(ctx: Context): Promise<NonNullable<SuiteResults['glorot']>> {
  const { glorotInits, glorotSnapshots, glorotBins, width, seed } = ctx.options;
  const data = await loadMnist();
  const runs: GlorotRun[] = [];
  for (const initName of glorotInits) {
    const label = `glorot: ${initName} init`;
    runs.push(await glorotRun(initName, width, glorotSnapshots, glorotBins, seed, data, () => ctx.advance(label, glorotStepCost(width))));
    await ctx.advance(label, glorotSnapshots.length * snapshotCost(width));
  }
  const standard = runs.find((r) => r.init === 'standard');
  const normalized = runs.find((r) => r.init === 'normalized');
  const s = standard && shrink(standard), n = normalized && shrink(normalized);
  let reproduced: 'yes' | 'partly' | 'no' = 'no';
  let sentence: string;
  const pct = (x: number) => x.toPrecision(2);
  if (s && n) {
    // The finding: standard init shrinks the gradients toward the input by an order of magnitude
    // more than normalized init; the expectation: every layer within a factor 2 of mean field.
    const finding = s.measured < 0.1 && n.measured > 10 * s.measured;
    const agrees = Math.max(s.worst, n.worst) < Math.log(2);
    reproduced = finding && agrees ? 'yes' : finding ? 'partly' : 'no';
    sentence = `${verdictLead(reproduced)} the vanishing ` +
      `back-propagated gradients: at initialization Var(dL/dz) of layer 1 is ${pct(s.measured)} of layer ${GLOROT_DEPTH}'s with standard init ` +
      `(mean field ${pct(s.expected)}) and ${pct(n.measured)} with normalized init (mean field ${pct(n.expected)}; 1 in the paper's linear regime); ` +
      `every layer is within a factor ${Math.exp(Math.max(s.worst, n.worst)).toFixed(2)} of the expectation.`;
  } else {
    const only = s ?? n;
    sentence = `Did not reproduce (not compared): the grid ran only ${glorotInits.join(', ')} init${only ? ` (layer 1 / layer ${GLOROT_DEPTH} gradient variance ${pct(only.measured)}, mean field ${pct(only.expected)})` : ''}, or no snapshot at step 0.`;
  }
  const result = {
    depth: GLOROT_DEPTH, width, bins: glorotBins, batch: BATCH, probe: PROBE, gradSpan: GRAD_SPAN, runs,
    verdict: { reproduced, sentence },
  } satisfies NonNullable<SuiteResults['glorot']>;
  ctx.emit('glorot', result);
  return result;
}
