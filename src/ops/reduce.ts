// Reductions over all elements, one axis or several: sum, max, min (reduce.wgsl, one dispatch
// per reduced axis), argmax and argmin (the serial kernel), and the compositions mean,
// variance, std and logSumExp. sumTo undoes broadcasting for the autograd engine.

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { checkAxes, checkAxis, checkBoolean, checkNumber, checkTensor, describe } from './args.ts';
import { add, clamp, equal, exp, log, mul, notEqual, sqrt, square, sub } from './elementwise.ts';
import { constantOf, grid } from './launch.ts';
import { composite, primitive, type MethodOp } from './op.ts';
import { broadcastTo, reshape } from './shape.ts';

/** Axes up to this long are folded by one invocation per output, longer ones by a workgroup. */
const SERIAL_MAX_LEN = 256;
const OPS = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 } as const;
type Fold = keyof typeof OPS;

type Reduce = { axes: number[] | null; keepDims: boolean };
/** An axis, several, or all (undefined). */
export type Axes = number | number[] | undefined;

/** The shape with the reduced axes kept as 1 (what broadcasts back against the input). */
function keptShape(x: Shape, axes: number[] | null): number[] {
  return x.map((d, i) => (axes === null || axes.includes(i) ? 1 : d));
}

function reducedShape(x: Shape, { axes, keepDims }: Reduce): number[] {
  if (keepDims) return keptShape(x, axes);
  return axes === null ? [] : x.filter((_, i) => !axes.includes(i));
}

/** One dispatch: folds axis `axis` of x (null: every element) into out. */
function foldOnce(fold: Fold, x: Tensor, axis: number | null, outShape: Shape, op: string): Tensor {
  const len = axis === null ? x.size : x.shape[axis];
  const outer = axis === null ? 1 : sizeOf(x.shape.slice(0, axis));
  const inner = axis === null ? 1 : sizeOf(x.shape.slice(axis + 1));
  const out = Tensor.empty(outShape, op);
  if (out.size === 0) return out;
  // Short axes fold serially, one invocation per output (reduce.wgsl says why); arg* always do.
  const serial = len <= SERIAL_MAX_LEN || fold === 'argmax' || fold === 'argmin';
  const shader = shaders.reduce;
  const kernel = { shader, entryPoint: serial ? 'serial' : 'main', constants: { OP: OPS[fold] } };
  getDevice().dispatch(kernel, [x.buffer(op)], [out.buffer(op)], { outer, len, inner }, grid(outer * inner, serial ? constantOf(shader, 'WG') : 1));
  return out;
}

/** Folds every axis in `axes` (null: all at once), last axis first, then gives the result `shape`. */
function launchReduce(fold: Fold, x: Tensor, axes: number[] | null, shape: Shape, op: string): Tensor {
  const emptyAxis = (axes === null ? x.size === 0 : axes.some((a) => x.shape[a] === 0));
  if (emptyAxis && fold !== 'sum') throw new ShapeError(`${op}: cannot reduce an empty axis of ${formatShape(x.shape)}`);
  if (axes === null) return foldOnce(fold, x, null, shape, op);
  let t = x;
  for (const axis of [...axes].reverse()) {
    const next = foldOnce(fold, t, axis, t.shape.map((d, i) => (i === axis ? 1 : d)), op);
    if (t !== x) t.dispose();
    t = next;
  }
  if (t === x) return x.alias(shape); // no axes: the values themselves
  const out = t.alias(shape);
  t.dispose();
  return out;
}

const reduceCall = (op: string, x: unknown, axis: unknown, keepDims: unknown): [Tensor, Reduce] => {
  const t = checkTensor(op, 'x', x);
  return [t, { axes: checkAxes(op, axis, t.shape), keepDims: checkBoolean(op, 'keepDims', keepDims) }];
};

/** A reduction primitive over axes, whose VJP is given the kept shape. */
const reduction = (fold: 'sum' | 'max' | 'min', note: string, vjp: (dy: Tensor, x: Tensor, out: Tensor, kept: number[]) => Tensor) =>
  primitive<Reduce, [x: Tensor, axis?: Axes, keepDims?: boolean]>({
    shape: ([x], attrs) => reducedShape(x.shape, attrs),
    forward: ([x], { axes }, shape, op) => launchReduce(fold, x, axes, shape, op.publicName),
    vjp: (dy, [x], out, { axes }) => [vjp(dy, x, out, keptShape(x.shape, axes))],
  }, { note }, (run, op) => (x, axis, keepDims = false) => {
    const [t, attrs] = reduceCall(op.publicName, x, axis, keepDims);
    return run([t], attrs);
  });

// d sum(x) = dy broadcast back over the reduced axes
/** Sum over all elements (shape []), one axis or several; keepDims leaves them as size 1. */
export const sum: MethodOp<[x: Tensor, axis?: Axes, keepDims?: boolean]> = reduction('sum', 'over all, one or several axes; keepDims',
  (dy, x, _, kept) => broadcastTo(reshape(dy, kept), x.shape));
/** 1 where x holds its slice's result: equal to it, or NaN where the result is NaN (a NaN wins, and gets dy, as in PyTorch). */
function winners(x: Tensor, out: Tensor, kept: number[]): Tensor {
  const result = reshape(out, kept);
  return add(equal(x, result), mul(notEqual(x, x), notEqual(result, result)));
}

