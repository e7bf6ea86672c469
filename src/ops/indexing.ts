// Indexing and joining: slice, concat, stack, split, indexSelect, gather, oneHot. Slices read
// through unary.wgsl's copy with an offset; concat and a slice's gradient write pieces into a
// larger tensor with `place`; the index ops run gather.wgsl, whose gradients sum over the
// indices (a scatter-add without atomics).

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { checkAxis, checkNumber, checkTensor, checkTensorList, describe } from './args.ts';
import { fromData, arange } from './creation.ts';
import { equal } from './elementwise.ts';
import { fillTensor } from './fill.ts';
import { constantOf, contiguousStrides, grid, launchElementwise, placeInto } from './launch.ts';
import { composite, primitive, type FunctionOp, type MethodOp, type Op } from './op.ts';
import { reshape, unsqueeze } from './shape.ts';
import { tidy } from '../scope.ts';

type Slice = { starts: number[]; shape: number[] };

/** Start index per axis and the slice's shape, from (possibly short, negative) starts and ends. */
function resolveSlice(op: string, x: Shape, starts: unknown, ends: unknown): Slice {
  if (!Array.isArray(starts)) throw new TypeError(`${op}: starts must be an array (one start per axis), got ${describe(starts)}`);
  if (ends !== undefined && !Array.isArray(ends)) throw new TypeError(`${op}: ends must be an array (one end per axis), got ${describe(ends)}`);
  const endList = (ends ?? []) as unknown[];
  if (starts.length > x.length || endList.length > x.length) {
    throw new ShapeError(`${op}: ${Math.max(starts.length, endList.length)} entries for the ${x.length} axes of ${formatShape(x)}`);
  }
  const out = x.map((n, d) => {
    const resolve = (v: unknown, fallback: number, arg: string) => {
      if (v === undefined || v === null) return fallback;
      checkNumber(op, `${arg}[${d}]`, v, { integer: true });
      const i = (v as number) < 0 ? (v as number) + n : (v as number);
      if (i < 0 || i > n) throw new ShapeError(`${op}: ${arg}[${d}] = ${v} is out of range for axis ${d} of ${formatShape(x)} (size ${n})`);
      return i;
    };
    const start = resolve(starts[d], 0, 'starts');
    const end = resolve(endList[d], n, 'ends');
    if (end < start) throw new ShapeError(`${op}: axis ${d} of ${formatShape(x)}: end ${endList[d]} comes before start ${starts[d]}`);
    return [start, end - start];
  });
  return { starts: out.map(([s]) => s), shape: out.map(([, len]) => len) };
}

const offsetOf = (shape: Shape, starts: number[]) => {
  const strides = contiguousStrides(shape);
  return starts.reduce((sum, s, d) => sum + s * strides[d], 0);
};

// slice's gradient: a kernel of the backward pass, itself not differentiated (no double backward)
const slicePad: Op<[dy: Tensor, shape: Shape, starts: number[]]> = primitive<{ shape: Shape; starts: number[] }, [dy: Tensor, shape: Shape, starts: number[]]>({
  shape: (_, { shape }) => shape,
  forward: ([dy], { starts }, shape, op) => {
    const out = fillTensor(op.publicName, shape, 0);
    placeInto(op.publicName, dy, out, offsetOf(shape, starts), contiguousStrides(shape));
    return out;
  },
  vjp: null,
}, { note: '' }, (run) => (dy, shape, starts) => run([dy], { shape, starts }));

// d slice(x) = dy placed back where it came from, zeros elsewhere
/**
 * The block of x from `starts` to `ends` (exclusive), one entry per axis; missing entries
 * (or null) take the whole axis; negative indices count from the end. Indices out of range
 * are an error, not clamped (PyTorch's narrow). Copies.
 */
export const slice: MethodOp<[x: Tensor, starts: (number | null)[], ends?: (number | null)[]]> = primitive<Slice, [x: Tensor, starts: (number | null)[], ends?: (number | null)[]]>({
  shape: (_, { shape }) => shape,
  forward: ([x], { starts }, shape, op) => launchElementwise(op.publicName, 'unary', 'op_copy', [x], shape,
    { strides: [contiguousStrides(x.shape)], offset: offsetOf(x.shape, starts) }),
  vjp: (dy, [x], _, { starts }) => [slicePad(dy, x.shape, starts)],
}, { note: 'a block, start/end per axis, negative from the end; copies', kernels: { slicePad } },
(run, op) => (x, starts, ends) => run([checkTensor(op.publicName, 'x', x)], resolveSlice(op.publicName, x.shape, starts, ends)));

