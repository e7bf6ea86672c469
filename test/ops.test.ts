// Forward pass of every op in `opTable` on the GPU against the float64 reference
// (test/reference/ops.ts) or, for the fused backward kernels, against the analytic derivative
// in float64. `specs` is typed as a Record over OpName, so an op added to the table without a
// spec here fails to compile, and a runtime test checks the same. Ops with a VJP run with
// requiresGrad inputs, and each case checks that its output was made by the op it tests (so
// e.g. `sub(3, x)` really exercises rsubScalar). The compositions mean, mseLoss and
// softmaxCrossEntropy (not table entries) are checked at the end.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { opTable, ready, tidy, type OpName, type Tensor } from '../src/index.ts';
import * as R from './reference/ops.ts';
import { makeRng, nd, uniform, zeros, type Nd } from './reference/ndarray.ts';
import { tol, type Tol } from './reference/check.ts';
import { expectTensor, f32, fmt, mapNd as map, rand, refMatmul, scalarNd as s, toTensor, type Draw, type OpCase } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(20240601);
// Sizes that divide by 4 run main_vec4, the others main (strided.wgsl).
const ELEMENTWISE = [[1, 1], [7], [64], [65], [33, 129], [33, 128]];
// General strides, periodic operands (a row repeated: i % period) with and without vec4, and
// one of each in the same op.
const BROADCAST: [number[], number[]][] = [[[3, 1], [1, 4]], [[5], [2, 5]], [[], [2, 3]], [[2, 3], []], [[2, 1, 4], [3, 1]],
  [[3, 8], [8]], [[8], [2, 3, 8]], [[2, 3, 4], [3, 4]], [[4, 1, 8], [1, 8]], [[2, 1, 4], [3, 4]]];
const EXACT: Tol = { atol: 0, rtol: 0 };
const T1 = tol(1);
const map2 = (x: Nd, y: Nd, fn: (a: number, b: number) => number): Nd => nd(Array.from(x.data, (v, i) => fn(v, y.data[i])), x.shape);

function unaryCases(gpu: (x: Tensor) => Tensor, ref: (x: Nd) => Nd, draw?: Draw, tag = ''): OpCase[] {
  return ELEMENTWISE.map((shape) => ({ label: `${tag}${fmt(shape)}`, inputs: [rand(shape, rng, draw)], gpu, ref, tol: T1 }));
}

function binaryCases(gpu: (a: Tensor, b: Tensor) => Tensor, ref: (a: Nd, b: Nd) => Nd, drawB?: Draw): OpCase[] {
  const pairs: [number[], number[]][] = [...ELEMENTWISE.map((shape): [number[], number[]] => [shape, shape]), ...BROADCAST];
  return pairs.map(([sa, sb]) => ({
    label: `${fmt(sa)} with ${fmt(sb)}`, inputs: [rand(sa, rng), rand(sb, rng, drawB)], gpu, ref, tol: T1,
  }));
}

/** The fused backward kernel of an activation, through backward(seed): x.grad vs dy·f'(x). */
function gradKernelCases(fwd: (x: Tensor) => Tensor, derivative: (v: number) => number, draw?: Draw): OpCase[] {
  return ELEMENTWISE.map((shape) => ({
    label: `backward of ${fmt(shape)}`, inputs: [rand(shape, rng, draw), rand(shape, rng)], grad: [true, false],
    gpu: (x, dy) => { fwd(x).backward(dy); return x.grad!; },
    ref: (x, dy) => map2(x, dy, (v, d) => d * derivative(v)),
    tol: T1,
  }));
}

