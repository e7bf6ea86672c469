// The special-values table: what every op returns, and what its gradient is, at -Inf, -1e30,
// -2, -0, +0, a subnormal, 88.8 (where float32 exp overflows), 1e30, +Inf and NaN. The one
// source of test/special-values.test.ts, which runs every row on the adapter in Node and in
// headless Chromium, and of docs/special-values.md, which doc.ts renders from it
// (`npm run docs:special`; the test checks that the file is in sync).
//
// The expected values are written here from IEEE 754 and PyTorch semantics, in float64
// JavaScript on the float32-rounded inputs (Math.log(-2) is NaN, Math.sqrt(-0) is -0,
// Math.max(NaN, 1) is NaN, (-0) ** -1 is -Infinity as C's pow), then rounded to float32. They
// never call the library. Where gpugrad and PyTorch differ, the row says so and why.
//
// WGSL allows an adapter to flush subnormals to zero (SwiftShader does), in inputs and in
// results, so the checker also accepts: at the subnormal input, the +0 column's result; for
// an expected result that is itself subnormal, ±0.

import type * as Gpugrad from '../../src/index.ts';

type G = typeof Gpugrad;
type T = Gpugrad.Tensor;

/** The inputs, as float32 (1e-40 is a float32 subnormal; 88.8 is past exp's overflow at 88.72). */
export const INPUTS: readonly number[] = [-Infinity, -1e30, -2, -0, 0, 1e-40, 88.8, 1e30, Infinity, NaN].map(Math.fround);
export const INPUT_LABELS = ['-Inf', '-1e30', '-2', '-0', '+0', '1e-40', '88.8', '1e30', '+Inf', 'NaN'] as const;
export type InputLabel = (typeof INPUT_LABELS)[number];
/** The subnormal input, and the column whose result an adapter that flushes it returns instead. */
export const SUBNORMAL = INPUT_LABELS.indexOf('1e-40');
export const FLUSHED_TO = INPUT_LABELS.indexOf('+0');

/**
 * How a row feeds its op:
 *  - elementwise: x is the 10 inputs; the output has x's shape.
 *  - row: each input x sits at the front of a row [x, ...others], reduced (or softmaxed)
 *    along it; `pad` fills longer rows without changing the result (0 for sum, -Inf for max
 *    and softmax); `col` picks the output column of a softmax.
 *  - single: one call per input, on a [1, 2] tensor [[x, ...others]] (for ops that average
 *    over rows, where one NaN row would hide the others).
 */
export type Layout =
  | { kind: 'elementwise' }
  | { kind: 'row'; others: number[]; pad: number; col?: number; axis0?: boolean }
  | { kind: 'single'; others: number[] };

export interface Deviation {
  /** The input column. */
  at: InputLabel;
  /** The value or the gradient. */
  of: 'value' | 'grad';
  /** What PyTorch gives there. */
  torch: number;
  /** Why they differ. */
  note: string;
  /**
   * gpugrad's result is wrong and its fix needs a TypeScript change in src/ops (named in the
   * note): the test accepts PyTorch's value too, so the fix will not break it.
   */
  pending?: boolean;
}

export interface Row {
  /** The op table name (or composition) the row exercises. */
  op: string;
  /** The expression, with x the input: the row's label in the doc. */
  expr: string;
  layout: Layout;
  /** Runs the op. elementwise: on x; row: on the [n, k] rows along `axis`; single: on [1, k]. */
  gpu: (gg: G, x: T, axis: number) => T;
  /** float64 reference of the value at a float32 input. */
  value: (x: number) => number;
  /** float64 reference of d value / dx with dy = 1; absent for ops without a gradient. */
  grad?: (x: number) => number;
  /**
   * Accept a zero gradient of either sign: where the sign comes only from how the VJP's
   * formula is arranged (softmax: y · (dy - sum(dy · y)) is +0 where -y0 · y1 is -0).
   */
  gradZeroEitherSign?: boolean;
  deviations?: Deviation[];
  /** A short remark for the doc. */
  remark?: string;
}

