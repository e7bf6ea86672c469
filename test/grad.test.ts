// Backward pass: for every differentiable op in `opTable` (vjp not null), the gradients that
// backward() leaves on the GPU are compared with central finite differences of the float64
// reference of the same function. The loss is sum(op(inputs) · r) with a fixed random r, so
// every output element contributes with its own weight. Inputs avoid kinks (relu, abs, max
// ties) by more than the finite-difference step. Ends with a 3-layer MLP against
// finite differences of reference mlpForward + mseLoss.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { opTable, ready, tidy, type Tensor } from '../src/index.ts';
import * as R0 from './reference/ops.ts';
import * as M from './reference/more-ops.ts';
import { makeRng, nd, zeros, type Nd } from './reference/ndarray.ts';
import { expectClose, finiteDiffGrad, tol } from './reference/check.ts';
import { fmt, mapNd as map, rand, refMatmul, scalarNd as s, toTensor, type Draw, type OpCase } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const R = { ...R0, ...M };
const rng = makeRng(77);
const labels = [2, 0, 9, 5];
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
  powScalar: [...unary((x) => G.pow(x, 2), (x) => R.pow(x, 2), undefined, [[7]]),
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
  // [6,8]·[8,12]: the weight and bias gradients in one pass; [5,3]·[3,7]: apart (no vec4 kernel).
  linear: ([[[6, 8], [8, 12]], [[5, 3], [3, 7]], [[2, 3, 4], [4, 4]]] as [number[], number[]][]).flatMap(([sx, sw]) =>
    (['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu'] as const).map((act): OpCase => ({
      label: `${fmt(sx)} x ${fmt(sw)} + b, ${act}`, inputs: [rand(sx, rng), rand(sw, rng), rand([sw[1]], rng)], tol: tol(16),
      ...((sx.length !== 2 || act === 'gelu') && { grad: [true, true, true] }), // ends in a reshape or gelu
      gpu: (x, w, b) => G.linear(x, w, b, { activation: act, alpha: 0.2 }), ref: (x, w, b) => R.linearLayer(x, w, b, act, 0.2),
    }))),
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
  pow: [{ label: '[7] tensor exponent', inputs: [rand([7], rng, { range: [0.3, 3] }), rand([7], rng, { range: [-2, 2] })], gpu: (x, p) => G.pow(x, p), ref: R.powTensor, tol: T }],
  powTensor: [{ label: '[3,1] with [4], x > 0', inputs: [rand([3, 1], rng, { range: [0.3, 3] }), rand([4], rng, { range: [-2, 2] })], gpu: (x, p) => G.pow(x, p), ref: R.powTensor, tol: T }],
  clampMin: unary((x) => G.clamp(x, -0.3), (x) => R.clamp(x, -0.3, null), { minAbs: 0.05 }).map((c) => ({ ...c, inputs: [awayFrom(c.inputs[0], [-0.3])] })),
  clampMax: unary((x) => G.clamp(x, null, 0.4), (x) => R.clamp(x, null, 0.4)).map((c) => ({ ...c, inputs: [awayFrom(c.inputs[0], [0.4])] })),
  clamp: unary((x) => G.clamp(x, -0.3, 0.4), (x) => R.clamp(x, -0.3, 0.4)).map((c) => ({ ...c, inputs: [awayFrom(c.inputs[0], [-0.3, 0.4])] })),
  where: [{ label: 'cond [3,1], a [1,4], b [3,4]', inputs: [nd([1, 0, 1], [3, 1]), rand([1, 4], rng), rand([3, 4], rng)], grad: [false, true, true], gpu: G.where, ref: R.where, tol: T }],
  maximum: [...binary(G.maximum, R.maximum),
    { label: 'ties split the gradient in halves', inputs: [nd([1, 2, 3], [3]), nd([1, 0, 3], [3])], gpu: G.maximum, tol: T,
      ref: (a, b) => R.maximum(a, b), exactGrads: [nd([0.5, 1, 0.5], [3]), nd([0.5, 0, 0.5], [3])] }],
  minimum: binary(G.minimum, R.minimum),
  min: reductions(G.min, R.minAxes),
  mean: [...reductions(G.mean, R.mean), { label: '[2,3,4] axes [0,2]', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.mean(x, [0, 2]), ref: (x) => R.meanAxes(x, [0, 2]), tol: T }],
  variance: [{ label: '[3,4,5] axis 1', inputs: [rand([3, 4, 5], rng)], gpu: (x) => G.variance(x, 1), ref: (x) => R.variance(x, 1), tol: T },
    { label: '[6] all, correction 0', inputs: [rand([6], rng)], gpu: (x) => G.variance(x, undefined, { correction: 0 }), ref: (x) => R.variance(x, undefined, 0), tol: T }],
  std: [{ label: '[3,5] axis 0', inputs: [rand([3, 5], rng)], gpu: (x) => G.std(x, 0), ref: (x) => R.std(x, 0), tol: T }],
  logSumExp: [{ label: '[4,6] axis 1', inputs: [rand([4, 6], rng)], gpu: (x) => G.logSumExp(x, 1), ref: (x) => R.logSumExp(x, 1), tol: T },
    { label: '[2,3] all, keepDims', inputs: [rand([2, 3], rng)], gpu: (x) => G.logSumExp(x, undefined, true), ref: (x) => R.logSumExp(x, undefined, true), tol: T }],
  view: [{ label: '[3,4] to [12]', inputs: [rand([3, 4], rng)], gpu: (x) => G.view(x, [12]), ref: (x) => R.reshape(x, [12]), tol: T }],
  squeeze: [{ label: '[1,3,1]', inputs: [rand([1, 3, 1], rng)], gpu: (x) => G.squeeze(x), ref: (x) => R.reshape(x, [3]), tol: T }],
  unsqueeze: [{ label: '[3,2] axis 0', inputs: [rand([3, 2], rng)], gpu: (x) => G.unsqueeze(x, 0), ref: (x) => R.reshape(x, [1, 3, 2]), tol: T }],
  flatten: [{ label: '[2,3,2]', inputs: [rand([2, 3, 2], rng)], gpu: (x) => G.flatten(x), ref: (x) => R.reshape(x, [12]), tol: T }],
  expand: [{ label: '[3,1] to [3,4]', inputs: [rand([3, 1], rng)], gpu: (x) => G.expand(x, [3, 4]), ref: (x) => R.add(x, zeros([3, 4])), tol: T }],
  slice: [{ label: '[5,7] [1:4, 2:-1]', inputs: [rand([5, 7], rng)], gpu: (x) => G.slice(x, [1, 2], [4, -1]), ref: (x) => R.slice(x, [1, 2], [4, -1]), tol: T }],
  concat: [{ label: '[2,3] [4,3] axis 0', inputs: [rand([2, 3], rng), rand([4, 3], rng)], gpu: (a, b) => G.concat([a, b]), ref: (a, b) => R.concat([a, b], 0), tol: T },
    { label: '[2,3] [2,1] axis 1', inputs: [rand([2, 3], rng), rand([2, 1], rng)], gpu: (a, b) => G.concat([a, b], 1), ref: (a, b) => R.concat([a, b], 1), tol: T }],
  stack: [{ label: 'two [3] axis 1', inputs: [rand([3], rng), rand([3], rng)], gpu: (a, b) => G.stack([a, b], 1), ref: (a, b) => R.stack([a, b], 1), tol: T }],
  split: [{ label: '[5,2] sizes [2,3]: the second', inputs: [rand([5, 2], rng)], gpu: (x) => G.split(x, [2, 3])[1], ref: (x) => R.slice(x, [2]), tol: T }],
  indexSelect: [{ label: '[5,3] rows [4,0,4]', inputs: [rand([5, 3], rng)], gpu: (x) => G.indexSelect(x, [4, 0, 4]), ref: (x) => R.indexSelect(x, [4, 0, 4], 0), tol: T }],
  gather: [{ label: '[3,4] axis 1', inputs: [rand([3, 4], rng)], gpu: (x) => G.gather(x, G.tensor([[3, 3], [0, 1], [2, 2]]), 1),
    ref: (x) => R.gather(x, nd([3, 3, 0, 1, 2, 2], [3, 2]), 1), tol: T }],
  mseLoss: [[7], [3, 5]].map((shape) => ({ label: fmt(shape), inputs: [rand(shape, rng), rand(shape, rng)], gpu: (a: Tensor, b: Tensor) => G.mseLoss(a, b), ref: (a: Nd, b: Nd) => R.mseLoss(a, b), tol: tol(15) })),
  l1Loss: [{ label: '[6], |d| >= 0.25 (away from the kink)', inputs: [nd([0.5, -1, 2, 0.25, -0.75, 1.5], [6]), nd([0, 0, 1, -0.25, 0.5, 0], [6])],
    gpu: (a: Tensor, b: Tensor) => G.l1Loss(a, b), ref: (a: Nd, b: Nd) => R.l1Loss(a, b), tol: T }],
  huberLoss: [{ label: '[8], |d| on both sides of delta', inputs: [nd([0.2, -0.3, 1.7, -2.5, 0.9, 3, -0.1, 1.4], [8]), nd([0, 0, 0, 0, 0, 0, 0, 0], [8])],
    gpu: (a, b) => G.huberLoss(a, b), ref: (a, b) => R.huberLoss(a, b), tol: T }],
  binaryCrossEntropyWithLogits: [{ label: '[3,4]', inputs: [rand([3, 4], rng, { range: [-4, 4] }), rand([3, 4], rng, { range: [0, 1] })],
    gpu: (x, t) => G.binaryCrossEntropyWithLogits(x, t), ref: (x, t) => R.binaryCrossEntropyWithLogits(x, t), tol: T }],
  softmaxCrossEntropy: [
    { label: '[4,10] class indices', inputs: [rand([4, 10], rng)], gpu: (x) => G.softmaxCrossEntropy(x, labels),
      ref: (x) => R.softmaxCrossEntropy(x, labels), tol: tol(40) },
    { label: '[4,10] class-index tensor', inputs: [rand([4, 10], rng), nd(labels, [4])], grad: [true, false], gpu: (x, l) => G.softmaxCrossEntropy(x, l),
      ref: (x) => R.softmaxCrossEntropy(x, labels), tol: tol(40) },
    { label: '[4,10] probability tensor', inputs: [rand([4, 10], rng), map(R.softmax(rand([4, 10], rng)), Math.fround)],
      gpu: (x, l) => G.softmaxCrossEntropy(x, l), ref: R.softmaxCrossEntropy, tol: tol(40) },
  ],
} satisfies Record<string, GradCase[]>;