// d concat = the slices of dy that each input filled
/** Joins tensors along an existing axis; the other dimensions must match. */
export const concat: FunctionOp<[tensors: Tensor[], axis?: number]> = primitive<{ axis: number }, [tensors: Tensor[], axis?: number]>({
  shape: (inputs, { axis }, op) => {
    const first = inputs[0].shape;
    for (const [i, t] of inputs.entries()) {
      if (t.rank !== first.length || t.shape.some((d, k) => k !== axis && d !== first[k])) {
        throw new ShapeError(`${op.publicName}: tensors[${i}] has shape ${formatShape(t.shape)}, which does not match ` +
          `${formatShape(first)} outside axis ${axis}`);
      }
    }
    return first.map((d, k) => (k === axis ? inputs.reduce((n, t) => n + t.shape[axis], 0) : d));
  },
  forward: (inputs, { axis }, shape, op) => {
    const out = Tensor.empty(shape, op.publicName);
    const strides = contiguousStrides(shape);
    let at = 0;
    for (const t of inputs) {
      placeInto(op.publicName, t, out, at * strides[axis], strides);
      at += t.shape[axis];
    }
    return out;
  },
  vjp: (dy, inputs, _, { axis }) => {
    let at = 0;
    return inputs.map((t) => {
      const start = at;
      at += t.shape[axis];
      return () => slice(dy, dy.shape.map((__, d) => (d === axis ? start : 0)), dy.shape.map((n, d) => (d === axis ? start + t.shape[axis] : n)));
    });
  },
}, { note: 'joins along an existing axis', method: false },
(run, op) => (tensors, axis = 0) => {
  const list = checkTensorList(op.publicName, 'tensors', tensors);
  return run(list, { axis: checkAxis(op.publicName, axis, list[0].shape) });
});

/** Joins tensors of one shape along a new axis (in [-rank-1, rank]). */
export const stack: FunctionOp<[tensors: Tensor[], axis?: number]> = composite({ note: 'joins along a new axis', method: false }, (op) => (tensors: Tensor[], axis = 0) => {
  const list = checkTensorList(op.publicName, 'tensors', tensors);
  const a = checkAxis(op.publicName, axis, [...list[0].shape, 1]);
  list.forEach((t, i) => {
    if (formatShape(t.shape) !== formatShape(list[0].shape)) {
      throw new ShapeError(`${op.publicName}: tensors[${i}] has shape ${formatShape(t.shape)}, tensors[0] ${formatShape(list[0].shape)}; stack needs one shape`);
    }
  });
  return concat(list.map((t) => unsqueeze(t, a)), a);
});

/**
 * Cuts x along `axis` into pieces: of `sizes` each (the last may be smaller) when a number,
 * or of the given sizes, which must add up to the axis, when a list.
 */
export const split: MethodOp<[x: Tensor, sizes: number | number[], axis?: number], Tensor[]> = composite({ note: 'pieces of given sizes along an axis (returns a list)' }, (op) => (x: Tensor, sizes: number | number[], axis = 0): Tensor[] => {
  checkTensor(op.publicName, 'x', x);
  const a = checkAxis(op.publicName, axis, x.shape);
  const n = x.shape[a];
  let pieces: number[];
  if (typeof sizes === 'number') {
    checkNumber(op.publicName, 'sizes', sizes, { integer: true, min: 1 });
    pieces = Array.from({ length: Math.max(1, Math.ceil(n / sizes)) }, (_, i) => Math.min(sizes, n - i * sizes));
  } else if (Array.isArray(sizes)) {
    sizes.forEach((s, i) => checkNumber(op.publicName, `sizes[${i}]`, s, { integer: true, min: 0 }));
    if (sizes.reduce((t, s) => t + s, 0) !== n) throw new ShapeError(`${op.publicName}: sizes [${sizes.join(',')}] add up to ${sizes.reduce((t, s) => t + s, 0)}, axis ${axis} of ${formatShape(x.shape)} has ${n}`);
    pieces = sizes;
  } else {
    throw new TypeError(`${op.publicName}: sizes must be a number or an array of numbers, got ${describe(sizes)}`);
  }
  let at = 0;
  return pieces.map((len) => {
    const start = at;
    at += len;
    return slice(x, x.shape.map((_, d) => (d === a ? start : 0)), x.shape.map((m, d) => (d === a ? start + len : m)));
  });
});

/** Integer indices as a tensor: a Tensor is used as is, an array is checked (integers in [0, len)) and uploaded. */
function indexTensor(op: string, indices: unknown, len: number): Tensor {
  if (indices instanceof Tensor) return checkTensor(op, 'indices', indices);
  if (!Array.isArray(indices) && !ArrayBuffer.isView(indices)) {
    throw new TypeError(`${op}: indices must be a Tensor or an array of integers, got ${describe(indices)}`);
  }
  const list = Array.from(indices as ArrayLike<number>);
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= len) {
      throw new ShapeError(`${op}: indices[${i}] = ${String(v)} is not an integer in [0, ${len})`);
    }
  });
  return fromData(Float32Array.from(list), [list.length]);
}

type Along = { axis: number; len: number };

/**
 * gather.wgsl's pick (scatter: its gradient) over [outer, len, inner] around `axis`; `each`:
 * one index per element (gather) rather than one per slice (indexSelect).
 */
