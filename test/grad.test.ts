// Backward pass: for every differentiable op in `opTable` (vjp not null), the gradients that
// backward() leaves on the GPU are compared with central finite differences of the float64
// reference of the same function. The loss is sum(op(inputs) · r) with a fixed random r, so
// every output element contributes with its own weight. Inputs avoid kinks (relu, abs, max
// ties) by more than the finite-difference step. Ends with a 3-layer MLP against
// finite differences of reference mlpForward + mseLoss.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { opTable, ready, tidy, type OpName, type Tensor } from '../src/index.ts';
import * as R from './reference/ops.ts';
import { makeRng, zeros, type Nd } from './reference/ndarray.ts';
import { expectClose, finiteDiffGrad, tol } from './reference/check.ts';
import { fmt, mapNd as map, rand, refMatmul, scalarNd as s, toTensor, type Draw, type OpCase } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(77);
// Tolerance of the GPU gradients (float32, reductions in the backward pass).
const T = tol(8);

const unary = (gpu: (x: Tensor) => Tensor, ref: (x: Nd) => Nd, draw?: Draw, shapes = [[7], [3, 5]]): OpCase[] =>
  shapes.map((shape) => ({ label: fmt(shape), inputs: [rand(shape, rng, draw)], gpu, ref, tol: T }));

const BINARY: [number[], number[]][] = [[[7], [7]], [[3, 1], [1, 4]], [[5], [2, 5]], [[], [2, 3]], [[2, 1, 4], [3, 1]]];
const binary = (gpu: (a: Tensor, b: Tensor) => Tensor, ref: (a: Nd, b: Nd) => Nd, drawB?: Draw): OpCase[] =>
  BINARY.map(([sa, sb]) => ({ label: `${fmt(sa)} with ${fmt(sb)}`, inputs: [rand(sa, rng), rand(sb, rng, drawB)], gpu, ref, tol: T }));

type Reduction = (x: Tensor, axis?: number, keepDims?: boolean) => Tensor;
const reductions = (gpu: Reduction, ref: typeof R.sum): OpCase[] =>
  ([[undefined, false], [0, false], [1, true], [-1, false], [2, true]] as [number | undefined, boolean][]).map(([axis, keepDims]) => ({
    label: `[3,4,5] axis ${axis ?? 'all'} keepDims ${keepDims}`, inputs: [rand([3, 4, 5], rng)], tol: T,
    gpu: (x: Tensor) => gpu(x, axis, keepDims), ref: (x: Nd) => ref(x, axis, keepDims),
  }));

const matmuls = (): OpCase[] => ([[[4, 6], [6, 3]], [[5, 8], [8, 12]], [[2, 3, 5], [2, 5, 4]], [[3, 4, 8], [8, 4]], [[4, 8], [2, 8, 3]]] as [number[], number[]][])
  .map(([sa, sb]) => ({ label: `${fmt(sa)} x ${fmt(sb)}`, inputs: [rand(sa, rng), rand(sb, rng)], gpu: (a: Tensor, b: Tensor) => G.matmul(a, b), ref: refMatmul, tol: tol(16) }));

const softmaxes = (gpu: (x: Tensor) => Tensor, ref: (x: Nd) => Nd): OpCase[] =>
  [[4, 10], [1, 1], [2, 3, 6]].map((shape) => ({ label: fmt(shape), inputs: [rand(shape, rng)], gpu, ref, tol: tol(10) }));

type NoGrad = 'sign' | 'equal' | 'reluGrad' | 'leakyReluGrad' | 'tanhGrad' | 'sigmoidGrad' | 'geluGrad';