/** Whether backward() reaches through the op: a primitive with a VJP, or a composite of such ops. */
function isDifferentiable(name: string): boolean {
  const def = opTable[name].def;
  return def ? typeof def.vjp === 'function' : !opTable[name].meta.isConstant;
}

/** Cases for a differentiable elementwise op drawn from its reference and its domain. */
function defaultCases(name: string): GradCase[] {
  const op = (G as unknown as Record<string, (...xs: Tensor[]) => Tensor>)[name];
  const ref = (R as unknown as Record<string, ((...xs: Nd[]) => Nd) | undefined>)[name];
  const family = opTable[name].meta.family;
  if (!op || !ref || !family) return [];
  const draws = M.domains[name] ?? [];
  return family === 'unary' ? unary(op, ref, draws[0]) : binary(op, ref, draws[1]);
}

const allSpecs: Record<string, GradCase[]> = {};
for (const name of Object.keys(opTable)) {
  if (isDifferentiable(name)) allSpecs[name] = (specs as Record<string, GradCase[]>)[name] ?? defaultCases(name);
}

/** A gradient case; `exactGrads` replaces finite differences where they cannot see a kink's rule (ties). */
type GradCase = OpCase & { exactGrads?: Nd[] };

/** x with every element moved at least 0.05 away from each of `kinks`. */
function awayFrom(x: Nd, kinks: number[]): Nd {
  return map(x, (v) => kinks.reduce((u, k) => (Math.abs(u - k) < 0.05 ? Math.fround(k + (u < k ? -0.05 : 0.05)) : u), v));
}

