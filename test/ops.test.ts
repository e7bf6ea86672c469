// Forward pass of every op in `opTable` on the GPU against the float64 reference
// (test/reference/) or, for the fused backward kernels, against the analytic derivative in
// float64. An elementwise op needs no spec here: its cases are drawn from its reference (by
// name, in test/reference/) and its input domain. Every other op has its cases in `specs`,
// and a test fails for any table op without cases. Primitive ops run with requiresGrad
// inputs, and each case checks that its output was made by the op it tests (so e.g.
// `sub(3, x)` really exercises rsubScalar); ops without a gradient must give a constant.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { opTable, ready, tidy, type Tensor } from '../src/index.ts';
import * as R0 from './reference/ops.ts';
import * as M from './reference/more-ops.ts';
import { makeRng, nd, uniform, zeros, type Nd } from './reference/ndarray.ts';
import { tol, type Tol } from './reference/check.ts';
import { expectTensor, f32, fmt, mapNd as map, rand, refMatmul, scalarNd as s, toTensor, type Draw, type OpCase } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const R = { ...R0, ...M };
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

function matmulBroadcastCases(): OpCase[] {
  const shapes: [number[], number[]][] = [[[1, 3, 5], [4, 5, 2]], [[2, 3, 4, 5], [5, 6]], [[2, 1, 3, 4], [3, 4, 2]], [[5, 4], [2, 3, 4, 3]]];
  return shapes.map(([sa, sb]) => ({
    label: `${fmt(sa)} x ${fmt(sb)} (batch broadcasting)`, inputs: [rand(sa, rng), rand(sb, rng)], tol: tol(sa[sa.length - 1]), grad: [true, true], // ends in a reshape
    gpu: (a: Tensor, b: Tensor) => G.matmul(a, b), ref: R.matmulBroadcast,
  }));
}

function matmulCases(): OpCase[] {
  const shapes: [number[], number[]][] = [[[1, 1], [1, 1]], [[33, 65], [65, 17]], [[64, 64], [64, 64]], [[4, 8], [8, 12]],
    [[2, 3, 5], [2, 5, 7]], [[3, 4, 8], [8, 4]], [[4, 8], [2, 8, 12]], [[2, 5, 8], [2, 8, 12]], [[33, 64], [64, 20]],
    [[12, 8], [8, 20]], [[70, 36], [36, 68]]]; // wide's and tiled's edges
  return shapes.flatMap(([sa, sb]) => {
    const k = sa[sa.length - 1];
    const n = sb[sb.length - 1];
    const variants: G.MatmulVariant[] = ['auto', 'naive', 'block', 'tiled', ...(k % 4 === 0 && n % 4 === 0 ? ['block_vec4', 'wide', 'quad'] as const : [])];
    const inputs = [rand(sa, rng), rand(sb, rng)];
    return variants.map((variant) => ({
      label: `${fmt(sa)} x ${fmt(sb)} ${variant}`, inputs, tol: tol(k),
      gpu: (a: Tensor, b: Tensor) => G.matmul(a, b, variant), ref: refMatmul,
    }));
  });
}

/** Whether linear's output comes from a reshape (x not 2-D) or an activation run after the product. */
const endsInAnotherOp = (sx: number[], activation: string, alpha: number) => sx.length !== 2 || activation === 'gelu' || alpha < 0;

