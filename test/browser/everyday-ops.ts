// The everyday ops run in the page and in Node on the same inputs (test/browser.test.ts
// compares both with float64 references). Takes the library as an argument, so the page and
// Node each pass their own import of it; plain arrays in and out, so page.evaluate can carry them.

import type * as Gpugrad from '../../src/index.ts';

type G = typeof Gpugrad;

/** Inputs: x [3,4], y [3,4], idx (class indices of 3 rows), z [2,3,4]. */
export interface OpsInput { x: number[]; y: number[]; idx: number[]; z: number[] }
/** Every op's output values, and d sum(op)/dx for the differentiable ones. */
export type OpsOutput = Record<string, { value: number[]; grad?: number[] }>;

export async function runEverydayOps(gg: G, input: OpsInput): Promise<OpsOutput> {
  await gg.ready({ verbose: false });
  const calls: Record<string, (x: Gpugrad.Tensor, y: Gpugrad.Tensor, idx: Gpugrad.Tensor, z: Gpugrad.Tensor) => Gpugrad.Tensor> = {
    maximum: (x, y) => gg.maximum(x, y),
    where: (x, y) => gg.where(gg.greater(x, y), x, 0),
    clamp: (x) => x.clamp(-0.5, 0.5),
    greaterEqual: (x, y) => gg.greaterEqual(x, y),
    slice: (x) => gg.slice(x, [1, -3], [3]),
    concat: (x, y) => gg.concat([x, y], 1),
    stack: (x, y) => gg.stack([x, y], 0),
    gather: (x, _, idx) => gg.gather(x, gg.reshape(idx, [3, 1]), 1),
    indexSelect: (x) => gg.indexSelect(x, [2, 0, 2], 0),
    oneHot: (_, __, idx) => gg.oneHot(idx, 4),
    argmax: (x) => gg.argmax(x, 1),
    min: (_, __, ___, z) => gg.min(z, [0, 2]),
    variance: (x) => x.var(1),
    logSumExp: (x) => gg.logSumExp(x, -1),
    matmul: (x, _, __, z) => gg.matmul(gg.reshape(z, [2, 1, 3, 4]), gg.transpose(x)),
    // The quad kernels (subgroups) in each layout: x·(xᵀ·y), x·yᵀ, tanh(x·(yᵀ·y) + Σ_rows y).
    quadMatmul: (x, y) => gg.matmul(x, gg.matmul(x, y, { transposeA: true, variant: 'quad' }), { variant: 'quad' }),
    quadMatmulNT: (x, y) => gg.matmul(x, y, { transposeB: true, variant: 'quad' }),
    quadLinear: (x, y) => gg.linear(x, gg.matmul(y, y, { transposeA: true }), gg.sum(y, 0), { activation: 'tanh', variant: 'quad' }),
    softmaxCrossEntropy: (x, _, idx) => gg.softmaxCrossEntropy(x, idx),
    huberLoss: (x, y) => gg.huberLoss(x, y, { delta: 0.5 }),
    powTensor: (x, y) => gg.pow(gg.abs(x), y),
    flatten: (_, __, ___, z) => gg.unsqueeze(gg.flatten(z, 1), 0),
    layerNorm: (x) => new gg.nn.LayerNorm(4).forward(x),
    batchNorm: (x) => new gg.nn.BatchNorm1d(4).forward(x),
    embedding: (_, __, idx) => gg.mul(new gg.nn.Embedding(4, 2, { seed: 7 }).forward(idx), 1),
    dropout: (x) => new gg.nn.Dropout(0.5, { seed: 8 }).forward(x),
  };
  const out: OpsOutput = {};
  for (const [name, call] of Object.entries(calls)) {
    const x = gg.tensor(input.x, [3, 4], { requiresGrad: true });
    const [y, idx, z] = [gg.tensor(input.y, [3, 4]), gg.tensor(input.idx), gg.tensor(input.z, [2, 3, 4])];
    const value = gg.tidy(() => {
      const result = call(x, y, idx, z);
      if (result.requiresGrad) gg.sum(result).backward();
      return result;
    });
    out[name] = { value: Array.from(await value.data()), grad: x.grad ? Array.from(await x.grad.data()) : undefined };
    [x, y, idx, z, value].forEach((t) => t.dispose());
  }
  return out;
}
