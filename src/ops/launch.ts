// Dispatch geometry and uniform packing shared by the op families. WebGPU caps each grid
// dimension at 65535 workgroups, so large 1-D launches fold into x and y (kernels rebuild the
// linear index from num_workgroups).

import { ShapeError } from '../errors.ts';
import { formatShape, type Shape } from '../tensor.ts';

const MAX_GRID = 65535;

/** Workgroups for `count` independent work items, `perGroup` to a workgroup. */
export function grid(count: number, perGroup: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / perGroup));
  if (groups <= MAX_GRID) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GRID);
  return [Math.ceil(groups / y), y, 1];
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

/** NumPy broadcasting: align from the right; a dimension of 1 stretches. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes cannot broadcast: ${formatShape(a)} and ${formatShape(b)} ` +
        `(dimension ${i} of the result: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Strides that read `input` at each index of `out` (0 along broadcast dimensions). */
export function broadcastStrides(input: Shape, out: Shape): number[] {
  const own = contiguousStrides(input);
  const offset = out.length - input.length;
  return out.map((_, d) => (d < offset || input[d - offset] === 1 ? 0 : own[d - offset]));
}

export const MAX_RANK = 8;

/** The strided.wgsl Params block: size, rank, p, contiguous, shape[8], strides_a[8], strides_b[8]. */
export function stridedParams(op: string, shape: Shape, p: number, strides: number[][], contiguous: boolean): ArrayBuffer {
  if (shape.length > MAX_RANK) throw new ShapeError(`${op}: rank ${shape.length} is above the supported ${MAX_RANK}: ${formatShape(shape)}`);
  const buffer = new ArrayBuffer(16 + 3 * 32);
  const u32 = new Uint32Array(buffer);
  const size = shape.reduce((n, d) => n * d, 1);
  u32[0] = size;
  u32[1] = shape.length;
  new Float32Array(buffer)[2] = p;
  u32[3] = contiguous ? 1 : 0;
  shape.forEach((d, i) => { u32[4 + i] = d; });
  strides.forEach((s, which) => s.forEach((v, i) => { u32[12 + 8 * which + i] = v; }));
  return buffer;
}

/** An axis in [-rank, rank) made non-negative, or a ShapeError naming the op. */
export function normalizeAxis(op: string, axis: number, shape: Shape): number {
  const rank = shape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for shape ${formatShape(shape)} (rank ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}