/** GPU gradients of sum(op(inputs) · r) against finite differences of the float64 reference. */
async function checkGradient(name: string, c: GradCase, checkNode: boolean): Promise<void> {
  const wants = c.inputs.map((_, i) => c.grad?.[i] ?? true);
  const ts = c.inputs.map((x, i) => toTensor(x, wants[i]));
  const r = c.exactGrads ? map(c.ref(...c.inputs), () => 1) : rand(c.ref(...c.inputs).shape, rng);
  const rT = toTensor(r);
  tidy(() => {
    const out = c.gpu(...ts);
    if (checkNode) expect(out.node?.op, 'the output was made by the op under test').toBe(name);
    G.sum(G.mul(out, rT)).backward();
  });
  const loss = (xs: Nd[]) => R.sum(R.mul(c.ref(...xs), r)).data[0];
  const expected = c.exactGrads ?? finiteDiffGrad(loss, c.inputs);
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
  it('every differentiable op has gradient cases (its own, or drawn from its reference), and no other op does', () => {
    for (const name of Object.keys(opTable)) {
      if (isDifferentiable(name) || opTable[name].def?.vjp === null) continue;
      expect(name in specs, `${name} has no gradient, so no gradient spec`).toBe(false);
    }
    for (const [name, cases] of Object.entries(allSpecs)) expect(cases.length, `gradient cases for ${name}`).toBeGreaterThan(0);
  });
  for (const [name, cases] of Object.entries(allSpecs)) {
    describe(name, () => {
      for (const c of cases) it(c.label, () => checkGradient(name, c, typeof opTable[name].def?.vjp === 'function' && !c.grad));
    });
  }
});

describe('3-layer MLP (8 -> 16 tanh -> 16 relu -> 4 linear, batch 5, mseLoss)', () => {
  it('all weight and bias gradients match finite differences of the reference', async () => {
    const mlpRng = makeRng(1234);
    const sizes = [8, 16, 16, 4];
    const acts: R0.Activation[] = ['tanh', 'relu', 'linear'];
    const params: Nd[] = acts.flatMap((_, l) => [
      map(rand([sizes[l], sizes[l + 1]], mlpRng), (v) => Math.fround(v / Math.sqrt(sizes[l]))),
      map(rand([sizes[l + 1]], mlpRng), (v) => Math.fround(0.1 * v)),
    ]);
    const x = rand([5, 8], mlpRng);
    const target = rand([5, 4], mlpRng);
    const layers = (ps: Nd[]): R0.MlpLayer[] => acts.map((act, l) => ({ w: ps[2 * l], b: ps[2 * l + 1], act }));

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
