// The linear layer as one op: act(x·W + b) in one dispatch, matmul.wgsl's kernels compiled with
// linear-io.wgsl's epilogue (the bias and the activation applied to each output as it is
// stored: no separate add and activation passes over the output). Its backward takes the
// fewest dispatches the math needs: dx = dz·Wᵀ (one product) and dW = xᵀ·dz with db = the
// column sums of dz in the same pass (linear-grad-io.wgsl), where dz = dy·act'(y) comes from
// the next linear layer's dx product when backward() folds it there (linear-dx-io.wgsl), else
// from one elementwise kernel (none without an activation). nn.Linear and nn.Sequential use it.

import { shaders } from '../device/shaders.ts';
import type { Fold, InputGrad } from '../autograd.ts';
import { checkOutput, isCheckingNumerics } from '../debug.ts';
import { ShapeError } from '../errors.ts';
import { formatShape, Tensor, type Shape } from '../tensor.ts';
import { checkNumber, checkOneOf, checkOptions, checkTensor } from './args.ts';
import { gelu, leakyRelu, relu, sigmoid, tanh } from './elementwise.ts';
import { dispatchProduct, kernelFor, matmul, productParams } from './matmul.ts';
import { autoKernel, sumsColumns, VARIANTS, type Kernel, type MatmulVariant } from './matmul-kernels.ts';
import { primitive, type FunctionOp, type Op, type OpInfo } from './op.ts';
import { sum } from './reduce.ts';
import { reshape } from './shape.ts';

/** The activations linear() applies; gelu and a negative leaky slope run as a separate op after the product. */
export type LinearActivation = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu';
const ACTIVATIONS: readonly LinearActivation[] = ['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu'];
type Fused = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid';
/** linear-io.wgsl's ACT codes. */
const ACT_CODE: Record<Fused, number> = { linear: 0, relu: 1, leakyRelu: 2, tanh: 3, sigmoid: 4 };

/** Options of linear(). */
export interface LinearOptions {
  /** Applied to x·W + b in the same dispatch (default 'linear': none). */
  activation?: LinearActivation;
  /** leakyRelu's slope below zero (default 0.01). */
  alpha?: number;
  /** The matmul kernel (see MatmulOptions.variant; default 'auto'). */
  variant?: MatmulVariant;
}

type Attrs = { activation: Fused; alpha: number; variant: MatmulVariant };
type GradKernel = (y: Tensor, dy: Tensor, p?: number) => Tensor;

/**
 * The activation's fused backward kernel, fed the output y instead of the input: relu's and
 * leaky relu's (slope >= 0) sign of y is the sign of x, tanh's and sigmoid's use y already.
 */
function activationGrad(activation: Exclude<Fused, 'linear'>): GradKernel {
  const [op, key] = { relu: [relu, 'reluGrad'], leakyRelu: [leakyRelu, 'leakyReluGrad'], tanh: [tanh, 'tanhGrad'], sigmoid: [sigmoid, 'sigmoidGrad'] }[activation] as [Op, string];
  return op.meta.kernels![key] as unknown as GradKernel;
}

/**
 * The kernel for dW = xᵀ·dz when it is one that also sums dz's columns (the vec4 aᵀ·b ones),
 * else null: the product's own choice comes first (on a GPU the tiled kernel may beat the
 * one dispatch saved), and the bias gradient is then a separate sum.
 */
function summingKernel(m: number, k: number, n: number): Kernel | null {
  const choice = autoKernel('tn', { m, k, n });
  return sumsColumns(choice) ? choice : null;
}

/** dW = xᵀ·dz and db = Σ_rows dz in one dispatch. */
function weightAndBiasGrads(op: OpInfo, x: Tensor, dz: Tensor, kernel: Kernel): [Tensor, Tensor] {
  const name = op.publicName;
  const product = productParams(x, dz, true, false);
  const dw = Tensor.empty([product.dims.m, product.dims.n], name);
  const db = Tensor.empty([product.dims.n], name);
  dispatchProduct(name, kernel, product, { shader: shaders.linearGrad }, [x, dz], [dw, db]);
  if (isCheckingNumerics()) {
    checkOutput(`${name} (weight gradient)`, [x.shape, dz.shape], dw);
    checkOutput(`${name} (bias gradient)`, [x.shape, dz.shape], db);
  }
  return [dw, db];
}

/**
 * The gradients given dz = dL/d(x·W + b): dx = dz·Wᵀ (or, folded, dz·Wᵀ ⊙ act'(x) for the
 * layer before, in one dispatch), and dW = xᵀ·dz with db = Σ_rows dz in one pass where the
 * kernel can sum.
 */
function gradsFromPre(dz: Tensor, [x, w, b]: Tensor[]): InputGrad[] {
  const [rows, inSize] = x.shape;
  const kernel = b && w.requiresGrad && b.requiresGrad ? summingKernel(inSize, rows, w.shape[1]) : null;
  let both: [Tensor, Tensor] | null = null;
  const fused = () => (both ??= weightAndBiasGrads(linear.info, x, dz, kernel!));
  return [
    { plain: () => matmul(dz, w, { transposeB: true }), folded: (fold) => foldedInputGrad(linear.info, dz, w, fold) },
    () => (kernel ? fused()[0] : matmul(x, dz, { transposeA: true })),
    ...(b ? [() => (kernel ? fused()[1] : sum(dz, 0))] : []),
  ];
}

