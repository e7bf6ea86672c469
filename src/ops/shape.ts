// Shape ops. reshape is a view (same buffer, no kernel); transpose and broadcastTo copy
// through the unary 'copy' kernel with permuted or zero strides, so every tensor stays
// contiguous and no other kernel has to understand strides.

import { ShapeError } from '../errors.ts';
import { formatShape, sizeOf, type Shape, type Tensor } from '../tensor.ts';
import { launchUnary } from './elementwise.ts';
import { broadcastShapes, broadcastStrides, contiguousStrides } from './launch.ts';
import { runOp, type OpDef } from './op.ts';

function resolveReshape(x: Shape, shape: readonly number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ShapeError(`reshape: bad target shape ${formatShape(shape)} (dimensions are integers >= 0, at most one -1)`);
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const total = sizeOf(x);
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : total / known) : d));
  if (sizeOf(resolved) !== total || resolved.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(`reshape: cannot reshape ${formatShape(x)} (${total} elements) to ${formatShape(shape)}`);
  }
  return resolved;
}

function resolveAxes(x: Shape, axes?: readonly number[]): number[] {
  const rank = x.length;
  if (!axes) return [...Array(rank).keys()].map((d) => (rank >= 2 && d >= rank - 2 ? 2 * rank - 3 - d : d));
  const normalized = axes.map((a) => (a < 0 ? a + rank : a));
  const isPermutation = normalized.length === rank && new Set(normalized).size === rank &&
    normalized.every((a) => Number.isInteger(a) && a >= 0 && a < rank);
  if (!isPermutation) throw new ShapeError(`transpose: axes ${formatShape(axes)} are not a permutation of the ${rank} axes of ${formatShape(x)}`);
  return normalized;
}

type Axes = { axes: number[] };
type To = { shape: readonly number[] };

export const shapeOps = {
  // d reshape(x) = reshape(dy, x.shape)
  reshape: {
    shape: ([x], { shape }) => resolveReshape(x.shape, shape),
    forward: ([x], _, shape) => x.view(shape),
    vjp: (dy, [x]) => [reshape(dy, [...x.shape])],
  } satisfies OpDef<To>,
  // d transpose(x, axes) = transpose(dy, axes^-1)
  transpose: {
    shape: ([x], { axes }) => axes.map((a) => x.shape[a]),
    forward: ([x], { axes }, shape) => {
      const strides = contiguousStrides(x.shape);
      return launchUnary('copy', x, shape, 0, axes.map((a) => strides[a]));
    },
    vjp: (dy, _, __, { axes }) => {
      const inverse = new Array<number>(axes.length);
      axes.forEach((a, i) => { inverse[a] = i; });
      return [transpose(dy, inverse)];
    },
  } satisfies OpDef<Axes>,
  // d broadcastTo(x) = dy, summed back to x's shape by the autograd engine
  broadcastTo: {
    shape: ([x], { shape }) => {
      const out = broadcastShapes('broadcastTo', x.shape, shape);
      if (formatShape(out) !== formatShape(shape)) {
        throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
      }
      return out;
    },
    forward: ([x], _, shape) => launchUnary('copy', x, shape, 0, broadcastStrides(x.shape, shape)),
    vjp: (dy) => [dy],
  } satisfies OpDef<To>,
};

/** The same data in another shape (one dimension may be -1). A view: no copy. */
export const reshape = (x: Tensor, shape: number[]): Tensor => runOp('reshape', shapeOps.reshape, [x], { shape });
/** Permutes the axes (default: swaps the last two). Copies into a contiguous tensor. */
export const transpose = (x: Tensor, axes?: number[]): Tensor =>
  runOp('transpose', shapeOps.transpose, [x], { axes: resolveAxes(x.shape, axes) });
/** Repeats x along its size-1 and missing leading dimensions to reach `shape`. */
export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => runOp('broadcastTo', shapeOps.broadcastTo, [x], { shape });
