// The layers beyond Linear, against float64 references written here from their definitions:
// Dropout (drop rate, scaling, seeds, eval), LayerNorm and BatchNorm1d (values, gradients by
// finite differences, running statistics by the momentum formula, eval mode), Embedding,
// Residual, and mlp's norm and residual options with PyTorch's state-dict names.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { nn, tidy, type Tensor } from '../src/index.ts';
import { makeRng, nd, type Nd } from './reference/ndarray.ts';
import { expectClose, finiteDiffGrad, tol } from './reference/check.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await G.ready({ verbose: false }); });

const rng = makeRng(5150);
const values = async (t: Tensor) => Array.from(await t.data());

/** (x - mean) / sqrt(var + eps) over groups of `size` consecutive values, in float64. */
function layerNormRef(x: Nd, size: number, eps: number, w?: number[], b?: number[]): Nd {
  const out = Float64Array.from(x.data);
  for (let g = 0; g < x.data.length; g += size) {
    const row = Array.from(x.data.subarray(g, g + size));
    const m = row.reduce((s, v) => s + v, 0) / size;
    const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / size;
    row.forEach((u, i) => { out[g + i] = ((u - m) / Math.sqrt(v + eps)) * (w?.[i] ?? 1) + (b?.[i] ?? 0); });
  }
  return nd(out, x.shape);
}

/** Per-column batch statistics of [n, c]: mean and biased variance. */
function columnStats(x: Nd): { mean: number[]; variance: number[] } {
  const [n, c] = x.shape;
  const mean = Array.from({ length: c }, (_, j) => Array.from({ length: n }, (__, i) => x.data[i * c + j]).reduce((s, v) => s + v, 0) / n);
  const variance = mean.map((m, j) => Array.from({ length: n }, (_, i) => (x.data[i * c + j] - m) ** 2).reduce((s, v) => s + v, 0) / n);
  return { mean, variance };
}

describe('Dropout', () => {
  it('drops a fraction p (within 6 standard errors), scales survivors by 1/(1-p), and passes x through in eval mode', async () => {
    const n = 100_000;
    const p = 0.3;
    const x = G.ones([n]);
    const drop = new nn.Dropout(p, { seed: 9 });
    const y = await values(drop.forward(x));
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / n - p)).toBeLessThan(6 * Math.sqrt(p * (1 - p) / n));
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6)).toBe(true);
    drop.eval();
    expect(await values(drop.forward(x))).toEqual(Array(n).fill(1));
  });

  it('the same seed gives the same masks; the gradient is the mask over 1-p', async () => {
    const xs = rand([64], rng);
    const [a, b] = [new nn.Dropout(0.5, { seed: 3 }), new nn.Dropout(0.5, { seed: 3 })];
    const x = toTensor(xs, true);
    const ya = a.forward(x);
    expect(await values(ya)).toEqual(await values(b.forward(x)));
    G.sum(ya).backward();
    // d sum(y)/dx = mask / (1 - p): 2 where kept, 0 where dropped (x itself is never 0 here).
    expect(await values(x.grad!)).toEqual((await values(ya)).map((v) => (v === 0 ? 0 : 2)));
    expect(await values(a.forward(x)), 'the next call draws a new mask').not.toEqual(await values(ya));
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => new nn.Dropout(1.5)).toThrow(/^Dropout: p must be <= 1, got 1.5$/);
  });
});

describe('LayerNorm', () => {
  it('normalizes over the last dimensions, with weight and bias, against float64; gradients by finite differences', async () => {
    const x = rand([3, 2, 4], rng);
    const ln = new nn.LayerNorm([2, 4]);
    const xt = toTensor(x, true);
    const y = ln.forward(xt);
    expectClose(await y.data(), layerNormRef(x, 8, 1e-5).data, tol(8), 'LayerNorm([2,4])');
    const r = rand([3, 2, 4], rng);
    tidy(() => G.sum(G.mul(y, toTensor(r))).backward());
    const f = (xs: Nd[]) => layerNormRef(xs[0], 8, 1e-5).data.reduce((s, v, i) => s + v * r.data[i], 0);
    expectClose(await xt.grad!.data(), finiteDiffGrad(f, [x])[0].data, tol(64), 'd/dx');
    expect(ln.weight!.grad, 'the weight got a gradient').not.toBeNull();
    expect(Object.keys(ln.stateDict())).toEqual(['weight', 'bias']);
  });
});

