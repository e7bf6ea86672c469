// Reductions: sum and max over all elements or one axis (reduce.wgsl), mean as a
// composition, and sumTo, which the autograd engine uses to undo broadcasting.

import { getDevice } from '../device/device.ts';
import { sources } from '../device/shaders.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { equal, mul } from './elementwise.ts';
import { grid, normalizeAxis } from './launch.ts';
import { runOp, type OpDef } from './op.ts';
import { broadcastTo, reshape } from './shape.ts';

/** Axes up to this long are folded by one invocation per output, longer ones by a workgroup. */
const SERIAL_MAX_LEN = 256;

type Reduce = { axis: number | null; keepDims: boolean };

/** The shape with the reduced axis kept as 1 (what broadcasts back against the input). */
function keptShape(x: Shape, axis: number | null): number[] {
  return axis === null ? x.map(() => 1) : x.map((d, i) => (i === axis ? 1 : d));
}

function reducedShape(x: Shape, { axis, keepDims }: Reduce): number[] {
  if (keepDims) return keptShape(x, axis);
  return axis === null ? [] : x.filter((_, i) => i !== axis);
}

function launchReduce(op: 'sum' | 'max', x: Tensor, { axis }: Reduce, shape: Shape): Tensor {
  const len = axis === null ? x.size : x.shape[axis];
  if (len === 0 && op === 'max') throw new ShapeError(`max: cannot reduce an empty axis of ${formatShape(x.shape)}`);
  const outer = axis === null ? 1 : sizeOf(x.shape.slice(0, axis));
  const inner = axis === null ? 1 : sizeOf(x.shape.slice(axis + 1));
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  // Short axes fold serially, one invocation per output (reduce.wgsl says why).
  const serial = len <= SERIAL_MAX_LEN;
  const kernel = { name: `reduce:${op}`, source: sources.reduce, entryPoint: serial ? 'serial' : 'main', constants: { OP: op === 'sum' ? 0 : 1 } };
  const params = new Uint32Array([outer, len, inner, 0]).buffer;
  getDevice().dispatch(kernel, [x.buffer(op)], [out.buffer(op)], params, grid(outer * inner, serial ? 64 : 1));
  return out;
}

export const reduceOps = {
  // d sum(x) = dy broadcast back over the reduced axis
  sum: {
    shape: ([x], attrs) => reducedShape(x.shape, attrs),
    forward: ([x], attrs, shape) => launchReduce('sum', x, attrs, shape),
    vjp: (dy, [x], _, { axis }) => [broadcastTo(reshape(dy, keptShape(x.shape, axis)), x.shape)],
  } satisfies OpDef<Reduce>,
  // d max(x) = dy where x equals the max, else 0 (every tied maximum receives dy)
  max: {
    shape: ([x], attrs) => reducedShape(x.shape, attrs),
    forward: ([x], attrs, shape) => launchReduce('max', x, attrs, shape),
    vjp: (dy, [x], out, { axis }) => {
      const kept = keptShape(x.shape, axis);
      return [mul(equal(x, reshape(out, kept)), reshape(dy, kept))];
    },
  } satisfies OpDef<Reduce>,
};

function reduceAttrs(op: string, x: Tensor, axis: number | undefined, keepDims: boolean): Reduce {
  return { axis: axis === undefined ? null : normalizeAxis(op, axis, x.shape), keepDims };
}

/** Sum over all elements (shape []) or over one axis; keepDims leaves that axis as size 1. */
export const sum = (x: Tensor, axis?: number, keepDims = false): Tensor =>
  runOp('sum', reduceOps.sum, [x], reduceAttrs('sum', x, axis, keepDims));
/** Maximum over all elements or over one axis. */
export const max = (x: Tensor, axis?: number, keepDims = false): Tensor =>
  runOp('max', reduceOps.max, [x], reduceAttrs('max', x, axis, keepDims));
/** Mean over all elements or over one axis. */
export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  const count = axis === undefined ? x.size : x.shape[normalizeAxis('mean', axis, x.shape)];
  return mul(sum(x, axis, keepDims), 1 / count);
}

/** Sums g down to `shape` (the inverse of broadcasting); returns g itself when shapes match. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (formatShape(g.shape) === formatShape(shape)) return g;
  let t = g;
  const replace = (next: Tensor) => {
    if (t !== g) t.dispose();
    t = next;
  };
  const lead = g.rank - shape.length;
  if (lead > 0) {
    replace(reshape(t, [sizeOf(g.shape.slice(0, lead)), ...g.shape.slice(lead)]));
    replace(sum(t, 0));
  }
  shape.forEach((d, i) => {
    if (d === 1 && t.shape[i] !== 1) replace(sum(t, i, true));
  });
  return t;
}
