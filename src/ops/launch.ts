// Dispatch geometry shared by the op families, and the elementwise launcher. WebGPU caps each
// grid dimension at 65535 workgroups, so large 1-D launches fold into x and y (kernels
// rebuild the linear index from num_workgroups).

import { getDevice } from '../device/device.ts';
import { elementwiseShader, type Family, type Shader } from '../device/shaders.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';

const MAX_GRID = 65535;

/** Workgroups for `count` independent work items, `perGroup` to a workgroup. */
export function grid(count: number, perGroup: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / perGroup));
  if (groups <= MAX_GRID) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GRID);
  return [Math.ceil(groups / y), y, 1];
}

/** A shader's u32 constant (workgroup size, items per invocation), read from its WGSL. */
export function constantOf(shader: Shader, name: string): number {
  const value = shader.constants[name];
  if (value === undefined) throw new Error(`${shader.name}: no constant ${name} in the WGSL`);
  return value;
}

/** The WGSL function of an elementwise op: `leakyRelu` runs `op_leaky_relu`. */
export const wgslName = (name: string): string => `op_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;

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
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const size = dims.find((d) => d !== 1) ?? 1;
    if (dims.some((d) => d !== 1 && d !== size)) {
      throw new ShapeError(`${op}: shapes cannot broadcast: ${shapes.map(formatShape).join(' and ')} ` +
        `(dimension ${i} of the result: ${dims.join(' vs ')})`);
    }
    out.push(size);
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

/** How an elementwise kernel reads (or, for 'place', writes) its operands. */
export interface ElementwiseOptions {
  /** The op's scalar parameter (pow exponent, leaky relu slope); default 0. */
  p?: number;
  /** Strides per operand over the output's shape (default: broadcasting each operand). */
  strides?: number[][];
  /** Element offset added to operand a's index (main), or to the output's ('place'). */
  offset?: number;
}

/**
 * Runs `op_<fn>` of an elementwise family over `shape` (strided.wgsl): `main` with ITEMS
 * outputs per invocation, or `main_vec4` when every operand is periodic and the size, the
 * periods and the offset divide by 4.
 */
export function launchElementwise(op: string, family: Family, fn: string, inputs: Tensor[], shape: Shape, options: ElementwiseOptions = {}): Tensor {
  if (shape.length > MAX_RANK) throw new ShapeError(`${op}: rank ${shape.length} is above the supported ${MAX_RANK}: ${formatShape(shape)}`);
  const strides = options.strides ?? inputs.map((t) => broadcastStrides(t.shape, shape));
  const out = Tensor.empty(shape, op);
  if (out.size === 0) return out;
  const shader = elementwiseShader(family, fn);
  const offset = options.offset ?? 0;
  const periods = [0, 1, 2].map((i) => (strides[i] ? periodOf(shape, strides[i]) : 0));
  const vec4 = out.size % 4 === 0 && offset % 4 === 0 && strides.every((_, i) => periods[i] > 0 && periods[i] % 4 === 0);
  const wg = constantOf(shader, 'WG');
  getDevice().dispatch({ shader, entryPoint: vec4 ? 'main_vec4' : 'main' }, inputs.map((t) => t.buffer(op)), [out.buffer(op)],
    stridedParams(shape, options.p ?? 0, offset, periods, strides),
    vec4 ? grid(out.size / 4, wg) : grid(out.size, wg * constantOf(shader, 'ITEMS')));
  return out;
}

/**
 * Writes x into the region of `out` that starts at element `offset` and is laid out with
 * `outStrides` over x's shape (unary.wgsl's `place`): concat's pieces, slice's gradient.
 */
export function placeInto(op: string, x: Tensor, out: Tensor, offset: number, outStrides: number[]): void {
  if (x.size === 0) return;
  const shader = elementwiseShader('unary', 'op_copy');
  const wg = constantOf(shader, 'WG') * constantOf(shader, 'ITEMS');
  getDevice().dispatch({ shader, entryPoint: 'place' }, [x.buffer(op)], [out.buffer(op)],
    stridedParams(x.shape, 0, offset, [0, 0, 0], [outStrides]), grid(x.size, wg));
}

function stridedParams(shape: Shape, p: number, offset: number, periods: number[], strides: number[][]) {
  return {
    size: shape.reduce((n, d) => n * d, 1), rank: shape.length, p, offset,
    period_a: periods[0], period_b: periods[1], period_c: periods[2],
    shape: [...shape], strides_a: strides[0] ?? [], strides_b: strides[1] ?? [], strides_c: strides[2] ?? [],
  };
}
