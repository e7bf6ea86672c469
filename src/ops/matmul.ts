// Matrix product on matmul.wgsl, with either operand optionally transposed in place. The
// kernel takes 2-D and batched 3-D operands (a 2-D operand is shared by every batch); other
// batch shapes (rank 4 and up, batch broadcasting) are brought to that form with views, or
// broadcastTo where a batch really repeats, before the dispatch. The 4x4-block kernels are
// the default; `naive` stays selectable so tests and benchmarks can compare the variants.

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { checkBoolean, checkOneOf, checkTensor, describe } from './args.ts';
import { broadcastShapes } from './launch.ts';
import { primitive, type MethodOp } from './op.ts';
import { broadcastTo, reshape } from './shape.ts';

/**
 * A matmul kernel: 'naive' (one output per invocation), 'block' (a 4x4 block of outputs per
 * invocation), 'block_vec4' (the same with vec4 loads: for a·b K and N multiples of 4, for
 * aᵀ·b M and N, for a·bᵀ K; not for aᵀ·bᵀ), or 'auto' (block_vec4 where it applies, else block).
 */
export type MatmulVariant = 'auto' | 'naive' | 'block' | 'block_vec4';
type Attrs = { variant: MatmulVariant; transposeA: boolean; transposeB: boolean };

/** Options of matmul(): transposed operands and the kernel. */
export interface MatmulOptions {
  /** Multiply by the transpose of a (its last two axes), read in place without a copy. */
  transposeA?: boolean;
  /** Multiply by the transpose of b (its last two axes), read in place without a copy. */
  transposeB?: boolean;
  /** Kernel choice (default 'auto': block_vec4 when it applies, else block). */
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

type MatmulKernel = 'naive' | 'block' | 'block_vec4' | 'block_vec4_tn' | 'block_vec4_nt';

/** The vec4 kernel of each layout, and the dimensions its vec4 loads run along. */
const VEC4: Record<string, { entry: MatmulKernel; along: ('m' | 'k' | 'n')[] } | undefined> = {
  'a·b': { entry: 'block_vec4', along: ['k', 'n'] },
  'aᵀ·b': { entry: 'block_vec4_tn', along: ['m', 'n'] },
  'a·bᵀ': { entry: 'block_vec4_nt', along: ['k'] },
  'aᵀ·bᵀ': undefined,
};

/** Picks the kernel (matmul.wgsl's entry point): block_vec4's form for the layout when its vec4 loads fit. */
function chooseVariant({ variant, transposeA, transposeB }: Attrs, m: number, k: number, n: number): MatmulKernel {
  const layout = `a${transposeA ? 'ᵀ' : ''}·b${transposeB ? 'ᵀ' : ''}`;
  const vec4 = VEC4[layout];
  const dims = { m, k, n };
  const fits = vec4 !== undefined && vec4.along.every((d) => dims[d] % 4 === 0);
  if (variant === 'block_vec4' && !vec4) throw new ShapeError('matmul: block_vec4 has no kernel for aᵀ·bᵀ (both operands transposed)');
  if (variant === 'block_vec4' && !fits) {
    const need = vec4!.along.map((d) => `${d.toUpperCase()}=${dims[d]}`).join(', ');
    throw new ShapeError(`matmul: block_vec4 for ${layout} needs ${vec4!.along.map((d) => d.toUpperCase()).join(' and ')} divisible by 4, got ${need}`);
  }
  if (variant === 'naive' || variant === 'block') return variant;
  return fits ? vec4!.entry : 'block';
}

function launchMatmul(a: Tensor, b: Tensor, shape: Shape, attrs: Attrs): Tensor {
  const [m, k] = matrixDims(a.shape, attrs.transposeA);
  const n = shape[shape.length - 1];
  const batch = shape.length === 3 ? shape[0] : 1;
  const variant = chooseVariant(attrs, m, k, n); // may throw: before allocating
  const out = Tensor.empty(shape, 'matmul');
  if (out.size === 0) return out;
  // Element strides of op(a)[row, k] and op(b)[k, col] in the stored row-major matrices.
  const [aRow, aCol] = attrs.transposeA ? [1, m] : [k, 1];
  const [bRow, bCol] = attrs.transposeB ? [1, k] : [n, 1];
  const strideA = a.rank === 3 ? m * k : 0;
  const strideB = b.rank === 3 ? k * n : 0;
  const params = { m, k, n, stride_a: strideA, stride_b: strideB, a_row: aRow, a_col: aCol, b_row: bRow, b_col: bCol };
  // naive: one output per invocation; every other kernel: a 4x4 block.
  const cols = variant === 'naive' ? n : Math.ceil(n / 4);
  const rows = variant === 'naive' ? m : Math.ceil(m / 4);
  const shader = shaders.matmul;
  const groups: [number, number, number] = [Math.ceil(cols / shader.constants.WG_X), Math.ceil(rows / shader.constants.WG_Y), batch];
  getDevice().dispatch({ shader, entryPoint: variant }, [a.buffer('matmul'), b.buffer('matmul')], [out.buffer('matmul')], params, groups);
  return out;
}

const mm = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) => matmul(a, b, { transposeA, transposeB });

const VARIANTS: readonly MatmulVariant[] = ['auto', 'naive', 'block', 'block_vec4'];

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
  forward: ([a, b], attrs, shape) => launchMatmul(a, b, shape, attrs),
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