// Every activation (gelu and a negative slope run unfused after the product), no bias, rank 3,
// sizes the vec4 kernels cannot take, and each kernel family on one shape.
function linearCases(): OpCase[] {
  const acts: [G.LinearActivation, number][] = [['linear', 0.01], ['relu', 0.01], ['leakyRelu', 0.2], ['leakyRelu', -0.5], ['tanh', 0.01], ['sigmoid', 0.01], ['gelu', 0.01]];
  const shapes: [number[], number[]][] = [[[6, 8], [8, 12]], [[2, 3, 5], [5, 7]], [[70, 36], [36, 68]]];
  const cases: OpCase[] = shapes.flatMap(([sx, sw]) => acts.map(([activation, alpha]): OpCase => ({
    label: `${fmt(sx)} x ${fmt(sw)} + b, ${activation} ${alpha}`, inputs: [rand(sx, rng), rand(sw, rng), rand([sw[1]], rng)], tol: tol(sw[0]),
    ...(endsInAnotherOp(sx, activation, alpha) && { grad: [true, true, true] }),
    gpu: (x, w, b) => G.linear(x, w, b, { activation, alpha }), ref: (x, w, b) => M.linearLayer(x, w, b, activation, alpha),
  })));
  cases.push({ label: '[5] x [5,4] without bias, tanh', inputs: [rand([5], rng), rand([5, 4], rng)], tol: tol(5), grad: [true, true],
    gpu: (x, w) => G.linear(x, w, null, { activation: 'tanh' }), ref: (x, w) => M.linearLayer(x, w, null, 'tanh') });
  for (const variant of ['naive', 'block', 'block_vec4', 'wide', 'quad', 'tiled'] as const) {
    cases.push({ label: `[70,36] x [36,68] + b, relu, ${variant}`, inputs: [rand([70, 36], rng), rand([36, 68], rng), rand([68], rng)], tol: tol(36),
      gpu: (x, w, b) => G.linear(x, w, b, { activation: 'relu', variant }), ref: (x, w, b) => M.linearLayer(x, w, b, 'relu') });
  }
  return cases;
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

type ArgReduction = (x: Tensor, axis?: number, keepDims?: boolean) => Tensor;
function argCases(gpu: ArgReduction, ref: typeof R.argmax): OpCase[] {
  const x = rand([3, 4, 5], rng);
  return [undefined, 0, 2, -2].flatMap((axis) => [false, true].map((keepDims) => ({
    label: `[3,4,5] axis ${axis ?? 'all'} keepDims ${keepDims}`, inputs: [x], tol: EXACT,
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
  addScalar: [...scalarCase('x + 3', (x) => G.add(x, 3), (x) => R.add(x, s(3))),
    ...scalarCase('3 + x', (x) => G.add(3, x), (x) => R.add(s(3), x)),
    ...scalarCase('x - 2.5', (x) => G.sub(x, 2.5), (x) => R.sub(x, s(2.5)))],
  mulScalar: [...scalarCase('x * 3', (x) => G.mul(x, 3), (x) => R.mul(x, s(3))),
    ...scalarCase('-2.5 * x', (x) => G.mul(-2.5, x), (x) => R.mul(s(-2.5), x))],
  divScalar: scalarCase('x / 3', (x) => G.div(x, 3), (x) => R.div(x, s(3))),
  rsubScalar: scalarCase('3 - x', (x) => G.sub(3, x), (x) => R.sub(s(3), x)),
  rdivScalar: scalarCase('3 / x', (x) => G.div(3, x), (x) => R.div(s(3), x), { minAbs: 0.3 }),
  sign: [...unaryCases(G.sign, (x) => map(x, Math.sign)),
    { label: 'with zeros', inputs: [nd([0, -0, 1.5, -2, 0, 3e-30], [6])], gpu: G.sign, ref: (x) => map(x, (v) => Math.sign(v) || 0), tol: EXACT }],
  powScalar: [...unaryCases((x) => G.pow(x, 2), (x) => R.pow(x, 2), undefined, 'p=2 '),
    ...unaryCases((x) => G.pow(x, 3), (x) => R.pow(x, 3), undefined, 'p=3 '),
    ...unaryCases((x) => G.pow(x, 0.5), (x) => R.pow(x, 0.5), { range: [0.01, 5] }, 'p=0.5 '),
    ...unaryCases((x) => G.pow(x, -1), (x) => R.pow(x, -1), { minAbs: 0.3 }, 'p=-1 '),
    ...unaryCases((x) => G.pow(x, 3), (x) => R.pow(x, 3), { range: [-3, -0.1] }, 'p=3, x<0 '),
    ...unaryCases((x) => G.pow(x, 2), (x) => R.pow(x, 2), { range: [-3, -0.1] }, 'p=2, x<0 '),
    ...unaryCases((x) => G.pow(x, -2), (x) => R.pow(x, -2), { range: [-3, -0.3] }, 'p=-2, x<0 ')],
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
    { label: 'x = 3 (a number operand)', inputs: [nd([3, 1, 3, -3], [4])], gpu: (x) => G.equal(x, 3), ref: () => nd([1, 0, 1, 0], [4]), tol: EXACT },
    ...[[7], [33, 129]].map((shape): OpCase => {
      const a = rand(shape, rng);
      const b = map(a, (v) => (rng() < 0.5 ? v : v + 1));
      return { label: fmt(shape), inputs: [a, b], gpu: G.equal, ref: (x, y) => map2(x, y, (u, v) => +(u === v)), tol: EXACT };
    }),
    { label: '[2,3] with [2,1] (broadcast)', inputs: [nd([1, 2, 3, 4, 5, 6], [2, 3]), nd([2, 4], [2, 1])], gpu: G.equal,
      ref: () => nd([0, 1, 0, 1, 0, 0], [2, 3]), tol: EXACT },
  ],
  matmul: [...matmulCases(), ...matmulBroadcastCases()],
  linear: linearCases(),
  sum: [...reduceCases(G.sum, R.sum),
    { label: '[2,3,4] axes [2,0]', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.sum(x, [2, 0]), ref: (x) => R.sumAxes(x, [0, 2]), tol: tol(8) },
    { label: '[2,3,4] axes [] (nothing reduced)', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.sum(x, []), ref: (x) => x, tol: EXACT },
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
    { label: '[2,3,4] axes [0,2] keepDims', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.max(x, [0, 2], true), ref: (x) => R.maxAxes(x, [0, 2], true), tol: EXACT },
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
  pow: [
    { label: '5^2 and 3^3 are exact (repeated products, not exp2(p log2 x))', inputs: [nd([5, 3, -2, 0.5], [4])], gpu: (x) => G.pow(x, 2),
      ref: () => nd([25, 9, 4, 0.25], [4]), tol: EXACT },
    { label: 'x^-3 exact for powers of two', inputs: [nd([2, -4, 0.5], [3])], gpu: (x) => G.pow(x, -3), ref: () => nd([0.125, -1 / 64, 8], [3]), tol: EXACT },
    { label: 'tensor exponent [7] with [7]', inputs: [rand([7], rng, { range: [0.2, 3] }), rand([7], rng, { range: [-2, 2] })],
      gpu: (x, p) => G.pow(x, p), ref: R.powTensor, tol: T1 },
  ],
  powTensor: [
    { label: '[33,129] with [33,129], x > 0', inputs: [rand([33, 129], rng, { range: [0.2, 3] }), rand([33, 129], rng, { range: [-2, 2] })],
      gpu: (x, p) => G.pow(x, p), ref: R.powTensor, tol: tol(1, 4) },
    { label: 'x < 0 with integer exponents (broadcast [3,1] with [4])', inputs: [nd([-2, -1.5, -3], [3, 1]), nd([0, 1, 2, 3], [4])],
      gpu: (x, p) => G.pow(x, p), ref: R.powTensor, tol: EXACT },
  ],
  clampMin: unaryCases((x) => G.clamp(x, -0.5), (x) => R.clamp(x, -0.5, null), undefined, 'min -0.5 '),
  clampMax: unaryCases((x) => G.clamp(x, null, 0.7), (x) => R.clamp(x, null, 0.7), undefined, 'max 0.7 '),
  clamp: unaryCases((x) => G.clamp(x, -0.5, 0.7), (x) => R.clamp(x, -0.5, 0.7), undefined, '[-0.5, 0.7] '),
  where: [
    ...[[[7], [7], [7]], [[3, 1], [1, 4], [3, 4]], [[2, 3, 4], [4], []], [[8], [2, 8], [8]]].map(([sc, sa, sb]): OpCase => ({
      label: `cond ${fmt(sc)}, a ${fmt(sa)}, b ${fmt(sb)}`, inputs: [map(rand(sc, rng), (v) => +(v > 0)), rand(sa, rng), rand(sb, rng)],
      gpu: G.where, ref: R.where, tol: EXACT, grad: [false, true, true],
    })),
    { label: 'the branch not taken may be inf or NaN', inputs: [nd([1, 0, 1, 0], [4]), nd([1, Infinity, 2, NaN], [4]), nd([NaN, 5, Infinity, 6], [4])],
      gpu: G.where, ref: () => nd([1, 5, 2, 6], [4]), tol: EXACT, grad: [false, false, false] },
    { label: 'numbers for a and b', inputs: [nd([1, 0, 2, 0], [4])], gpu: (c) => G.where(c, 7, -1), ref: () => nd([7, -1, 7, -1], [4]), tol: EXACT, grad: [false] },
  ],
  maximum: [...binaryCases(G.maximum, R.maximum),
    { label: 'a number operand, ties and NaN', inputs: [nd([1, 2, NaN, -3], [4])], gpu: (x) => G.maximum(x, 2), ref: (x) => R.maximum(x, s(2)), tol: EXACT, grad: [false] }],
  minimum: [...binaryCases(G.minimum, R.minimum),
    { label: 'a number operand, ties and NaN', inputs: [nd([1, 2, NaN, -3], [4])], gpu: (x) => G.minimum(2, x), ref: (x) => R.minimum(s(2), x), tol: EXACT, grad: [false] }],
  min: [...reduceCases(G.min, R.minAxes),
    { label: '[3,5000] axis 1 (tree)', inputs: [rand([3, 5000], rng)], gpu: (x) => G.min(x, 1), ref: (x) => R.minAxes(x, 1), tol: EXACT },
    { label: '[2,3,4] axes [0,2]', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.min(x, [0, 2]), ref: (x) => R.minAxes(x, [0, 2]), tol: EXACT }],
  argmax: [...argCases(G.argmax, R.argmax),
    { label: 'ties: the first maximum', inputs: [nd([1, 5, 5, 2, 5], [5])], gpu: (x) => G.argmax(x), ref: () => nd([1], []), tol: EXACT }],
  argmin: [...argCases(G.argmin, R.argmin),
    { label: 'ties: the first minimum', inputs: [nd([3, 1, 2, 1], [4])], gpu: (x) => G.argmin(x, 0, true), ref: () => nd([1], [1]), tol: EXACT }],
  mean: [...reduceCases(G.mean, R.mean),
    { label: '[3,5000] axis 1', inputs: [rand([3, 5000], rng)], gpu: (x) => G.mean(x, 1), ref: (x) => R.mean(x, 1), tol: tol(5000, 2) },
    { label: '[2,3,4] axes [-1,0] keepDims', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.mean(x, [-1, 0], true), ref: (x) => R.meanAxes(x, [2, 0], true), tol: tol(8) }],
  variance: [
    { label: '[3,4,5] all, correction 1', inputs: [rand([3, 4, 5], rng)], gpu: (x) => G.variance(x), ref: (x) => R.variance(x), tol: tol(60) },
    { label: '[3,4,5] axis 1, correction 0, keepDims', inputs: [rand([3, 4, 5], rng)], gpu: (x) => G.variance(x, 1, { correction: 0, keepDims: true }),
      ref: (x) => R.variance(x, 1, 0, true), tol: tol(4) },
    { label: '[3,4,5] axes [0,2] (method x.var)', inputs: [rand([3, 4, 5], rng)], gpu: (x) => x.var([0, 2]), ref: (x) => R.variance(x, [0, 2]), tol: tol(15) },
  ],
  std: [
    { label: '[33,129] axis 0', inputs: [rand([33, 129], rng)], gpu: (x) => G.std(x, 0), ref: (x) => R.std(x, 0), tol: tol(33) },
    { label: '[7] all, correction 0', inputs: [rand([7], rng)], gpu: (x) => G.std(x, undefined, { correction: 0 }), ref: (x) => R.std(x, undefined, 0), tol: tol(7) },
  ],
  logSumExp: [
    { label: '[4,10] axis -1', inputs: [rand([4, 10], rng)], gpu: (x) => G.logSumExp(x, -1), ref: (x) => R.logSumExp(x, -1), tol: tol(10) },
    { label: '[2,3,4] all', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.logSumExp(x), ref: (x) => R.logSumExp(x), tol: tol(24) },
    { label: '[2,5] around 90 (exp would overflow), keepDims', inputs: [f32(map(rand([2, 5], rng), (v) => 90 + v))], gpu: (x) => G.logSumExp(x, 1, true),
      ref: (x) => R.logSumExp(x, 1, true), tol: tol(5, 100) },
  ],
  view: [{ label: '[3,4] to [2,-1]', inputs: [rand([3, 4], rng)], gpu: (x) => G.view(x, [2, -1]), ref: (x) => R.reshape(x, [2, 6]), tol: EXACT }],
  squeeze: [
    { label: '[1,3,1,2] all', inputs: [rand([1, 3, 1, 2], rng)], gpu: (x) => G.squeeze(x), ref: (x) => R.reshape(x, [3, 2]), tol: EXACT },
    { label: '[1,3,1,2] axis -2', inputs: [rand([1, 3, 1, 2], rng)], gpu: (x) => x.squeeze(-2), ref: (x) => R.reshape(x, [1, 3, 2]), tol: EXACT },
  ],
  unsqueeze: [
    { label: '[3,2] axis 1', inputs: [rand([3, 2], rng)], gpu: (x) => G.unsqueeze(x, 1), ref: (x) => R.reshape(x, [3, 1, 2]), tol: EXACT },
    { label: '[3,2] axis -1', inputs: [rand([3, 2], rng)], gpu: (x) => x.unsqueeze(-1), ref: (x) => R.reshape(x, [3, 2, 1]), tol: EXACT },
  ],
  flatten: [
    { label: '[2,3,4] all', inputs: [rand([2, 3, 4], rng)], gpu: (x) => G.flatten(x), ref: (x) => R.reshape(x, [24]), tol: EXACT },
    { label: '[2,3,4,5] axes 1..2', inputs: [rand([2, 3, 4, 5], rng)], gpu: (x) => G.flatten(x, 1, 2), ref: (x) => R.reshape(x, [2, 12, 5]), tol: EXACT },
  ],
  expand: [{ label: '[3,1] to [-1,4]', inputs: [rand([3, 1], rng)], gpu: (x) => G.expand(x, [-1, 4]), ref: (x) => R.add(x, zeros([3, 4])), tol: EXACT },
    { label: '[4] to [2,3,4]', inputs: [rand([4], rng)], gpu: (x) => x.expand([2, 3, -1]), ref: (x) => R.add(x, zeros([2, 3, 4])), tol: EXACT }],
  slice: [
    { label: '[5,7] rows 1..4, cols 2..', inputs: [rand([5, 7], rng)], gpu: (x) => G.slice(x, [1, 2], [4]), ref: (x) => R.slice(x, [1, 2], [4]), tol: EXACT },
    { label: '[33,129] negative indices', inputs: [rand([33, 129], rng)], gpu: (x) => G.slice(x, [-10, 3], [-1, -3]), ref: (x) => R.slice(x, [-10, 3], [-1, -3]), tol: EXACT },
    { label: '[4,8] rows 1..3 (contiguous, vec4)', inputs: [rand([4, 8], rng)], gpu: (x) => G.slice(x, [1], [3]), ref: (x) => R.slice(x, [1], [3]), tol: EXACT },
    { label: '[2,3,4] middle axis, null start', inputs: [rand([2, 3, 4], rng)], gpu: (x) => x.slice([null, 1], [null, 2]), ref: (x) => R.slice(x, [0, 1], [2, 2]), tol: EXACT },
  ],
  slicePad: [
    { label: 'the gradient of slice: dy placed back, zeros elsewhere', inputs: [rand([5, 7], rng), rand([2, 3], rng)], grad: [true, false],
      gpu: (x, dy) => { G.slice(x, [1, 2], [3, 5]).backward(dy); return x.grad!; },
      ref: (x, dy) => { const out = zeros([5, 7]); for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) out.data[(i + 1) * 7 + j + 2] = dy.data[i * 3 + j]; return out; },
      tol: EXACT },
  ],
  concat: [
    { label: '[2,3] [4,3] [1,3] axis 0', inputs: [rand([2, 3], rng), rand([4, 3], rng), rand([1, 3], rng)], gpu: (a, b, c) => G.concat([a, b, c], 0),
      ref: (a, b, c) => R.concat([a, b, c], 0), tol: EXACT },
    { label: '[2,3,4] [2,5,4] axis 1', inputs: [rand([2, 3, 4], rng), rand([2, 5, 4], rng)], gpu: (a, b) => G.concat([a, b], 1), ref: (a, b) => R.concat([a, b], 1), tol: EXACT },
    { label: '[3,2] [3,7] axis -1', inputs: [rand([3, 2], rng), rand([3, 7], rng)], gpu: (a, b) => G.concat([a, b], -1), ref: (a, b) => R.concat([a, b], -1), tol: EXACT },
  ],
  stack: [
    { label: 'three [2,3] axis 0', inputs: [rand([2, 3], rng), rand([2, 3], rng), rand([2, 3], rng)], gpu: (a, b, c) => G.stack([a, b, c]),
      ref: (a, b, c) => R.stack([a, b, c], 0), tol: EXACT },
    { label: 'two [2,3] axis -1', inputs: [rand([2, 3], rng), rand([2, 3], rng)], gpu: (a, b) => G.stack([a, b], -1), ref: (a, b) => R.stack([a, b], -1), tol: EXACT },
  ],
  split: [
    { label: '[7,2] in pieces of 3: the last', inputs: [rand([7, 2], rng)], gpu: (x) => G.split(x, 3)[2], ref: (x) => R.slice(x, [6]), tol: EXACT },
    { label: '[2,9] sizes [2,4,3] axis 1: the middle', inputs: [rand([2, 9], rng)], gpu: (x) => x.split([2, 4, 3], 1)[1], ref: (x) => R.slice(x, [0, 2], [2, 6]), tol: EXACT },
  ],
  indexSelect: [
    { label: '[5,3] rows [4,0,4,2]', inputs: [rand([5, 3], rng)], gpu: (x) => G.indexSelect(x, [4, 0, 4, 2]), ref: (x) => R.indexSelect(x, [4, 0, 4, 2], 0), tol: EXACT },
    { label: '[2,6,3] axis 1, index tensor', inputs: [rand([2, 6, 3], rng), nd([5, 1, 1], [3])], grad: [true, false], gpu: (x, i) => G.indexSelect(x, i, 1),
      ref: (x) => R.indexSelect(x, [5, 1, 1], 1), tol: EXACT },
    { label: 'a bad index in a tensor gives NaN there', inputs: [rand([3, 2], rng), nd([1, 7, -1, 0.5], [4])], grad: [false, false], gpu: (x, i) => G.indexSelect(x, i),
      ref: (x) => nd([x.data[2], x.data[3], NaN, NaN, NaN, NaN, NaN, NaN], [4, 2]), tol: EXACT },
  ],
  indexAdd: [
    { label: 'the gradient of indexSelect sums repeated rows', inputs: [rand([5, 3], rng), rand([4, 3], rng)], grad: [true, false],
      gpu: (x, dy) => { G.indexSelect(x, [4, 0, 4, 2]).backward(dy); return x.grad!; },
      ref: (x, dy) => { const out = zeros([5, 3]); [4, 0, 4, 2].forEach((r, k) => { for (let j = 0; j < 3; j++) out.data[r * 3 + j] += dy.data[k * 3 + j]; }); return out; },
      tol: tol(2) },
  ],
  gather: [
    { label: '[3,4] axis 1', inputs: [rand([3, 4], rng), nd([3, 0, 1, 1, 2, 2, 0, 3, 3], [3, 3])], grad: [true, false], gpu: (x, i) => G.gather(x, i, 1),
      ref: (x, i) => R.gather(x, i, 1), tol: EXACT },
    { label: '[4,2] axis 0', inputs: [rand([4, 2], rng), nd([0, 3, 2, 2], [2, 2])], grad: [true, false], gpu: (x, i) => x.gather(i, 0),
      ref: (x, i) => R.gather(x, i, 0), tol: EXACT },
  ],
  gatherAdd: [
    { label: 'the gradient of gather sums repeated picks', inputs: [rand([2, 4], rng), rand([2, 3], rng)], grad: [true, false],
      gpu: (x, dy) => { G.gather(x, G.tensor([[1, 1, 3], [0, 2, 0]]), 1).backward(dy); return x.grad!; },
      ref: (_, dy) => nd([0, dy.data[0] + dy.data[1], 0, dy.data[2], dy.data[3] + dy.data[5], 0, dy.data[4], 0], [2, 4]), tol: tol(2) },
  ],
  oneHot: [
    { label: 'array [2,0,3] of 4 classes', inputs: [], gpu: () => G.oneHot([2, 0, 3], 4), ref: () => R.oneHot([2, 0, 3], 4), tol: EXACT },
    { label: 'tensor [1,1] of 3 classes', inputs: [nd([1, 1], [2])], grad: [false], gpu: (i) => G.oneHot(i, 3), ref: () => R.oneHot([1, 1], 3), tol: EXACT },
  ],
} satisfies Record<string, OpCase[]>;

const oneHotRows = (labels: number[], classes: number): Nd =>
  nd(labels.flatMap((c) => Array.from({ length: classes }, (_, j) => +(j === c))), [labels.length, classes]);
const probabilities = (rows: number, classes: number): Nd => f32(R.softmax(rand([rows, classes], rng)));
const labels5 = [0, 3, 9, 9, 4];
const labels3 = [999, 0, 512];

/** The losses: composites, checked against float64 references of their definitions. */
const lossSpecs: Record<string, OpCase[]> = {
  mseLoss: [[7], [33, 129], [1, 1]].map((shape): OpCase => ({
    label: fmt(shape), inputs: [rand(shape, rng), rand(shape, rng)], gpu: (a, b) => G.mseLoss(a, b), ref: (a, b) => R.mseLoss(a, b), tol: tol(shape[0] * (shape[1] ?? 1)),
  })).concat([{ label: "[3,4] reduction 'none'", inputs: [rand([3, 4], rng), rand([3, 4], rng)], gpu: (a, b) => G.mseLoss(a, b, { reduction: 'none' }),
    ref: (a, b) => M.mseLoss(a, b, 'none'), tol: T1 }]),
  l1Loss: [
    { label: '[33,7] mean', inputs: [rand([33, 7], rng), rand([33, 7], rng)], gpu: (a, b) => G.l1Loss(a, b), ref: (a, b) => R.l1Loss(a, b), tol: tol(231) },
    { label: "[5] sum", inputs: [rand([5], rng), rand([5], rng)], gpu: (a, b) => G.l1Loss(a, b, { reduction: 'sum' }), ref: (a, b) => R.l1Loss(a, b, 'sum'), tol: tol(5) },
  ],
  huberLoss: [
    { label: '[40] delta 1, both sides of it', inputs: [rand([40], rng, { range: [-3, 3] }), rand([40], rng)], gpu: (a, b) => G.huberLoss(a, b),
      ref: (a, b) => R.huberLoss(a, b), tol: tol(40) },
    { label: "[3,5] delta 0.5, 'none'", inputs: [rand([3, 5], rng), rand([3, 5], rng)], gpu: (a, b) => G.huberLoss(a, b, { delta: 0.5, reduction: 'none' }),
      ref: (a, b) => R.huberLoss(a, b, 0.5, 'none'), tol: T1 },
  ],
  binaryCrossEntropyWithLogits: [
    { label: '[6,5] targets in [0,1]', inputs: [rand([6, 5], rng, { range: [-6, 6] }), rand([6, 5], rng, { range: [0, 1] })],
      gpu: (x, t) => G.binaryCrossEntropyWithLogits(x, t), ref: (x, t) => R.binaryCrossEntropyWithLogits(x, t), tol: tol(30) },
    { label: "logits ±60 (no overflow), 'none'", inputs: [nd([60, -60, 0.5, -0.5], [4]), nd([0, 1, 1, 0], [4])],
      gpu: (x, t) => G.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' }), ref: (x, t) => R.binaryCrossEntropyWithLogits(x, t, 'none'), tol: tol(1, 60) },
  ],
  softmaxCrossEntropy: [
    { label: '[5,10] class indices', inputs: [rand([5, 10], rng)], gpu: (x) => G.softmaxCrossEntropy(x, labels5),
      ref: (x) => R.softmaxCrossEntropy(x, labels5), tol: tol(10) },
    { label: '[3,1000] class indices', inputs: [rand([3, 1000], rng)], gpu: (x) => G.softmaxCrossEntropy(x, labels3),
      ref: (x) => R.softmaxCrossEntropy(x, labels3), tol: tol(3000) },
    { label: '[5,10] class-index tensor', inputs: [rand([5, 10], rng), nd(labels5, [5])], gpu: (x, l) => G.softmaxCrossEntropy(x, l),
      ref: (x) => R.softmaxCrossEntropy(x, labels5), tol: tol(50), grad: [true, false] },
    { label: "[5,10] class indices, 'none' and 'sum'", inputs: [rand([5, 10], rng)], gpu: (x) => G.mul(G.softmaxCrossEntropy(x, labels5, { reduction: 'none' }), 1),
      ref: (x) => M.crossEntropyIndices(x, labels5, 'none'), tol: tol(10) },
    { label: '[5,10] one-hot tensor', inputs: [rand([5, 10], rng), oneHotRows(labels5, 10)], gpu: (x, l) => G.softmaxCrossEntropy(x, l),
      ref: R.softmaxCrossEntropy, tol: tol(50), grad: [true, false] },
    { label: '[4,6] probability tensor', inputs: [rand([4, 6], rng), probabilities(4, 6)], gpu: (x, l) => G.softmaxCrossEntropy(x, l),
      ref: R.softmaxCrossEntropy, tol: tol(24), grad: [true, false] },
    { label: '[4,10] logits around 80', inputs: [f32(map(rand([4, 10], rng), (v) => 80 + 3 * v))], gpu: (x) => G.softmaxCrossEntropy(x, [1, 2, 3, 4]),
      ref: (x) => R.softmaxCrossEntropy(x, [1, 2, 3, 4]), tol: tol(40) },
  ],
};

/** Cases for an elementwise op drawn from its reference and its domain (test/reference/more-ops.ts). */
function defaultCases(name: string): OpCase[] {
  const op = (G as unknown as Record<string, (...xs: Tensor[]) => Tensor>)[name];
  const ref = (R as unknown as Record<string, ((...xs: Nd[]) => Nd) | undefined>)[name];
  const family = opTable[name].meta.family;
  if (!op || !ref || !family) return [];
  const draws = M.domains[name] ?? [];
  return family === 'unary' ? unaryCases(op, ref, draws[0]) : binaryCases(op, ref, draws[1]).map((c) => ({ ...c, inputs: [rand(c.inputs[0].shape, rng, draws[0]), c.inputs[1]] }));
}

const allSpecs: Record<string, OpCase[]> = { ...lossSpecs };
for (const name of Object.keys(opTable)) allSpecs[name] = (specs as Record<string, OpCase[]>)[name] ?? lossSpecs[name] ?? defaultCases(name);

/** 'node': a primitive with a VJP (its output records it); 'constant': no gradient; 'none': not checked. */
function recording(name: string): 'node' | 'constant' | 'none' {
  const vjp = opTable[name].def?.vjp;
  return typeof vjp === 'function' ? 'node' : vjp === 'none' ? 'constant' : 'none';
}

async function runCase(name: string, c: OpCase): Promise<void> {
  const kind = recording(name);
  const ts = c.inputs.map((x, i) => toTensor(x, c.grad?.[i] ?? kind !== 'none'));
  const out = tidy(() => c.gpu(...ts));
  try {
    if (kind === 'node' && !c.grad) expect(out.node?.op, 'the output was made by the op under test').toBe(name);
    if (kind === 'constant' && !c.grad) expect(out.requiresGrad, 'an op without a gradient gives a constant').toBe(false);
    await expectTensor(out, c.ref(...c.inputs), c.tol, `${name} ${c.label}`);
  } finally {
    out.dispose();
    ts.forEach((t) => t.dispose());
  }
}

describe('forward of every table op against the float64 reference', () => {
  it('every op in opTable has cases (its own, or drawn from its reference), and nothing else does', () => {
    for (const name of Object.keys(opTable)) expect(allSpecs[name]?.length ?? 0, `cases for ${name}`).toBeGreaterThan(0);
    expect(Object.keys(specs).filter((name) => !(name in opTable))).toEqual([]);
  });
  for (const [name, cases] of Object.entries(allSpecs)) {
    describe(name, () => {
      for (const c of cases) it(c.label, () => runCase(name, c));
    });
  }
});
