// Experiment 3, training: MLPs of depth 10 and 30 on MNIST, one run per initializer with the
// same seed, data order and number of SGD steps. The known result to look for (He et al.
// 2015): with ReLU at depth 30, He init (Var = 2/n) learns while Var = 1/n (LeCun) stalls,
// because each ReLU layer halves the signal's variance and 2^-30 leaves nothing to learn from.

import { init, nn, optim, readScalars, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import { accuracy, loadMnist, shuffled, trainingStep, type Dataset } from '../data.ts';
import type { NamedInit } from '../options.ts';
import type { TrainingRun } from '../schema.ts';

/** Depth 30 with ReLU carries the He et al. result; the quick preset runs only that. */
const trainDepths = (preset: 'quick' | 'full') => (preset === 'quick' ? [30] : [10, 30]);
const trainActivations = (preset: 'quick' | 'full') => (preset === 'quick' ? (['relu'] as const) : TRAIN_ACTIVATIONS);
const TRAIN_ACTIVATIONS = ['relu', 'tanh'] as const;
/** The sweep's named initializers, He first. */
const TRAIN_INITS = ['he', 'xavier', 'lecun', 'N(0,1)', '0.01*N(0,1)'] as const satisfies readonly NamedInit[];
const TRAIN_BATCH = 32;
const training = { learningRate: 0.01, momentum: 0.9 };
const EVAL_SIZE = 500;
const CURVE_POINTS = 6;
/**
 * A net that learned nothing predicts the uniform distribution, with loss ln 10 = 2.303 (a
 * stalled deep net sits there from the first step); 'learned' means the training loss moved
 * clearly below that, by at least 5%.
 */
const LEARNED_LOSS = 0.95 * Math.log(10);

const initializers: Record<NamedInit, nn.Initializer> = {
  he: 'kaimingNormal',
  xavier: 'xavierNormal',
  lecun: 'lecunNormal',
  'N(0,1)': (shape, o) => init.normal(shape, { ...o, std: 1 }),
  '0.01*N(0,1)': (shape, o) => init.normal(shape, { ...o, std: 0.01 }),
};

async function trainRun(activation: 'relu' | 'tanh', initName: NamedInit, depth: number,
  width: number, steps: number, seed: number, data: Dataset, onStep?: () => Promise<void>): Promise<TrainingRun> {
  const model = nn.mlp({ inputSize: data.features, width, depth, outputSize: data.classes, activation, init: initializers[initName], seed });
  const opt = new optim.SGD(model.parameters(), { lr: training.learningRate, momentum: training.momentum });
  const order = shuffled(data.train.count, seed);
  const curve: TrainingRun['curve'] = [];
  const every = Math.max(1, Math.floor(steps / CURVE_POINTS));
  // Losses stay on the GPU until a curve point: reading each one back would stall the GPU
  // every step.
  let pending: Tensor[] = [];
  let diverged = false;
  try {
    for (let step = 1; step <= steps && !diverged; step++) {
      pending.push(trainingStep(model, opt, data.train, order, step, TRAIN_BATCH));
      if (step % every === 0 || step === steps) {
        const losses = Array.from(await readScalars(pending));
        for (const l of pending) l.dispose();
        pending = [];
        const loss = losses.reduce((a, b) => a + b, 0) / losses.length;
        diverged = !Number.isFinite(loss);
        curve.push({ step, loss, accuracy: diverged ? 0.1 : await accuracy(model, data.test, EVAL_SIZE) });
      }
      await onStep?.();
    }
  } finally {
    // Also on cancel (onStep throws): the run's GPU memory goes back either way.
    for (const l of pending) l.dispose();
    opt.dispose();
    model.dispose();
  }
  const last = curve[curve.length - 1];
  const testAccuracy = last.accuracy;
  const outcome = diverged ? 'diverged' : last.loss < LEARNED_LOSS ? 'learned' : 'stalled';
  return { activation, init: initName, depth, curve, finalLoss: last.loss, testAccuracy, outcome };
}

/** Progress cost of one training step (forward, backward, update) at `depth`. */
const trainStepCost = (depth: number, width: number) => stepCost(depth, width, TRAIN_BATCH) * 1.6;

export function trainingCost(ctx: Context): number {
  const { width, steps, preset } = ctx.options;
  return trainActivations(preset).length * TRAIN_INITS.length * trainDepths(preset).reduce((s, d) => s + steps * trainStepCost(d, width), 0);
}

export async function trainingExperiment(ctx: Context): Promise<NonNullable<import('../schema.ts').SuiteResults['training']>> {
  const { width, steps, seed, preset } = ctx.options;
  const data = await loadMnist();
  const runs: TrainingRun[] = [];
  for (const depth of trainDepths(preset)) {
    for (const activation of trainActivations(preset)) {
      for (const initName of TRAIN_INITS) {
        const label = `training: ${activation} / ${initName} / depth ${depth}`;
        const stepShare = trainStepCost(depth, width);
        const run = await trainRun(activation, initName, depth, width, steps, seed, data, () => ctx.advance(label, stepShare));
        // A diverged run stops early: count its remaining steps as done.
        if (run.curve[run.curve.length - 1].step < steps) await ctx.advance(label, stepShare * (steps - run.curve[run.curve.length - 1].step));
        runs.push(run);
        ctx.emit('training', run);
      }
    }
  }
  return { runs, ...heVerdict(runs) };
}

function heVerdict(runs: TrainingRun[]): { heReproduced: 'yes' | 'no'; note: string } {
  const find = (init: string) => runs.find((r) => r.activation === 'relu' && r.depth === 30 && r.init === init)!;
  const he = find('he');
  const lecun = find('lecun');
  const figures = `He: test accuracy ${(he.testAccuracy * 100).toFixed(1)}% (${he.outcome}); ` +
    `Var = 1/n (LeCun): ${(lecun.testAccuracy * 100).toFixed(1)}% (${lecun.outcome})`;
  const reproduced = he.outcome === 'learned' && lecun.outcome !== 'learned';
  return {
    heReproduced: reproduced ? 'yes' : 'no',
    note: reproduced
      ? `Reproduced He et al. (2015): with ReLU at depth 30, He init learns while Var = 1/n stalls. ${figures}.`
      : `Did not reproduce He et al. (2015) in this run (ReLU, depth 30). ${figures}.`,
  };
}