const specs = {
  add: binary(G.add, R.add),
  sub: binary(G.sub, R.sub),
  mul: binary(G.mul, R.mul),
  div: binary(G.div, R.div, { minAbs: 0.5 }),
  addScalar: [...unary((x) => G.add(x, 3), (x) => R.add(x, s(3))), ...unary((x) => G.sub(x, 2.5), (x) => R.sub(x, s(2.5)))],
  mulScalar: unary((x) => G.mul(-2.5, x), (x) => R.mul(x, s(-2.5))),
  divScalar: unary((x) => G.div(x, 3), (x) => R.div(x, s(3))),
  rsubScalar: unary((x) => G.sub(3, x), (x) => R.sub(s(3), x)),
  rdivScalar: unary((x) => G.div(3, x), (x) => R.div(s(3), x), { minAbs: 0.5 }),
  neg: unary(G.neg, R.neg),
  exp: unary(G.exp, R.exp),
  log: unary(G.log, R.log, { range: [0.2, 4] }),
  sqrt: unary(G.sqrt, R.sqrt, { range: [0.2, 4] }),
  square: unary(G.square, R.square),
  abs: unary(G.abs, R.abs, { minAbs: 0.05 }),
  pow: [...unary((x) => G.pow(x, 2), (x) => R.pow(x, 2), undefined, [[7]]),
    ...unary((x) => G.pow(x, 3), (x) => R.pow(x, 3), undefined, [[7]]),
    ...unary((x) => G.pow(x, 0.5), (x) => R.pow(x, 0.5), { range: [0.2, 4] }, [[7]]),
    ...unary((x) => G.pow(x, -1), (x) => R.pow(x, -1), { minAbs: 0.5 }, [[7]]),
    ...unary((x) => G.pow(x, 3), (x) => R.pow(x, 3), { range: [-2, -0.2] }, [[7]]).map((c) => ({ ...c, label: `${c.label} p=3, x<0` }))],
  relu: unary(G.relu, R.relu, { minAbs: 0.05 }),
  leakyRelu: [...unary((x) => G.leakyRelu(x), (x) => R.leakyRelu(x, 0.01), { minAbs: 0.05 }),
    ...unary((x) => G.leakyRelu(x, 0.2), (x) => R.leakyRelu(x, 0.2), { minAbs: 0.05 }, [[7]])],
  tanh: unary(G.tanh, R.tanh),
  sigmoid: unary(G.sigmoid, R.sigmoid),
  gelu: unary(G.gelu, R.gelu),
  matmul: matmuls(),
  sum: [...reductions(G.sum, R.sum),
    { label: '[3,500] axis 1', inputs: [rand([3, 500], rng)], gpu: (x) => G.sum(x, 1), ref: (x) => R.sum(x, 1), tol: T }],
  max: reductions(G.max, R.max),
  reshape: [{ label: '[3,4] to [2,-1]', inputs: [rand([3, 4], rng)], gpu: (x) => G.reshape(x, [2, -1]), ref: (x) => R.reshape(x, [2, 6]), tol: T }],
  transpose: [
    { label: '[3,5] default', inputs: [rand([3, 5], rng)], gpu: (x) => G.transpose(x), ref: (x) => R.transpose(x), tol: T },
    { label: '[2,3,4] axes [2,0,1]', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.transpose(x, [2, 0, 1]), ref: (x) => R.transpose(x, [2, 0, 1]), tol: T },
  ],
  broadcastTo: ([[[3, 1], [3, 4]], [[5], [2, 5]], [[], [2, 3]]] as [number[], number[]][]).map(([from, to]) => ({
    label: `${fmt(from)} to ${fmt(to)}`, inputs: [rand(from, rng)], gpu: (x: Tensor) => G.broadcastTo(x, to), ref: (x: Nd) => R.add(x, zeros(to)), tol: T,
  })),
  softmax: softmaxes(G.softmax, R.softmax),
  logSoftmax: softmaxes(G.logSoftmax, R.logSoftmax),
} satisfies Record<Exclude<OpName, NoGrad>, OpCase[]>;

const labels = [2, 0, 9, 5];
const compositions: Record<'mean' | 'mseLoss' | 'softmaxCrossEntropy', OpCase[]> = {
  mean: reductions(G.mean, R.mean),
  mseLoss: [[7], [3, 5]].map((shape) => ({ label: fmt(shape), inputs: [rand(shape, rng), rand(shape, rng)], gpu: G.mseLoss, ref: R.mseLoss, tol: tol(15) })),
  softmaxCrossEntropy: [
    { label: '[4,10] class indices', inputs: [rand([4, 10], rng)], gpu: (x) => G.softmaxCrossEntropy(x, labels),
      ref: (x) => R.softmaxCrossEntropy(x, labels), tol: tol(40) },
    { label: '[4,10] probability tensor', inputs: [rand([4, 10], rng), map(R.softmax(rand([4, 10], rng)), Math.fround)],
      gpu: G.softmaxCrossEntropy, ref: R.softmaxCrossEntropy, tol: tol(40) },
  ],
};

