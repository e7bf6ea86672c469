// Matrix product on matmul.wgsl, with either operand optionally transposed in place. The
// kernel takes 2-D and batched 3-D operands (a 2-D operand is shared by every batch); other
// batch shapes (rank 4 and up, batch broadcasting) are brought to that form with views, or
// broadcastTo where a batch really repeats, before the dispatch. Which kernel runs is
// matmul-kernels.ts's choice unless the call names one.

import { getDevice } from '../device/device.ts';
import { quadVersion, shaders, type Shader } from '../device/shaders.ts';
import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { checkBoolean, checkOneOf, checkTensor, describe } from './args.ts';
import { broadcastShapes } from './launch.ts';
import { autoKernel, checkVariant, grid, layoutOf, usesSubgroups, VARIANTS, type Dims, type Kernel, type Layout, type MatmulVariant } from './matmul-kernels.ts';
import { primitive, type MethodOp, type OpInfo } from './op.ts';
import { broadcastTo, reshape } from './shape.ts';

type Attrs = { variant: MatmulVariant; transposeA: boolean; transposeB: boolean };

/** Options of matmul(): transposed operands and the kernel. */
export interface MatmulOptions {
  /** Multiply by the transpose of a (its last two axes), read in place without a copy. */
  transposeA?: boolean;
  /** Multiply by the transpose of b (its last two axes), read in place without a copy. */
  transposeB?: boolean;
  /**
   * The kernel: 'naive' (one output per invocation), 'block' (4x4 outputs per invocation, any
   * shape), 'block_vec4' and 'wide' (4x4 and 8x8 with vec4 loads: for a·b K and N multiples of
   * 4, for aᵀ·b M and N, for a·bᵀ K; not for aᵀ·bᵀ), 'quad' (wide with the loads of a shared
   * by the four invocations of a subgroup quad; needs the adapter's 'subgroups' feature),
   * 'tiled' (64x64 tiles in workgroup memory, for GPUs), or 'auto' (default: the choice
   * tuneMatmul() measured for this adapter and shape, else quad or wide on CPU adapters and
   * tiled on GPUs where they apply).
   */
  variant?: MatmulVariant;
}


/** The [rows, cols] of op(x): the last two axes, swapped when transposed. */
const matrixDims = (x: Shape, transposed: boolean) => (transposed ? [x[x.length - 1], x[x.length - 2]] : x.slice(-2));

