// Trainability at the edge of chaos (Schoenholz et al. 2017): tanh MLPs on MNIST over a grid
// of depth x sigma_w^2 at sigma_b^2 = 0.05, each trained for the same number of SGD steps from
// the same seed and batches, scored by held-out accuracy. The prediction: a net trains only if
// its depth is below about 6 xi_c, and xi_c diverges on the critical line chi_1 = 1.

import { init, nn, optim, readScalars, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import { accuracy, loadMnist, shuffled, trainingStep, type Dataset } from '../data.ts';
import { meanField } from '../meanfield.ts';
import { verdictLead, type SuiteResults, type TrainabilityRun } from '../schema.ts';

/** sigma_b^2 of the grid, as in Schoenholz et al. (2017) Figure 5. */
export const TRAIN_SB2 = 0.05;
const BATCH = 32;
const EVAL_SIZE = 500;
const SGD = { lr: 0.01, momentum: 0.9 };
/** A net that learned predicts clearly better than chance (10%). */
const TRAINED_ACCURACY = 0.3;

/** 6 xi_c, Schoenholz et al.'s trainable depth; null on the line itself (xi_c infinite). */
export function predictedDepth(sw2: number): number | null {
  const xi = meanField('tanh', sw2, TRAIN_SB2).xiC;
  return Number.isFinite(xi) ? 6 * xi : null;
}

async function trainRun(sw2: number, depth: number, width: number, steps: number, seed: number, data: Dataset,
  onStep: () => Promise<void>): Promise<TrainabilityRun> {
  const weights: nn.Initializer = (shape, o) => init.normal(shape, { ...o, std: Math.sqrt(sw2 / shape[0]) });
  const biases: nn.Initializer = (shape, o) => init.normal(shape, { ...o, std: Math.sqrt(TRAIN_SB2) });
  const model = nn.mlp({ inputSize: data.features, width, depth, outputSize: data.classes, activation: 'tanh', init: weights, biasInit: biases, seed });
  const opt = new optim.SGD(model.parameters(), SGD);
  const order = shuffled(data.train.count, seed);
  const losses: Tensor[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      const loss = trainingStep(model, opt, data.train, order, step, BATCH);
      // Only the last tenth of the losses is kept: their mean is the run's final loss.
      if (step > steps - Math.max(1, Math.floor(steps / 10))) losses.push(loss);
      else loss.dispose();
      await onStep();
    }
    const last = Array.from(await readScalars(losses));
    const loss = last.reduce((a, b) => a + b, 0) / last.length;
    const acc = Number.isFinite(loss) ? await accuracy(model, data.test, EVAL_SIZE) : 0.1;
    return { sw2, depth, accuracy: acc, loss: Number.isFinite(loss) ? loss : null, predictedDepth: predictedDepth(sw2) };
  } finally {
    for (const l of losses) l.dispose();
    opt.dispose();
    model.dispose();
  }
}

const trainStepCost = (depth: number, width: number) => stepCost(depth, width, BATCH) * 2.4;

export function trainabilityCost(ctx: Context): number {
  const { trainDepths, trainWeightVariances, trainSteps, width } = ctx.options;
  return trainWeightVariances.length * trainDepths.reduce((s, d) => s + trainSteps * trainStepCost(d, width), 0);
}

export async function trainabilityExperiment(ctx: Context): Promise<NonNullable<SuiteResults['trainability']>> {
  const { trainDepths, trainWeightVariances, trainSteps, width, seed } = ctx.options;
  const data = await loadMnist();
  const runs: TrainabilityRun[] = [];
  for (const depth of trainDepths) {
    for (const sw2 of trainWeightVariances) {
      const label = `trainability: depth ${depth}, sigma_w^2 ${sw2}`;
      runs.push(await trainRun(sw2, depth, width, trainSteps, seed, data, () => ctx.advance(label, trainStepCost(depth, width))));
    }
  }
  // The prediction holds for a run when it trained exactly if its depth is below 6 xi_c.
  const agree = runs.filter((r) => (r.accuracy >= TRAINED_ACCURACY) === (r.predictedDepth === null || r.depth < r.predictedDepth));
  const share = agree.length / runs.length;
  const reproduced = share === 1 ? 'yes' : share >= 0.75 ? 'partly' : 'no';
  const lo = Math.min(...trainWeightVariances), hi = Math.max(...trainWeightVariances);
  const predictedLine = Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40)
    .map((sw2) => ({ sw2, depth: predictedDepth(sw2) ?? Infinity })).filter((p) => p.depth <= 1000);
  const result = {
    sb2: TRAIN_SB2, steps: trainSteps, width, runs, predictedLine,
    verdict: {
      reproduced,
      sentence: `${verdictLead(reproduced)} the trainable depth: ` +
        `${agree.length} of ${runs.length} nets trained (held-out accuracy >= ${TRAINED_ACCURACY * 100}% after ${trainSteps} steps) exactly when ` +
        `their depth was below 6 xi_c.`,
    },
  } satisfies NonNullable<SuiteResults['trainability']>;
  ctx.emit('trainability', result);
  return result;
}