function launchGather(entryPoint: 'pick' | 'scatter', each: boolean, x: Tensor, idx: Tensor, shape: Shape, axis: number, len: number, op: string): Tensor {
  const out = Tensor.empty(shape, op);
  if (out.size === 0) return out;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const count = entryPoint === 'scatter' ? x.shape[axis] : shape[axis];
  getDevice().dispatch({ shader: shaders.gather, entryPoint, constants: { EACH: each ? 1 : 0 } }, [x.buffer(op), idx.buffer(op)], [out.buffer(op)],
    { outer, len, inner, count }, grid(out.size, constantOf(shaders.gather, 'WG')));
  return out;
}

/** The gradient of a pick: dy summed into the positions it was read from (a backward kernel, not differentiated). */
const scatterOp = (each: boolean): Op<[dy: Tensor, idx: Tensor, axis: number, len: number]> => primitive<Along, [dy: Tensor, idx: Tensor, axis: number, len: number]>({
  shape: ([dy], { axis, len }) => dy.shape.map((d, k) => (k === axis ? len : d)),
  forward: ([dy, idx], { axis, len }, shape, op) => launchGather('scatter', each, dy, idx, shape, axis, len, op.publicName),
  vjp: null,
}, { note: '' }, (run) => (dy, idx, axis, len) => run([dy, idx], { axis, len }));

const indexAdd = scatterOp(false);
const gatherAdd = scatterOp(true);

// d indexSelect(x) = dy summed into the rows it came from (indexAdd)
/**
 * The slices of x at `indices` along `axis` (torch.index_select): indices is a 1-D tensor or
 * an array of integers; the result has indices.length entries along axis. An index tensor
 * entry that is not an integer in range gives NaN in that slice.
 */
export const indexSelect: MethodOp<[x: Tensor, indices: Tensor | number[], axis?: number]> = primitive<Along, [x: Tensor, indices: Tensor | number[], axis?: number]>({
  shape: ([x, idx], { axis }, op) => {
    if (idx.rank !== 1) throw new ShapeError(`${op.publicName}: indices must be 1-D, got ${formatShape(idx.shape)}`);
    return x.shape.map((d, k) => (k === axis ? idx.size : d));
  },
  forward: ([x, idx], { axis, len }, shape, op) => launchGather('pick', false, x, idx, shape, axis, len, op.publicName),
  vjp: (dy, [, idx], _, { axis, len }) => [() => indexAdd(dy, idx, axis, len), null],
}, { note: 'slices at integer indices along an axis; scatter-add gradient', kernels: { indexAdd } },
(run, op) => (x, indices, axis = 0) => {
  checkTensor(op.publicName, 'x', x);
  const a = checkAxis(op.publicName, axis, x.shape);
  const idx = indexTensor(op.publicName, indices, x.shape[a]);
  return run([x, idx], { axis: a, len: x.shape[a] }, idx === indices ? [] : [idx]);
});

// d gather(x) = dy summed into the elements it came from (gatherAdd)
/**
 * out[..., k, ...] = x[..., indices[..., k, ...], ...] along `axis` (torch.gather): indices has
 * x's rank and x's sizes on every other axis; the result has indices' shape. Entries that are
 * not integers in range give NaN.
 */
export const gather: MethodOp<[x: Tensor, indices: Tensor | number[], axis?: number]> = primitive<Along, [x: Tensor, indices: Tensor | number[], axis?: number]>({
  shape: ([x, idx], { axis }, op) => {
    if (idx.rank !== x.rank || idx.shape.some((d, k) => k !== axis && d !== x.shape[k])) {
      throw new ShapeError(`${op.publicName}: indices ${formatShape(idx.shape)} must match x ${formatShape(x.shape)} on every axis but ${axis}`);
    }
    return idx.shape;
  },
  forward: ([x, idx], { axis, len }, shape, op) => launchGather('pick', true, x, idx, shape, axis, len, op.publicName),
  vjp: (dy, [, idx], _, { axis, len }) => [() => gatherAdd(dy, idx, axis, len), null],
}, { note: 'elements at integer indices along an axis; scatter-add gradient', kernels: { gatherAdd } },
(run, op) => (x, indices, axis = 0) => {
  checkTensor(op.publicName, 'x', x);
  const a = checkAxis(op.publicName, axis, x.shape);
  if (indices instanceof Tensor) return run([x, indices], { axis: a, len: x.shape[a] });
  const flat = indexTensor(op.publicName, indices, x.shape[a]);
  const idx = reshape(flat, x.rank === 1 ? [-1] : x.shape.map((d, k) => (k === a ? -1 : d)));
  return run([x, idx], { axis: a, len: x.shape[a] }, [flat, idx]);
});

/** One-hot rows: [..., numClasses] with 1 at each index (an index tensor or an array of integers). */
export const oneHot: FunctionOp<[indices: Tensor | number[], numClasses: number]> = composite({ note: '1 at each class index, [..., numClasses]', method: false, isConstant: true }, (op) => (indices: Tensor | number[], numClasses: number) => {
  checkNumber(op.publicName, 'numClasses', numClasses, { integer: true, min: 1 });
  // A constant: nothing of the graph holds the temporaries, which tidy() frees.
  return tidy(() => equal(unsqueeze(indexTensor(op.publicName, indices, numClasses), -1), arange(numClasses)));
});