const isNaN = Number.isNaN;
/** Max and min as PyTorch's, propagating NaN (JavaScript's Math.max already does). */
const maxNaN = (...xs: number[]): number => Math.max(...xs);
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh form, and its derivative, in float64. At ±Inf the formula meets ∞·0; the values
 * there are the limits: gelu → x for x → +∞ and → -0 for x → -∞; gelu' → 1 and → 0.
 */
function gelu(x: number): number {
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return -0;
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x ** 3)));
}
function geluGrad(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const t = Math.tanh(GELU_C * (x + 0.044715 * x ** 3));
  const tail = 1 - t * t === 0 ? 0 : 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
  return 0.5 * (1 + t) + tail;
}

/**
 * softmax and log-softmax of a row, as PyTorch computes them: m = max (NaN if any is NaN),
 * e = exp(x - m), y = e / sum(e), log y = (x - m) - log(sum(e)). A +Inf entry makes
 * Inf - Inf = NaN, so the whole row is NaN; a row of -Inf is NaN too (0/0).
 */
function softmaxRow(row: number[]): { y: number[]; logY: number[] } {
  const m = maxNaN(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return { y: e.map((v) => v / s), logY: row.map((v) => v - m - Math.log(s)) };
}
const sm = (x: number) => softmaxRow([x, 0]);

const elementwise: Layout = { kind: 'elementwise' };
const ones = (gg: G, x: T) => gg.ones(x.shape);

const NAN_GRAD = (torch: number, why: string): Deviation => ({
  at: 'NaN', of: 'grad', torch,
  note: `The gradient at a NaN input is NaN in gpugrad, as for every activation; PyTorch's kernel ${why}`,
});

export const ROWS: Row[] = [
  // Arithmetic, tensor-tensor.
  { op: 'add', expr: 'x + 1', layout: elementwise, gpu: (gg, x) => gg.add(x, ones(gg, x)), value: (x) => x + 1, grad: () => 1 },
  { op: 'sub', expr: 'x − x', layout: elementwise, gpu: (gg, x) => gg.sub(x, x), value: (x) => x - x, grad: () => 0,
    remark: 'Inf − Inf is NaN; the gradient dy − dy is 0 everywhere' },
  { op: 'mul', expr: 'x · 0', layout: elementwise, gpu: (gg, x) => gg.mul(x, gg.zeros(x.shape)), value: (x) => x * 0, grad: () => 0,
    remark: '0 · Inf is NaN' },
  { op: 'div', expr: '1 / x', layout: elementwise, gpu: (gg, x) => gg.div(ones(gg, x), x), value: (x) => 1 / x, grad: (x) => -1 / (x * x),
    remark: 'division by ±0 gives ±Inf' },
  // Tensor-scalar: the scalar rides in the kernel's uniform.
  { op: 'addScalar', expr: 'x + 1', layout: elementwise, gpu: (gg, x) => gg.add(x, 1), value: (x) => x + 1, grad: () => 1 },
  { op: 'mulScalar', expr: 'x · 1e10', layout: elementwise, gpu: (gg, x) => gg.mul(x, 1e10), value: (x) => x * 1e10, grad: () => 1e10 },
  { op: 'divScalar', expr: 'x / 0', layout: elementwise, gpu: (gg, x) => gg.div(x, 0), value: (x) => x / 0, grad: () => Infinity },
  { op: 'rsubScalar', expr: '1 − x', layout: elementwise, gpu: (gg, x) => gg.sub(1, x), value: (x) => 1 - x, grad: () => -1 },
  { op: 'rdivScalar', expr: '1 / x', layout: elementwise, gpu: (gg, x) => gg.div(1, x), value: (x) => 1 / x, grad: (x) => -1 / (x * x) },
  // Unary math.
  { op: 'neg', expr: '−x', layout: elementwise, gpu: (gg, x) => gg.neg(x), value: (x) => -x, grad: () => -1 },
  { op: 'exp', expr: 'exp(x)', layout: elementwise, gpu: (gg, x) => gg.exp(x), value: Math.exp, grad: Math.exp },
  { op: 'log', expr: 'log(x)', layout: elementwise, gpu: (gg, x) => gg.log(x), value: Math.log, grad: (x) => 1 / x,
    remark: 'the gradient dy / x is defined where the value is not, as in PyTorch; a subnormal x gives -Inf on every adapter, as if flushed (an exact value there would cost time on every call)' },
  { op: 'sqrt', expr: 'sqrt(x)', layout: elementwise, gpu: (gg, x) => gg.sqrt(x), value: Math.sqrt, grad: (x) => 1 / (2 * Math.sqrt(x)) },
  { op: 'square', expr: 'x²', layout: elementwise, gpu: (gg, x) => gg.square(x), value: (x) => x * x, grad: (x) => 2 * x },
  { op: 'abs', expr: '|x|', layout: elementwise, gpu: (gg, x) => gg.abs(x), value: Math.abs, grad: Math.sign,
    deviations: [{ at: 'NaN', of: 'grad', torch: 0, note: 'The gradient is dy · sign(x), and PyTorch\'s sign(NaN) is 0' }] },
  { op: 'sign', expr: 'sign(x)', layout: elementwise, gpu: (gg, x) => gg.noGrad(() => gg.sign(x)), value: Math.sign,
    deviations: [{ at: 'NaN', of: 'value', torch: 0, note: 'PyTorch\'s sign is (0 < x) - (x < 0), 0 for NaN (pytorch/pytorch#41245); NumPy\'s sign gives NaN, as gpugrad\'s' }] },
  { op: 'pow', expr: 'x²  (pow, p = 2)', layout: elementwise, gpu: (gg, x) => gg.pow(x, 2), value: (x) => x ** 2, grad: (x) => 2 * x ** 1 },
  { op: 'pow', expr: 'x³  (pow, p = 3)', layout: elementwise, gpu: (gg, x) => gg.pow(x, 3), value: (x) => x ** 3, grad: (x) => 3 * x ** 2 },
  { op: 'pow', expr: 'x^0.5  (pow, p = 0.5)', layout: elementwise, gpu: (gg, x) => gg.pow(x, 0.5), value: (x) => x ** 0.5, grad: (x) => 0.5 * x ** -0.5,
    remark: 'C\'s pow: (-Inf)^0.5 = +Inf, (-0)^0.5 = +0, unlike sqrt' },
  { op: 'pow', expr: 'x^-1  (pow, p = -1)', layout: elementwise, gpu: (gg, x) => gg.pow(x, -1), value: (x) => x ** -1, grad: (x) => -1 * x ** -2 },
  // Activations.
  { op: 'relu', expr: 'relu(x)', layout: elementwise, gpu: (gg, x) => gg.relu(x), value: (x) => (isNaN(x) ? NaN : x > 0 ? x : 0),
    grad: (x) => (isNaN(x) ? NaN : x > 0 ? 1 : 0),
    deviations: [NAN_GRAD(1, 'passes dy unless x ≤ 0 (threshold_backward)')] },
  { op: 'leakyRelu', expr: 'leakyRelu(x, 0.01)', layout: elementwise, gpu: (gg, x) => gg.leakyRelu(x, 0.01),
    value: (x) => (isNaN(x) ? NaN : x > 0 ? x : 0.01 * x), grad: (x) => (isNaN(x) ? NaN : x > 0 ? 1 : 0.01),
    deviations: [NAN_GRAD(0.01, 'gives α·dy unless x > 0')] },
  { op: 'tanh', expr: 'tanh(x)', layout: elementwise, gpu: (gg, x) => gg.tanh(x), value: Math.tanh, grad: (x) => 1 - Math.tanh(x) ** 2 },
  { op: 'sigmoid', expr: 'sigmoid(x)', layout: elementwise, gpu: (gg, x) => gg.sigmoid(x), value: sigmoid,
    grad: (x) => sigmoid(x) * (1 - sigmoid(x)) },
  { op: 'gelu', expr: 'gelu(x)', layout: elementwise, gpu: (gg, x) => gg.gelu(x), value: gelu, grad: geluGrad,
    deviations: [
      { at: '-Inf', of: 'value', torch: NaN, note: 'PyTorch evaluates 0.5·x·(1 + tanh(…)) = -Inf · 0; gpugrad returns the limit, -0' },
      ...(['-Inf', '-1e30', '1e30', '+Inf'] as const).map((at): Deviation => ({
        at, of: 'grad', torch: NaN,
        note: 'PyTorch\'s gelu backward (approximate=\'tanh\') multiplies x·(1 - tanh²) = 0 by 1 + 0.134·x² = Inf; gpugrad returns the limit 0 or 1',
      })),
    ] },
  { op: 'equal', expr: 'x = x  (equal)', layout: elementwise, gpu: (gg, x) => gg.noGrad(() => gg.equal(x, x)), value: (x) => +(x === x),
    remark: 'NaN ≠ NaN; −0 = +0' },
  { op: 'matmul', expr: '[x, 1] · [1, 1]ᵀ', layout: { kind: 'row', others: [1], pad: 0 },
    gpu: (gg, x) => gg.reshape(gg.matmul(x, gg.ones([x.shape[1], 1])), [x.shape[0]]), value: (x) => x + 1, grad: () => 1 },
  // Reductions over an axis.
  { op: 'sum', expr: 'sum([x, 1])', layout: { kind: 'row', others: [1], pad: 0 }, gpu: (gg, x, axis) => gg.sum(x, axis),
    value: (x) => x + 1, grad: () => 1 },
  { op: 'max', expr: 'max([x, 1])', layout: { kind: 'row', others: [1], pad: -Infinity }, gpu: (gg, x, axis) => gg.max(x, axis),
    value: (x) => maxNaN(x, 1), grad: (x) => (x > 1 || isNaN(x) ? 1 : 0),
    remark: 'a NaN maximum gets dy, as in PyTorch (the VJP matches NaN to a NaN max)' },
  { op: 'max', expr: 'max([x, −Inf])', layout: { kind: 'row', others: [-Infinity], pad: -Infinity }, gpu: (gg, x, axis) => gg.max(x, axis),
    value: (x) => maxNaN(x, -Infinity), grad: () => 1,
    remark: 'every tied maximum receives dy (at x = -Inf both entries do)' },
  // Softmax over the last axis; the gradient is of one output entry (dy one-hot).
  { op: 'softmax', expr: 'softmax([x, 0])[0]', layout: { kind: 'row', others: [0], pad: -Infinity, col: 0 }, gpu: (gg, x) => gg.softmax(x),
    value: (x) => sm(x).y[0], grad: (x) => sm(x).y[0] * sm(x).y[1],
    remark: 'as PyTorch: +Inf in a row gives NaN (Inf − Inf), a row of -Inf gives NaN (0/0)' },
  { op: 'softmax', expr: 'softmax([x, 0])[1]', layout: { kind: 'row', others: [0], pad: -Infinity, col: 1 }, gpu: (gg, x) => gg.softmax(x),
    value: (x) => sm(x).y[1], grad: (x) => -sm(x).y[0] * sm(x).y[1], gradZeroEitherSign: true },
  { op: 'logSoftmax', expr: 'logSoftmax([x, 0])[0]', layout: { kind: 'row', others: [0], pad: -Infinity, col: 0 }, gpu: (gg, x) => gg.logSoftmax(x),
    value: (x) => sm(x).logY[0], grad: (x) => 1 - sm(x).y[0] },
  { op: 'logSoftmax', expr: 'logSoftmax([x, 0])[1]', layout: { kind: 'row', others: [0], pad: -Infinity, col: 1 }, gpu: (gg, x) => gg.logSoftmax(x),
    value: (x) => sm(x).logY[1], grad: (x) => -sm(x).y[0], gradZeroEitherSign: true },
  { op: 'softmaxCrossEntropy', expr: 'softmaxCrossEntropy([[x, 0]], label 1)', layout: { kind: 'single', others: [0] },
    gpu: (gg, x) => gg.softmaxCrossEntropy(x, [1]), value: (x) => -sm(x).logY[1] + 0, grad: (x) => sm(x).y[0], // + 0: a zero loss is +0 (a mean of -0 sums from +0)
    remark: 'the label\'s entry is picked (gather), so a masked logit (-Inf) elsewhere contributes nothing, as in PyTorch' },
];

/** A row's name, unique in the table: op and expression. */
export const rowName = (row: Row): string => `${row.op}: ${row.expr}`;
