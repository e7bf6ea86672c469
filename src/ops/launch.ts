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

/** Throws ShapeError naming `op` unless shape is a list of non-negative integers. */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: shape ${formatShape(shape)} must be a list of non-negative integers`);
  }
}

export const MAX_RANK = 8;

/**
 * The period of an operand read through `strides` over `shape`: the size of its contiguous
 * block when that block is only repeated along the leading axes (the whole size when laid
 * out like the output, n for a bias row broadcast under [m, n]), else 0 (strided reads).
 */
function periodOf(shape: Shape, strides: number[]): number {
  let d = shape.length - 1;
  let period = 1;
  for (; d >= 0 && (strides[d] === period || shape[d] === 1); d--) period *= shape[d];
  for (; d >= 0; d--) if (strides[d] !== 0 && shape[d] !== 1) return 0;
  return period;
}

/** An elementwise dispatch: strided.wgsl's Params block, the entry point and its workgroups. */
export interface ElementwiseLaunch { params: ArrayBuffer; entryPoint: 'main' | 'main_vec4'; groups: [number, number, number] }

const WG = 64; // strided.wgsl
const ITEMS = 4; // outputs per invocation of `main`

/**
 * Plans an elementwise kernel over `shape` whose operands are read through `strides` (one
 * list per operand): Params (size, rank, p, periods, shape[8], strides_a[8], strides_b[8])
 * and main_vec4 when every operand has a period and the size and periods divide by 4.
 */
export function elementwiseLaunch(op: string, shape: Shape, p: number, strides: number[][]): ElementwiseLaunch {
  if (shape.length > MAX_RANK) throw new ShapeError(`${op}: rank ${shape.length} is above the supported ${MAX_RANK}: ${formatShape(shape)}`);
  const buffer = new ArrayBuffer(32 + 3 * 32);
  const u32 = new Uint32Array(buffer);
  const size = shape.reduce((n, d) => n * d, 1);
  const periods = strides.map((s) => periodOf(shape, s));
  u32[0] = size;
  u32[1] = shape.length;
  new Float32Array(buffer)[2] = p;
  periods.forEach((period, which) => { u32[4 + which] = period; });
  shape.forEach((d, i) => { u32[8 + i] = d; });
  strides.forEach((s, which) => s.forEach((v, i) => { u32[16 + 8 * which + i] = v; }));
  const vec4 = size % 4 === 0 && periods.every((period) => period > 0 && period % 4 === 0);
  return vec4
    ? { params: buffer, entryPoint: 'main_vec4', groups: grid(size / 4, WG) }
    : { params: buffer, entryPoint: 'main', groups: grid(size, WG * ITEMS) };
}

/** An axis in [-rank, rank) made non-negative, or a ShapeError naming the op. */
export function normalizeAxis(op: string, axis: number, shape: Shape): number {
  const rank = shape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for shape ${formatShape(shape)} (rank ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}