const GELU_C = Math.sqrt(2 / Math.PI);
function geluDerivative(x: number): number {
  const t = Math.tanh(GELU_C * (x + 0.044715 * x ** 3));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
}
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function matmulCases(): OpCase[] {
  const shapes: [number[], number[]][] = [[[1, 1], [1, 1]], [[33, 65], [65, 17]], [[64, 64], [64, 64]], [[4, 8], [8, 12]],
    [[2, 3, 5], [2, 5, 7]], [[3, 4, 8], [8, 4]], [[4, 8], [2, 8, 12]], [[2, 5, 8], [2, 8, 12]], [[33, 64], [64, 20]]];
  return shapes.flatMap(([sa, sb]) => {
    const k = sa[sa.length - 1];
    const n = sb[sb.length - 1];
    const variants: G.MatmulVariant[] = ['auto', 'naive', 'block', ...(k % 4 === 0 && n % 4 === 0 ? ['block_vec4' as const] : [])];
    const inputs = [rand(sa, rng), rand(sb, rng)];
    return variants.map((variant) => ({
      label: `${fmt(sa)} x ${fmt(sb)} ${variant}`, inputs, tol: tol(k),
      gpu: (a: Tensor, b: Tensor) => G.matmul(a, b, variant), ref: refMatmul,
    }));
  });
}

type Reduction = (x: Tensor, axis?: number, keepDims?: boolean) => Tensor;
function reduceCases(gpu: Reduction, ref: typeof R.sum, draw?: Draw): OpCase[] {
  const x = rand([3, 4, 5], rng, draw);
  const axes = [undefined, 0, 1, 2, -1, -3];
  return axes.flatMap((axis) => [false, true].map((keepDims) => ({
    label: `[3,4,5] axis ${axis ?? 'all'} keepDims ${keepDims}`, inputs: [x], tol: tol(axis === undefined ? 60 : 5),
    gpu: (t: Tensor) => gpu(t, axis, keepDims), ref: (v: Nd) => ref(v, axis, keepDims),
  })));
}

/** Integers in [-4, 4): float32 sums of these are exact while |partial sums| < 2^24. */
const integers = (shape: number[]): Nd => map(uniform(shape, -4, 4, rng), Math.floor);

const softmaxInputs = (): [string, Nd][] => [
  ['[4,10]', rand([4, 10], rng)], ['[1,1]', rand([1, 1], rng)], ['[3,1000]', rand([3, 1000], rng)],
  ['[2,3,7]', rand([2, 3, 7], rng)], ['[4,10] around 80', f32(map(rand([4, 10], rng), (v) => 80 + v))],
  ['[2,4] spread ±80', nd([80, -80, 0, 85, 88, 88, 88, 88], [2, 4])],
];
// More than 65535 rows take a 2-D grid; slow on SwiftShader (~9 s), so softmax only (same kernel).
const manyRows = (): [string, Nd][] => [['[70000,3] (more than 65535 rows: 2-D grid)', rand([70000, 3], rng)]];
const softmaxCases = (gpu: (x: Tensor) => Tensor, ref: (x: Nd) => Nd, extra: [string, Nd][] = []): OpCase[] =>
  [...softmaxInputs(), ...extra].map(([label, x]) => ({ label, inputs: [x], gpu, ref, tol: tol(x.shape[x.shape.length - 1]) }));

const scalarCase = (label: string, gpu: (x: Tensor) => Tensor, ref: (x: Nd) => Nd, draw?: Draw): OpCase[] =>
  unaryCases(gpu, ref, draw, `${label} `);