// d max(x) = dy where x equals the max (or is the NaN that won), else 0 (every tied maximum receives dy)
/** Maximum over all elements, one axis or several; NaN wins. Every tied maximum gets the gradient. */
export const max: MethodOp<[x: Tensor, axis?: Axes, keepDims?: boolean]> = reduction('max', 'every tied maximum gets the gradient',
  (dy, x, out, kept) => mul(winners(x, out, kept), reshape(dy, kept)));
/** Minimum over all elements, one axis or several; NaN wins. Every tied minimum gets the gradient. */
export const min: MethodOp<[x: Tensor, axis?: Axes, keepDims?: boolean]> = reduction('min', 'every tied minimum gets the gradient',
  (dy, x, out, kept) => mul(winners(x, out, kept), reshape(dy, kept)));

type Arg = { axis: number | null; keepDims: boolean };
const argReduction = (fold: 'argmax' | 'argmin', note: string) => primitive<Arg, [x: Tensor, axis?: number, keepDims?: boolean]>({
  shape: ([x], { axis, keepDims }) => reducedShape(x.shape, { axes: axis === null ? null : [axis], keepDims }),
  forward: ([x], { axis }, shape, op) => launchReduce(fold, x, axis === null ? null : [axis], shape, op.publicName),
  vjp: 'none',
}, { note }, (run, op) => (x, axis, keepDims = false) => {
  const t = checkTensor(op.publicName, 'x', x);
  return run([t], { axis: axis === undefined ? null : checkAxis(op.publicName, axis, t.shape), keepDims: checkBoolean(op.publicName, 'keepDims', keepDims) });
});
/** Index of the largest value along one axis, or in the flattened tensor; the first one at a tie (or the first NaN). Float indices, no gradient. */
export const argmax: MethodOp<[x: Tensor, axis?: number, keepDims?: boolean]> = argReduction('argmax', 'index of the first maximum (a float), NaN counts as largest');
/** Index of the smallest value along one axis, or in the flattened tensor; the first one at a tie (or the first NaN). */
export const argmin: MethodOp<[x: Tensor, axis?: number, keepDims?: boolean]> = argReduction('argmin', 'index of the first minimum (a float), NaN counts as smallest');

/** The number of elements the axes reduce. */
const countOf = (x: Tensor, axes: number[] | null) => (axes === null ? x.size : sizeOf(axes.map((a) => x.shape[a])));

/** Mean over all elements, one axis or several. */
export const mean: MethodOp<[x: Tensor, axis?: Axes, keepDims?: boolean]> = composite({ note: 'sum / count' }, (op) => (x: Tensor, axis?: Axes, keepDims = false) => {
  const [t, { axes }] = reduceCall(op.publicName, x, axis, keepDims);
  return mul(sum(t, axis, keepDims), 1 / countOf(t, axes));
});

/** Options of variance() and std(). */
export interface VarianceOptions {
  /** Subtracted from the count in the denominator: 1 (default, Bessel's unbiased estimate) or 0 (population). */
  correction?: number;
  keepDims?: boolean;
}

function varianceOf(op: string, x: Tensor, axis: Axes, options: VarianceOptions): Tensor {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: options must be { correction, keepDims }, got ${describe(options)}`);
  const correction = checkNumber(op, 'correction', options.correction ?? 1, { finite: true, min: 0 });
  const [t, { axes, keepDims }] = reduceCall(op, x, axis, options.keepDims ?? false);
  const centered = sub(t, mean(t, axis, true));
  return mul(sum(square(centered), axis, keepDims), 1 / (countOf(t, axes) - correction));
}

/** Σ(x - mean)² / (n - correction) over the axes (default all; correction 1: unbiased). Method: `x.var()`. */
export const variance: MethodOp<[x: Tensor, axis?: Axes, options?: VarianceOptions]> = composite({ note: 'Σ(x − mean)² / (n − correction); `x.var()`' },
  (op) => (x: Tensor, axis?: Axes, options: VarianceOptions = {}) => varianceOf(op.publicName, x, axis, options));
/** √variance over the axes (default all; correction 1). */
export const std: MethodOp<[x: Tensor, axis?: Axes, options?: VarianceOptions]> = composite({ note: '√variance' }, (op) => (x: Tensor, axis?: Axes, options: VarianceOptions = {}) =>
  sqrt(varianceOf(op.publicName, x, axis, options)));

/**
 * log Σ exp(x) over the axes (default all), stably: the max is subtracted first (and held as a
 * constant, so the gradient is exactly softmax). A row of -Infinity gives -Infinity.
 */
export const logSumExp: MethodOp<[x: Tensor, axis?: Axes, keepDims?: boolean]> = composite({ note: 'log Σ eˣ, stable; gradient softmax' }, (op) => (x: Tensor, axis?: Axes, keepDims = false) => {
  const [t, { axes }] = reduceCall(op.publicName, x, axis, keepDims);
  // The max, kept finite: x - (-inf) would be NaN for a row of -inf, x - 3.4e38 is -inf.
  const m = clamp(max(t.detach(), axis, true), -3.4028234663852886e38, 3.4028234663852886e38);
  const lse = add(log(sum(exp(sub(t, m)), axis, true)), m);
  return keepDims ? lse : reshape(lse, reducedShape(t.shape, { axes, keepDims: false }));
});

/** Sums g down to `shape` (the inverse of broadcasting); returns g itself when shapes match. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (formatShape(g.shape) === formatShape(shape)) return g;
  const lead = g.rank - shape.length;
  const axes = g.shape.map((d, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1));
  const summed = sum(g, axes, true);
  if (lead === 0) return summed;
  const out = reshape(summed, shape);
  summed.dispose();
  return out;
}
