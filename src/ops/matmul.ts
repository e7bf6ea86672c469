// Matrix product, 2-D and batched 3-D (a 2-D operand is shared by every batch), on
// matmul.wgsl. The 4x4-block kernels are the default; `naive` stays selectable so tests and
// benchmarks can compare the variants.

import { getDevice } from '../device/device.ts';
import { sources } from '../device/shaders.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';
import { runOp, type OpDef } from './op.ts';
import { transpose } from './shape.ts';

export type MatmulVariant = 'auto' | 'naive' | 'block' | 'block_vec4';
type Attrs = { variant: MatmulVariant };

const WG = 8; // WG_X = WG_Y in matmul.wgsl

function matmulShape(a: Shape, b: Shape): number[] {
  const pair = `${formatShape(a)} x ${formatShape(b)}`;
  if (a.length < 2 || a.length > 3 || b.length < 2 || b.length > 3) {
    throw new ShapeError(`matmul: operands must be 2-D or 3-D (batched): ${pair}`);
  }
  const [m, k] = a.slice(-2);
  const [k2, n] = b.slice(-2);
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: ${pair}`);
  if (a.length === 3 && b.length === 3 && a[0] !== b[0]) throw new ShapeError(`matmul: batch sizes differ: ${pair}`);
  const batch = a.length === 3 ? a[0] : b.length === 3 ? b[0] : null;
  if (batch !== null && batch > 65535) throw new ShapeError(`matmul: batch ${batch} is above 65535: ${pair}`);
  return batch === null ? [m, n] : [batch, m, n];
}

/** Picks the kernel: vec4 loads need K and N to be multiples of 4 (row starts 16-byte aligned). */
export function chooseVariant(variant: MatmulVariant, k: number, n: number): Exclude<MatmulVariant, 'auto'> {
  if (variant === 'block_vec4' && (k % 4 || n % 4)) throw new ShapeError(`matmul: block_vec4 needs K and N divisible by 4, got K=${k}, N=${n}`);
  if (variant !== 'auto') return variant;
  return k % 4 === 0 && n % 4 === 0 ? 'block_vec4' : 'block';
}

function launchMatmul(a: Tensor, b: Tensor, shape: Shape, requested: MatmulVariant): Tensor {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.rank - 1];
  const batch = shape.length === 3 ? shape[0] : 1;
  const variant = chooseVariant(requested, k, n); // may throw: before allocating
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  const strideA = a.rank === 3 ? m * k : 0;
  const strideB = b.rank === 3 ? k * n : 0;
  const params = new Uint32Array([m, k, n, strideA, strideB, 0, 0, 0]).buffer;
  const cols = variant === 'naive' ? n : Math.ceil(n / 4);
  const rows = variant === 'naive' ? m : Math.ceil(m / 4);
  const groups: [number, number, number] = [Math.ceil(cols / WG), Math.ceil(rows / WG), batch];
  const kernel = { name: `matmul:${variant}`, source: sources.matmul, entryPoint: variant };
  getDevice().dispatch(kernel, [a.buffer('matmul'), b.buffer('matmul')], [out.buffer('matmul')], params, groups);
  return out;
}

export const matmulOps = {
  // d(a·b) = (dy·bᵀ, aᵀ·dy); a shared 2-D operand's gradient is summed over the batch by autograd
  matmul: {
    shape: ([a, b]) => matmulShape(a.shape, b.shape),
    forward: ([a, b], { variant }, shape) => launchMatmul(a, b, shape, variant),
    vjp: (dy, [a, b]) => [matmul(dy, transpose(b)), matmul(transpose(a), dy)],
  } satisfies OpDef<Attrs>,
};

/** Matrix product of [M,K] and [K,N] (or batched [B,M,K] with [B,K,N], [K,N] or [B,K,N]). */
export const matmul = (a: Tensor, b: Tensor, variant: MatmulVariant = 'auto'): Tensor =>
  runOp('matmul', matmulOps.matmul, [a, b], { variant });