const specs = {
  add: binaryCases(G.add, R.add),
  sub: binaryCases(G.sub, R.sub),
  mul: binaryCases(G.mul, R.mul),
  div: binaryCases(G.div, R.div, { minAbs: 0.5 }),
  addScalar: [...scalarCase('x + 3', (x) => G.add(x, 3), (x) => R.add(x, s(3))),
    ...scalarCase('3 + x', (x) => G.add(3, x), (x) => R.add(s(3), x)),
    ...scalarCase('x - 2.5', (x) => G.sub(x, 2.5), (x) => R.sub(x, s(2.5)))],
  mulScalar: [...scalarCase('x * 3', (x) => G.mul(x, 3), (x) => R.mul(x, s(3))),
    ...scalarCase('-2.5 * x', (x) => G.mul(-2.5, x), (x) => R.mul(s(-2.5), x))],
  divScalar: scalarCase('x / 3', (x) => G.div(x, 3), (x) => R.div(x, s(3))),
  rsubScalar: scalarCase('3 - x', (x) => G.sub(3, x), (x) => R.sub(s(3), x)),
  rdivScalar: scalarCase('3 / x', (x) => G.div(3, x), (x) => R.div(s(3), x), { minAbs: 0.3 }),
  neg: unaryCases(G.neg, R.neg),
  exp: unaryCases(G.exp, R.exp),
  log: unaryCases(G.log, R.log, { range: [0.05, 5] }),
  sqrt: unaryCases(G.sqrt, R.sqrt, { range: [0, 5] }),
  square: unaryCases(G.square, R.square),
  abs: unaryCases(G.abs, R.abs),
  sign: [...unaryCases(G.sign, (x) => map(x, Math.sign)),
    { label: 'with zeros', inputs: [nd([0, -0, 1.5, -2, 0, 3e-30], [6])], gpu: G.sign, ref: (x) => map(x, (v) => Math.sign(v) || 0), tol: EXACT }],
  pow: [...unaryCases((x) => G.pow(x, 2), (x) => R.pow(x, 2), undefined, 'p=2 '),
    ...unaryCases((x) => G.pow(x, 3), (x) => R.pow(x, 3), undefined, 'p=3 '),
    ...unaryCases((x) => G.pow(x, 0.5), (x) => R.pow(x, 0.5), { range: [0.01, 5] }, 'p=0.5 '),
    ...unaryCases((x) => G.pow(x, -1), (x) => R.pow(x, -1), { minAbs: 0.3 }, 'p=-1 '),
    ...unaryCases((x) => G.pow(x, 3), (x) => R.pow(x, 3), { range: [-3, -0.1] }, 'p=3, x<0 '),
    ...unaryCases((x) => G.pow(x, 2), (x) => R.pow(x, 2), { range: [-3, -0.1] }, 'p=2, x<0 '),
    ...unaryCases((x) => G.pow(x, -2), (x) => R.pow(x, -2), { range: [-3, -0.3] }, 'p=-2, x<0 ')],
  relu: unaryCases(G.relu, R.relu),
  leakyRelu: [...unaryCases((x) => G.leakyRelu(x), (x) => R.leakyRelu(x, 0.01), undefined, 'alpha 0.01 '),
    ...unaryCases((x) => G.leakyRelu(x, 0.2), (x) => R.leakyRelu(x, 0.2), undefined, 'alpha 0.2 ')],
  tanh: [...unaryCases(G.tanh, R.tanh), ...unaryCases(G.tanh, R.tanh, { range: [-30, 30] }, 'wide ')],
  sigmoid: [...unaryCases(G.sigmoid, R.sigmoid), ...unaryCases(G.sigmoid, R.sigmoid, { range: [-80, 80] }, 'wide ')],
  gelu: [...unaryCases(G.gelu, R.gelu), ...unaryCases(G.gelu, R.gelu, { range: [-8, 8] }, 'wide ')],
  reluGrad: gradKernelCases(G.relu, (v) => (v > 0 ? 1 : 0)),
  leakyReluGrad: gradKernelCases((x) => G.leakyRelu(x, 0.2), (v) => (v > 0 ? 1 : 0.2)),
  tanhGrad: gradKernelCases(G.tanh, (v) => 1 - Math.tanh(v) ** 2),
  sigmoidGrad: gradKernelCases(G.sigmoid, (v) => sigmoid(v) * (1 - sigmoid(v))),
  geluGrad: gradKernelCases(G.gelu, geluDerivative),
  equal: [
    ...[[7], [33, 129]].map((shape): OpCase => {
      const a = rand(shape, rng);
      const b = map(a, (v) => (rng() < 0.5 ? v : v + 1));
      return { label: fmt(shape), inputs: [a, b], gpu: G.equal, ref: (x, y) => map2(x, y, (u, v) => +(u === v)), tol: EXACT };
    }),
    { label: '[2,3] with [2,1] (broadcast)', inputs: [nd([1, 2, 3, 4, 5, 6], [2, 3]), nd([2, 4], [2, 1])], gpu: G.equal,
      ref: () => nd([0, 1, 0, 1, 0, 0], [2, 3]), tol: EXACT },
  ],
  matmul: matmulCases(),
  sum: [...reduceCases(G.sum, R.sum),
    { label: '[33,129] axis 0', inputs: [rand([33, 129], rng)], gpu: (x) => G.sum(x, 0), ref: (x) => R.sum(x, 0), tol: tol(33) },
    { label: '[3,5000] axis 1', inputs: [rand([3, 5000], rng)], gpu: (x) => G.sum(x, 1), ref: (x) => R.sum(x, 1), tol: tol(5000, 2) },
    { label: '[3,5000] integers axis 1 (exact)', inputs: [integers([3, 5000])], gpu: (x) => G.sum(x, 1), ref: (x) => R.sum(x, 1), tol: EXACT },
    { label: '[100000] all', inputs: [rand([100000], rng)], gpu: (x) => G.sum(x), ref: (x) => R.sum(x), tol: tol(100000, 4) },
    { label: '[100000] integers all (exact)', inputs: [integers([100000])], gpu: (x) => G.sum(x), ref: (x) => R.sum(x), tol: EXACT },
    { label: '[70000,2] axis 1 (70000 outputs, one invocation each)', inputs: [rand([70000, 2], rng)], gpu: (x) => G.sum(x, 1), ref: (x) => R.sum(x, 1), tol: tol(2) },
    // Axes up to 256 long fold serially, longer ones by a workgroup tree (reduce.wgsl).
    { label: '[256,3] axis 0 (serial)', inputs: [rand([256, 3], rng)], gpu: (x) => G.sum(x, 0), ref: (x) => R.sum(x, 0), tol: tol(256) },
    { label: '[257,3] axis 0 (tree)', inputs: [rand([257, 3], rng)], gpu: (x) => G.sum(x, 0), ref: (x) => R.sum(x, 0), tol: tol(257) },
    { label: '[0,3] axis 0 (empty axis sums to 0)', inputs: [zeros([0, 3])], gpu: (x) => G.sum(x, 0), ref: (x) => R.sum(x, 0), tol: EXACT }],
  max: [...reduceCases(G.max, R.max),
    ...reduceCases(G.max, R.max, { range: [-1e6, -1e3] }).filter((_, i) => i % 2 === 0).map((c) => ({ ...c, label: `${c.label} all negative` })),
    { label: '[3,5000] axis 1', inputs: [rand([3, 5000], rng)], gpu: (x) => G.max(x, 1), ref: (x) => R.max(x, 1), tol: EXACT }],
  reshape: [
    { label: '[33,129] to [-1,3]', inputs: [rand([33, 129], rng)], gpu: (x) => G.reshape(x, [-1, 3]), ref: (x) => R.reshape(x, [-1, 3]), tol: EXACT },
    { label: '[2,3,4] to [4,-1]', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.reshape(x, [4, -1]), ref: (x) => R.reshape(x, [4, -1]), tol: EXACT },
    { label: '[7] to [7,1]', inputs: [rand([7], rng)], gpu: (x) => G.reshape(x, [7, 1]), ref: (x) => R.reshape(x, [7, 1]), tol: EXACT },
    { label: '[1,1] to []', inputs: [rand([1, 1], rng)], gpu: (x) => G.reshape(x, []), ref: (x) => R.reshape(x, []), tol: EXACT },
  ],
  transpose: [
    ...[[1, 1], [33, 129], [3, 4, 5], [7]].map((shape): OpCase => ({
      label: `${fmt(shape)} default`, inputs: [rand(shape, rng)], gpu: (x) => G.transpose(x), ref: (x) => R.transpose(x), tol: EXACT,
    })),
    ...[[2, 0, 1], [1, -1, 0]].map((axes): OpCase => ({
      label: `[3,4,5] axes ${fmt(axes)}`, inputs: [rand([3, 4, 5], rng)], gpu: (x) => G.transpose(x, axes), ref: (x) => R.transpose(x, axes), tol: EXACT,
    })),
  ],
  broadcastTo: ([[[3, 1], [3, 4]], [[5], [2, 5]], [[], [2, 3]], [[2, 1, 4], [2, 3, 4]], [[65], [65]]] as [number[], number[]][]).map(([from, to]): OpCase => ({
    label: `${fmt(from)} to ${fmt(to)}`, inputs: [rand(from, rng)], gpu: (x) => G.broadcastTo(x, to), ref: (x) => R.add(x, zeros(to)), tol: EXACT,
  })),
  softmax: softmaxCases(G.softmax, R.softmax, manyRows()),
  logSoftmax: softmaxCases(G.logSoftmax, R.logSoftmax),
} satisfies Record<OpName, OpCase[]>;