/** GPU gradients of sum(op(inputs) · r) against finite differences of the float64 reference. */
async function checkGradient(name: string, c: OpCase, checkNode: boolean): Promise<void> {
  const wants = c.inputs.map((_, i) => c.grad?.[i] ?? true);
  const ts = c.inputs.map((x, i) => toTensor(x, wants[i]));
  const r = rand(c.ref(...c.inputs).shape, rng);
  const rT = toTensor(r);
  tidy(() => {
    const out = c.gpu(...ts);
    if (checkNode) expect(out.node?.op, 'the output was made by the op under test').toBe(name);
    G.sum(G.mul(out, rT)).backward();
  });
  const loss = (xs: Nd[]) => R.sum(R.mul(c.ref(...xs), r)).data[0];
  const expected = finiteDiffGrad(loss, c.inputs);
  try {
    for (let i = 0; i < ts.length; i++) {
      if (!wants[i]) continue;
      const g = ts[i].grad;
      expect(g, `input ${i} has a gradient`).not.toBeNull();
      expect(g!.shape, `input ${i} gradient shape`).toEqual(c.inputs[i].shape);
      expectClose(await g!.data(), expected[i].data, c.tol, `${name} ${c.label}: d/d input ${i}`);
    }
  } finally {
    [...ts, rT].forEach((t) => t.dispose());
  }
}

describe('gradients of every differentiable op against finite differences', () => {
  it('every op with a VJP has a gradient spec, and no other op does', () => {
    const differentiable = Object.entries(opTable).filter(([, def]) => def.vjp !== null).map(([name]) => name);
    expect(Object.keys(specs).sort()).toEqual(differentiable.sort());
  });
  for (const [name, cases] of Object.entries(specs) as [OpName, OpCase[]][]) {
    describe(name, () => {
      for (const c of cases) it(c.label, () => checkGradient(name, c, true));
    });
  }
  for (const [name, cases] of Object.entries(compositions)) {
    describe(name, () => {
      for (const c of cases) it(c.label, () => checkGradient(name, c, false));
    });
  }
});

describe('3-layer MLP (8 -> 16 tanh -> 16 relu -> 4 linear, batch 5, mseLoss)', () => {
  it('all weight and bias gradients match finite differences of the reference', async () => {
    const mlpRng = makeRng(1234);
    const sizes = [8, 16, 16, 4];
    const acts: R.Activation[] = ['tanh', 'relu', 'linear'];
    const params: Nd[] = acts.flatMap((_, l) => [
      map(rand([sizes[l], sizes[l + 1]], mlpRng), (v) => Math.fround(v / Math.sqrt(sizes[l]))),
      map(rand([sizes[l + 1]], mlpRng), (v) => Math.fround(0.1 * v)),
    ]);
    const x = rand([5, 8], mlpRng);
    const target = rand([5, 4], mlpRng);
    const layers = (ps: Nd[]): R.MlpLayer[] => acts.map((act, l) => ({ w: ps[2 * l], b: ps[2 * l + 1], act }));

    const ts = params.map((p) => toTensor(p, true));
    const [xT, targetT] = [toTensor(x), toTensor(target)];
    const lossT = tidy(() => {
      let a = xT;
      acts.forEach((act, l) => {
        const z = G.add(G.matmul(a, ts[2 * l]), ts[2 * l + 1]);
        a = act === 'tanh' ? G.tanh(z) : act === 'relu' ? G.relu(z) : z;
      });
      const loss = G.mseLoss(a, targetT);
      loss.backward();
      return loss;
    });
    const f = (ps: Nd[]) => R.mseLoss(R.mlpForward(x, layers(ps)), target).data[0];
    expectClose([await lossT.item()], [f(params)], tol(16), 'MLP loss');
    const expected = finiteDiffGrad(f, params);
    for (let i = 0; i < params.length; i++) {
      const name = `${i % 2 ? 'b' : 'w'}${(i >> 1) + 1}`;
      expect(ts[i].grad?.shape, name).toEqual(params[i].shape);
      expectClose(await ts[i].grad!.data(), expected[i].data, tol(64), `MLP d loss / d ${name}`);
    }
    [...ts, xT, targetT, lossT].forEach((t) => t.dispose());
  });
});