describe('BatchNorm1d', () => {
  it('training: batch statistics, running statistics by the momentum rule; eval: the running statistics', async () => {
    const bn = new nn.BatchNorm1d(3, { momentum: 0.2 });
    const batches = [rand([5, 3], rng), rand([5, 3], rng)];
    let runMean = [0, 0, 0];
    let runVar = [1, 1, 1];
    for (const x of batches) {
      const y = bn.forward(toTensor(x));
      const { mean, variance } = columnStats(x);
      const expected = x.data.map((v, i) => (v - mean[i % 3]) / Math.sqrt(variance[i % 3] + 1e-5));
      expectClose(await y.data(), expected, tol(5), 'training output');
      runMean = runMean.map((m, j) => 0.8 * m + 0.2 * mean[j]);
      runVar = runVar.map((v, j) => 0.8 * v + 0.2 * variance[j] * 5 / 4); // unbiased, as PyTorch
    }
    expectClose(await bn.runningMean.data(), runMean, tol(10), 'running mean');
    expectClose(await bn.runningVar.data(), runVar, tol(10), 'running var');
    expect(await values(bn.numBatchesTracked)).toEqual([2]);
    bn.eval();
    const x = rand([4, 3], rng);
    const expected = x.data.map((v, i) => (v - runMean[i % 3]) / Math.sqrt(runVar[i % 3] + 1e-5));
    expectClose(await bn.forward(toTensor(x)).data(), expected, tol(10), 'eval output');
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  });

  it('training gradient through the batch statistics, by finite differences', async () => {
    const x = rand([6, 2], rng);
    const r = rand([6, 2], rng);
    const bn = new nn.BatchNorm1d(2);
    const xt = toTensor(x, true);
    tidy(() => G.sum(G.mul(bn.forward(xt), toTensor(r))).backward());
    const f = ([v]: Nd[]) => {
      const { mean, variance } = columnStats(v);
      return v.data.reduce((s, u, i) => s + r.data[i] * (u - mean[i % 2]) / Math.sqrt(variance[i % 2] + 1e-5), 0);
    };
    expectClose(await xt.grad!.data(), finiteDiffGrad(f, [x])[0].data, tol(64), 'd/dx');
  });
});

describe('Embedding and Residual', () => {
  it('Embedding picks rows; its gradient adds up the rows each index picked', async () => {
    const emb = new nn.Embedding(5, 3, { seed: 4 });
    const w = await values(emb.weight);
    const out = emb.forward(G.tensor([[4, 0], [4, 2]]));
    expect(out.shape).toEqual([2, 2, 3]);
    expect(await values(out)).toEqual([4, 0, 4, 2].flatMap((r) => w.slice(3 * r, 3 * r + 3)));
    G.sum(out).backward();
    expect(await values(emb.weight.grad!)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2]);
  });

  it('Residual is x + block(x), and refuses a block that changes the shape', async () => {
    const lin = new nn.Linear(2, 2, { seed: 1 });
    const res = new nn.Residual(lin);
    const x = G.tensor([[1, 2]]);
    const w = await values(lin.weight);
    expectClose(await res.forward(x).data(), [1 + w[0] + 2 * w[2], 2 + w[1] + 2 * w[3]], tol(2), 'x + xW');
    expect(() => new nn.Residual(new nn.Linear(2, 3)).forward(x)).toThrow(/^Residual: the block maps \[1,2\] to \[1,3\]/);
    expect(Object.keys(res.stateDict())).toEqual(['block.weight', 'block.bias']);
  });
});

describe('mlp with norm and residual', () => {
  it('train() and eval() reach every layer; state names follow the nesting; a step trains', async () => {
    const model = nn.mlp({ inputSize: 4, width: 8, depth: 3, outputSize: 2, norm: 'batch', residual: true, seed: 2 });
    expect(Object.keys(model.stateDict())).toEqual([
      '0.0.weight', '0.0.bias', '0.1.weight', '0.1.bias', '0.1.running_mean', '0.1.running_var', '0.1.num_batches_tracked',
      '1.block.0.weight', '1.block.0.bias', '1.block.1.weight', '1.block.1.bias', '1.block.1.running_mean', '1.block.1.running_var', '1.block.1.num_batches_tracked',
      '2.block.0.weight', '2.block.0.bias', '2.block.1.weight', '2.block.1.bias', '2.block.1.running_mean', '2.block.1.running_var', '2.block.1.num_batches_tracked',
      '3.weight', '3.bias',
    ]);
    model.eval();
    const bn = (model.layers[1] as nn.Residual).block as nn.Sequential;
    expect(bn.layers[1].training).toBe(false);
    model.train();
    expect(bn.layers[1].training).toBe(true);
    const x = toTensor(rand([16, 4], rng));
    const y = toTensor(rand([16, 2], rng));
    const opt = new G.optim.SGD(model.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const loss = tidy(() => { opt.zeroGrad(); const l = G.mseLoss(model.forward(x), y); l.backward(); opt.step(); return l; });
      losses.push(await loss.item());
      loss.dispose();
    }
    expect(losses[4]).toBeLessThan(losses[0]);
    expect(() => nn.mlp({ inputSize: 4, width: 8, depth: 2, outputSize: 2, norm: 'group' as never })).toThrow(/^mlp: norm must be one of 'batch', 'layer'/);
    model.dispose();
  });
});