const oneHotRows = (labels: number[], classes: number): Nd =>
  nd(labels.flatMap((c) => Array.from({ length: classes }, (_, j) => +(j === c))), [labels.length, classes]);
const probabilities = (rows: number, classes: number): Nd => f32(R.softmax(rand([rows, classes], rng)));
const labels5 = [0, 3, 9, 9, 4];
const labels3 = [999, 0, 512];

/** Compositions of table ops: checked too, though they are not table entries. */
const compositions: Record<'mean' | 'mseLoss' | 'softmaxCrossEntropy', OpCase[]> = {
  mean: [...reduceCases(G.mean, R.mean),
    { label: '[3,5000] axis 1', inputs: [rand([3, 5000], rng)], gpu: (x) => G.mean(x, 1), ref: (x) => R.mean(x, 1), tol: tol(5000, 2) }],
  mseLoss: [[7], [33, 129], [1, 1]].map((shape): OpCase => ({
    label: fmt(shape), inputs: [rand(shape, rng), rand(shape, rng)], gpu: G.mseLoss, ref: R.mseLoss, tol: tol(shape[0] * (shape[1] ?? 1)),
  })),
  softmaxCrossEntropy: [
    { label: '[5,10] class indices', inputs: [rand([5, 10], rng)], gpu: (x) => G.softmaxCrossEntropy(x, labels5),
      ref: (x) => R.softmaxCrossEntropy(x, labels5), tol: tol(10) },
    { label: '[3,1000] class indices', inputs: [rand([3, 1000], rng)], gpu: (x) => G.softmaxCrossEntropy(x, labels3),
      ref: (x) => R.softmaxCrossEntropy(x, labels3), tol: tol(3000) },
    { label: '[5,10] one-hot tensor', inputs: [rand([5, 10], rng), oneHotRows(labels5, 10)], gpu: G.softmaxCrossEntropy,
      ref: R.softmaxCrossEntropy, tol: tol(50), grad: [true, false] },
    { label: '[4,6] probability tensor', inputs: [rand([4, 6], rng), probabilities(4, 6)], gpu: G.softmaxCrossEntropy,
      ref: R.softmaxCrossEntropy, tol: tol(24), grad: [true, false] },
    { label: '[4,10] logits around 80', inputs: [f32(map(rand([4, 10], rng), (v) => 80 + 3 * v))], gpu: (x) => G.softmaxCrossEntropy(x, [1, 2, 3, 4]),
      ref: (x) => R.softmaxCrossEntropy(x, [1, 2, 3, 4]), tol: tol(40) },
  ],
};