function matmulShape(a: Shape, b: Shape, { transposeA, transposeB }: Attrs): number[] {
  const t = (x: Shape, on: boolean) => `${formatShape(x)}${on ? 'ᵀ' : ''}`;
  const pair = `${t(a, transposeA)} x ${t(b, transposeB)}`;
  if (a.length < 2 || a.length > 3 || b.length < 2 || b.length > 3) {
    throw new ShapeError(`matmul: operands must be 2-D or 3-D (batched): ${pair}`);
  }
  const [m, k] = matrixDims(a, transposeA);
  const [k2, n] = matrixDims(b, transposeB);
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: ${pair}`);
  if (a.length === 3 && b.length === 3 && a[0] !== b[0]) throw new ShapeError(`matmul: batch sizes differ: ${pair}`);
  const batch = a.length === 3 ? a[0] : b.length === 3 ? b[0] : null;
  if (batch !== null && batch > 65535) throw new ShapeError(`matmul: batch ${batch} is above 65535: ${pair}`);
  return batch === null ? [m, n] : [batch, m, n];
}

/** The uniforms, dimensions and layout of op(a)·op(b) for matmul*.wgsl, from the stored shapes. */
export function productParams(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) {
  const [m, k] = matrixDims(a.shape, transposeA);
  const n = matrixDims(b.shape, transposeB)[1];
  // Element strides of op(a)[row, k] and op(b)[k, col] in the stored row-major matrices.
  const [aRow, aCol] = transposeA ? [1, m] : [k, 1];
  const [bRow, bCol] = transposeB ? [1, k] : [n, 1];
  const params = {
    m, k, n, stride_a: a.rank === 3 ? m * k : 0, stride_b: b.rank === 3 ? k * n : 0,
    a_row: aRow, a_col: aCol, b_row: bRow, b_col: bCol,
  };
  return { params, dims: { m, k, n }, layout: layoutOf(transposeA, transposeB) };
}

/** The kernel for a product: the asked variant (checked), or the adapter's choice for 'auto'. */
export function kernelFor(op: string, variant: MatmulVariant, layout: Layout, dims: Dims): Kernel {
  checkVariant(op, variant, layout, dims);
  return variant === 'auto' ? autoKernel(layout, dims) : variant;
}

/**
 * Dispatches one product of `shader` (matmul, or linear's forward or weight gradient: the same
 * kernels with other bindings) with `kernel`: inputs a, b and any more, then the outputs.
 */
export function dispatchProduct(op: string, kernel: Kernel, product: ReturnType<typeof productParams>, use: { shader: Shader; constants?: Record<string, number> },
  inputs: Tensor[], outputs: Tensor[], { batch = 1, alpha = 0 } = {}): void {
  const shader = usesSubgroups(kernel) ? quadVersion(use.shader) : use.shader;
  const { entryPoint, groups } = grid(shader, kernel, product.layout, product.dims, batch);
  getDevice().dispatch({ shader, constants: use.constants, entryPoint }, inputs.map((t) => t.buffer(op)), outputs.map((t) => t.buffer(op)), { ...product.params, alpha }, groups);
}

function launchMatmul(a: Tensor, b: Tensor, shape: Shape, attrs: Attrs, op: OpInfo): Tensor {
  const product = productParams(a, b, attrs.transposeA, attrs.transposeB);
  const kernel = kernelFor(op.publicName, attrs.variant, product.layout, product.dims); // may throw: before allocating
  const out = Tensor.empty(shape, 'matmul');
  if (out.size === 0) return out;
  dispatchProduct(op.publicName, kernel, product, { shader: shaders.matmul }, [a, b], [out], { batch: shape.length === 3 ? shape[0] : 1 });
  return out;
}

const mm = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) => matmul(a, b, { transposeA, transposeB });

/**
 * An operand as the kernel takes it: a 2-D matrix when its batch is all ones (shared by every
 * batch), else [batch, rows, cols] over the result's batch shape (broadcast where it repeats).
 */
function asKernelOperand(x: Tensor, outBatch: number[]): Tensor {
  const matrix = x.shape.slice(-2);
  const batch = x.shape.slice(0, -2);
  if (sizeOf(batch) === 1) return x.rank === 2 ? x : reshape(x, matrix);
  const full = formatShape(batch) === formatShape(outBatch) ? x : broadcastTo(x, [...outBatch, ...matrix]);
  return full.rank === 3 ? full : reshape(full, [sizeOf(outBatch), ...matrix]);
}

// C = op(A)·op(B). Untransposed: dA = dC·Bᵀ, dB = Aᵀ·dC; the transposed forms follow from
// (XY)ᵀ = YᵀXᵀ. Only what is needed: a network's first layer never wants dL/dx of its input.
// A shared 2-D operand's gradient comes out batched and is summed over the batch by autograd.
/**
 * Matrix product over the last two axes, [..., M, K]·[..., K, N] → [..., M, N], with NumPy
 * broadcasting of the batch axes ([B,M,K]·[K,N], [1,M,K]·[B,K,N], rank 4 and up). `options`
 * transposes either operand in place or picks a kernel; a variant name alone is accepted too.
 * Throws ShapeError when the inner dimensions or batch shapes do not fit.
 */
export const matmul: MethodOp<[a: Tensor, b: Tensor, options?: MatmulOptions | MatmulVariant]> = primitive<Attrs, [a: Tensor, b: Tensor, options?: MatmulOptions | MatmulVariant]>({
  shape: ([a, b], attrs) => matmulShape(a.shape, b.shape, attrs),
  forward: ([a, b], attrs, shape, op) => launchMatmul(a, b, shape, attrs, op),
  vjp: (dy, [a, b], _, { transposeA: ta, transposeB: tb }) => [
    () => (ta ? mm(b, dy, tb, true) : mm(dy, b, false, !tb)),
    () => (tb ? mm(dy, a, true, ta) : mm(a, dy, !ta, false)),
  ],
}, { note: '[..., M, K]·[..., K, N], batch broadcasting, transposes read in place' },
(run, op) => (a, b, options = {}) => {
  const name = op.publicName;
  checkTensor(name, 'a', a);
  checkTensor(name, 'b', b);
  const o = typeof options === 'string' ? { variant: options } : options;
  if (typeof o !== 'object' || o === null) throw new TypeError(`${name}: options must be { transposeA, transposeB, variant } or a variant name, got ${describe(options)}`);
  const attrs: Attrs = {
    variant: checkOneOf(name, 'variant', o.variant ?? 'auto', VARIANTS),
    transposeA: checkBoolean(name, 'transposeA', o.transposeA ?? false),
    transposeB: checkBoolean(name, 'transposeB', o.transposeB ?? false),
  };
  if (a.rank < 2 || b.rank < 2) throw new ShapeError(`${name}: operands need at least 2 dimensions: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
  const fits = (a.rank === 2 || b.rank === 2 || a.shape[0] === b.shape[0]) && a.rank <= 3 && b.rank <= 3;
  if (fits) return run([a, b], attrs);
  let outBatch: number[];
  try {
    outBatch = broadcastShapes(name, a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new ShapeError(`${name}: batch dimensions cannot broadcast: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
  }
  const out = run([asKernelOperand(a, outBatch), asKernelOperand(b, outBatch)], attrs);
  return out.rank === outBatch.length + 2 ? out : reshape(out, [...outBatch, ...out.shape.slice(-2)]);
});

export type { MatmulVariant } from './matmul-kernels.ts';
export { matmulTuning, setMatmulTuning } from './matmul-kernels.ts';