/** dz·Wᵀ ⊙ act'(y) in one dispatch: the pre-activation gradient of the layer whose output y is this one's input. */
function foldedInputGrad(op: OpInfo, dz: Tensor, w: Tensor, { activation, alpha, y }: Fold): Tensor {
  const name = op.publicName;
  const product = productParams(dz, w, false, true);
  const out = Tensor.empty([product.dims.m, product.dims.n], name);
  if (out.size === 0) return out;
  const kernel = autoKernel(product.layout, product.dims);
  dispatchProduct(name, kernel, product, { shader: shaders.linearDx, constants: { ACT: ACT_CODE[activation as Fused] } }, [dz, w, y], [out], { alpha });
  if (isCheckingNumerics()) checkOutput(`${name} (input gradient)`, [dz.shape, w.shape], out);
  return out;
}

function linearShape([x, w, b]: Tensor[], _: Attrs, op: OpInfo): Shape {
  const shapes = `x ${formatShape(x.shape)}, weight ${formatShape(w.shape)}${b ? `, bias ${formatShape(b.shape)}` : ''}`;
  if (w.rank !== 2) throw new ShapeError(`${op.publicName}: weight must be [in, out], got ${shapes}`);
  if (x.rank !== 2 || x.shape[1] !== w.shape[0]) throw new ShapeError(`${op.publicName}: x's last dimension must be weight's in (${w.shape[0]}): ${shapes}`);
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[1])) throw new ShapeError(`${op.publicName}: bias must be [${w.shape[1]}] (weight's out): ${shapes}`);
  return [x.shape[0], w.shape[1]];
}

function linearForward([x, w, b]: Tensor[], { activation, alpha, variant }: Attrs, shape: Shape, op: OpInfo): Tensor {
  const name = op.publicName;
  const product = productParams(x, w, false, false);
  const kernel = kernelFor(name, variant, product.layout, product.dims);
  const out = Tensor.empty(shape, name);
  if (out.size === 0) return out;
  const constants = { ACT: ACT_CODE[activation], HAS_BIAS: b ? 1 : 0 };
  // Without a bias, W's buffer fills the bias binding; HAS_BIAS = 0 keeps the kernel from reading it.
  dispatchProduct(name, kernel, product, { shader: shaders.linear, constants }, [x, w, b ?? w], [out], { alpha });
  return out;
}

// y = act(z), z = x·W + b. dz = dy·act'(z), written from y; dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz.
/**
 * The linear layer y = act(x·W + b) in one GPU dispatch: x is [..., in], weight [in, out],
 * bias [out] or omitted (null). The activation is applied as each output is stored; its
 * backward sums the bias gradient in the same pass as the weight gradient. gelu, and
 * leakyRelu with a negative slope, run as their own op after the fused product and bias.
 * Values and gradients are those of `act(add(matmul(x, weight), bias))`.
 */
export const linear: FunctionOp<[x: Tensor, weight: Tensor, bias?: Tensor | null, options?: LinearOptions]> = primitive<Attrs, [x: Tensor, weight: Tensor, bias?: Tensor | null, options?: LinearOptions]>({
  shape: linearShape,
  forward: linearForward,
  vjp: (dy, inputs, y, { activation, alpha }) => gradsFromPre(activation === 'linear' ? dy : activationGrad(activation)(y, dy, alpha), inputs),
  // backward() hands dz over directly where the next linear layer folded act' into its dx.
  pre: {
    activation: ({ activation, alpha }) => (activation === 'linear' ? null : { activation, alpha }),
    vjp: (dz, inputs) => gradsFromPre(dz, inputs),
  },
}, { note: 'act(x·W + b) in one dispatch; bias gradient in the weight gradient\'s pass', method: false },
(run, op) => (x, weight, bias = null, options = {}) => {
  const name = op.publicName;
  checkTensor(name, 'x', x);
  checkTensor(name, 'weight', weight);
  if (bias !== null) checkTensor(name, 'bias', bias);
  checkOptions(name, options);
  const activation = checkOneOf(name, 'activation', options.activation ?? 'linear', ACTIVATIONS);
  const alpha = checkNumber(name, 'alpha', options.alpha ?? 0.01, { finite: true });
  const variant = checkOneOf(name, 'variant', options.variant ?? 'auto', VARIANTS);
  if (x.rank < 1) throw new ShapeError(`${name}: x must have at least 1 dimension, got ${formatShape(x.shape)}`);
  // Rows of any leading shape are one batch of rows; a 1-D x is one row.
  const flat = x.rank === 2 ? x : reshape(x, [-1, x.shape[x.rank - 1]]);
  const fusedAct: Fused = activation === 'gelu' || (activation === 'leakyRelu' && alpha < 0) ? 'linear' : activation;
  let y = run(bias ? [flat, weight, bias] : [flat, weight], { activation: fusedAct, alpha, variant });
  if (activation === 'gelu') y = gelu(y);
  if (activation === 'leakyRelu' && alpha < 0) y = leakyRelu(y, alpha);
  return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), weight.shape[weight.rank - 1]]);
});