async function runCase(name: string, c: OpCase, checkNode: boolean): Promise<void> {
  const ts = c.inputs.map((x, i) => toTensor(x, c.grad?.[i] ?? checkNode));
  const out = tidy(() => c.gpu(...ts));
  try {
    if (checkNode && !c.grad) expect(out.node?.op, 'the output was made by the op under test').toBe(name);
    await expectTensor(out, c.ref(...c.inputs), c.tol, `${name} ${c.label}`);
  } finally {
    out.dispose();
    ts.forEach((t) => t.dispose());
  }
}

describe('forward of every table op against the float64 reference', () => {
  it('every op in opTable has a non-empty spec, and nothing else does', () => {
    expect(Object.keys(specs).sort()).toEqual(Object.keys(opTable).sort());
    for (const [name, cases] of Object.entries(specs)) expect(cases.length, name).toBeGreaterThan(0);
  });
  for (const [name, cases] of Object.entries(specs) as [OpName, OpCase[]][]) {
    describe(name, () => {
      for (const c of cases) it(c.label, () => runCase(name, c, opTable[name].vjp !== null));
    });
  }
});

describe('compositions', () => {
  for (const [name, cases] of Object.entries(compositions)) {
    describe(name, () => {
      for (const c of cases) it(c.label, () => runCase(name, c, false));
    });
  }
});
