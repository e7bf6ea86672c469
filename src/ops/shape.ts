// Shape ops. reshape is a view (same buffer, no kernel), and so are the ops built on it
// (view, squeeze, unsqueeze, flatten); transpose and broadcastTo copy through the unary
// `op_copy` kernel with permuted or zero strides, so every tensor stays contiguous and no
// other kernel has to understand strides.

import { ShapeError, TypeError } from '../errors.ts';
import { formatShape, sizeOf, type Shape, type Tensor } from '../tensor.ts';
import { checkAxis, checkTensor, describe } from './args.ts';
import { broadcastShapes, broadcastStrides, contiguousStrides, launchElementwise } from './launch.ts';
import { composite, primitive, type MethodOp } from './op.ts';

/** A target shape: integers >= 0, at most one -1 (inferred). */
function resolveReshape(op: string, x: Shape, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of sizes, got ${describe(shape)}`);
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < -1)) {
    throw new ShapeError(`${op}: bad target shape [${shape.join(',')}] (dimensions are integers >= 0, at most one -1)`);
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const total = sizeOf(x);
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : total / known) : d));
  if (sizeOf(resolved) !== total || resolved.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(`${op}: cannot reshape ${formatShape(x)} (${total} elements) to ${formatShape(shape)}`);
  }
  return resolved;
}

function resolveAxes(op: string, x: Shape, axes?: unknown): number[] {
  const rank = x.length;
  if (axes === undefined) return [...Array(rank).keys()].map((d) => (rank >= 2 && d >= rank - 2 ? 2 * rank - 3 - d : d));
  if (!Array.isArray(axes)) throw new TypeError(`${op}: axes must be an array of axes, got ${describe(axes)}`);
  const normalized = axes.map((a) => (a < 0 ? a + rank : a));
  const isPermutation = normalized.length === rank && new Set(normalized).size === rank &&
    normalized.every((a) => Number.isInteger(a) && a >= 0 && a < rank);
  if (!isPermutation) throw new ShapeError(`${op}: axes [${axes.join(',')}] are not a permutation of the ${rank} axes of ${formatShape(x)}`);
  return normalized;
}

const copy = (op: string, x: Tensor, shape: Shape, strides: number[]) =>
  launchElementwise(op, 'unary', 'op_copy', [x], shape, { strides: [strides] });

// d reshape(x) = reshape(dy, x.shape)
/** The same data in another shape (one dimension may be -1). A view: no copy. */
export const reshape: MethodOp<[x: Tensor, shape: readonly number[]]> = primitive<{ shape: number[] }, [x: Tensor, shape: readonly number[]]>({
  shape: (_, { shape }) => shape,
  forward: ([x], _, shape) => x.alias(shape),
  vjp: (dy, [x]) => [reshape(dy, x.shape)],
}, { note: 'a view in another shape (one -1 inferred); no copy' },
(run, op) => (x, shape) => run([checkTensor(op.publicName, 'x', x)], { shape: resolveReshape(op.publicName, x.shape, shape) }));

/** reshape under PyTorch's name: the size must match (checked), and it is recorded for autograd. */
export const view: MethodOp<[x: Tensor, shape: readonly number[]]> = composite({ note: 'reshape, by its PyTorch name' },
  (op) => (x: Tensor, shape: readonly number[]) => reshape(x, resolveReshape(op.publicName, checkTensor(op.publicName, 'x', x).shape, shape)));

// d transpose(x, axes) = transpose(dy, axes^-1)
/** Permutes the axes (default: swaps the last two). Copies into a contiguous tensor. */
export const transpose: MethodOp<[x: Tensor, axes?: readonly number[]]> = primitive<{ axes: number[] }, [x: Tensor, axes?: readonly number[]]>({
  shape: ([x], { axes }) => axes.map((a) => x.shape[a]),
  forward: ([x], { axes }, shape, op) => {
    const strides = contiguousStrides(x.shape);
    return copy(op.publicName, x, shape, axes.map((a) => strides[a]));
  },
  vjp: (dy, _, __, { axes }) => {
    const inverse = new Array<number>(axes.length);
    axes.forEach((a, i) => { inverse[a] = i; });
    return [transpose(dy, inverse)];
  },
}, { note: 'permutes axes (default: the last two); copies' },
(run, op) => (x, axes) => run([checkTensor(op.publicName, 'x', x)], { axes: resolveAxes(op.publicName, x.shape, axes) }));

// d broadcastTo(x) = dy, summed back to x's shape by the autograd engine
/** Repeats x along its size-1 and missing leading dimensions to reach `shape` (copies). */
export const broadcastTo: MethodOp<[x: Tensor, shape: readonly number[]]> = primitive<{ shape: number[] }, [x: Tensor, shape: readonly number[]]>({
  shape: ([x], { shape }, op) => {
    const out = broadcastShapes(op.publicName, x.shape, shape);
    if (formatShape(out) !== formatShape(shape)) {
      throw new ShapeError(`${op.publicName}: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
    }
    return out;
  },
  forward: ([x], _, shape, op) => copy(op.publicName, x, shape, broadcastStrides(x.shape, shape)),
  vjp: (dy) => [dy],
}, { note: 'repeats size-1 and missing leading axes; copies' },
(run, op) => (x, shape) => {
  checkTensor(op.publicName, 'x', x);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op.publicName}: shape must be a list of non-negative integers, got ${describe(shape)}`);
  }
  return run([x], { shape: [...shape] });
});

/** broadcastTo under PyTorch's name; -1 keeps a dimension as it is. */
export const expand: MethodOp<[x: Tensor, shape: readonly number[]]> = composite({ note: 'broadcastTo, -1 keeps a dimension' }, (op) => (x: Tensor, shape: readonly number[]) => {
  checkTensor(op.publicName, 'x', x);
  if (!Array.isArray(shape)) throw new TypeError(`${op.publicName}: shape must be an array of sizes, got ${describe(shape)}`);
  const lead = shape.length - x.rank;
  return broadcastTo(x, shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d)));
});

/** Removes size-1 axes: all of them, or the one given (which must have size 1). A view. */
export const squeeze: MethodOp<[x: Tensor, axis?: number]> = composite({ note: 'drops size-1 axes (all, or one); a view' }, (op) => (x: Tensor, axis?: number) => {
  checkTensor(op.publicName, 'x', x);
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = checkAxis(op.publicName, axis, x.shape);
  if (x.shape[a] !== 1) throw new ShapeError(`${op.publicName}: axis ${axis} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
});

/** Inserts a size-1 axis at `axis` (in [-rank-1, rank]: -1 appends). A view. */
export const unsqueeze: MethodOp<[x: Tensor, axis: number]> = composite({ note: 'inserts a size-1 axis; a view' }, (op) => (x: Tensor, axis: number) => {
  checkTensor(op.publicName, 'x', x);
  const a = checkAxis(op.publicName, axis, [...x.shape, 1]);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
});

/** Merges axes startAxis..endAxis (inclusive, default all) into one. A view. */
export const flatten: MethodOp<[x: Tensor, startAxis?: number, endAxis?: number]> = composite({ note: 'merges a run of axes (default all); a view' }, (op) => (x: Tensor, startAxis = 0, endAxis = -1) => {
  checkTensor(op.publicName, 'x', x);
  if (x.rank === 0) return reshape(x, [1]);
  const start = checkAxis(op.publicName, startAxis, x.shape, 'startAxis');
  const end = checkAxis(op.publicName, endAxis, x.shape, 'endAxis');
  if (end < start) throw new ShapeError(`${op.publicName}: endAxis ${endAxis} comes before startAxis ${startAxis} in ${formatShape(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, start), sizeOf(x.shape.slice(start, end + 1)), ...x.shape.slice(end + 1)]);
});
