// Elementwise ops: unary, tensor-scalar and broadcasting binary arithmetic, activations and
// their fused backward kernels. Each entry pairs a WGSL function (unary.wgsl, binary.wgsl)
// with its VJP; the one-line math above each VJP is the derivative it implements.

import { getDevice } from '../device/device.ts';
import { binaryKernel, unaryKernel, type BinaryFn, type UnaryFn } from '../device/shaders.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, type Shape } from '../tensor.ts';
import { broadcastShapes, broadcastStrides, contiguousStrides, elementwiseLaunch } from './launch.ts';
import { runOp, type OpDef } from './op.ts';

type P = { p: number };

/** Runs a unary kernel over x read through `strides` (default: x laid out like the output). */
export function launchUnary(fn: UnaryFn, x: Tensor, shape: Shape, p = 0, strides = contiguousStrides(shape)): Tensor {
  const launch = elementwiseLaunch(fn, shape, p, [strides]); // may throw: before allocating
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  getDevice().dispatch({ ...unaryKernel(fn), entryPoint: launch.entryPoint }, [x.buffer(fn)], [out.buffer(fn)], launch.params, launch.groups);
  return out;
}

function launchBinary(fn: BinaryFn, a: Tensor, b: Tensor, shape: Shape, p = 0): Tensor {
  const launch = elementwiseLaunch(fn, shape, p, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]); // may throw: before allocating
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  getDevice().dispatch({ ...binaryKernel(fn), entryPoint: launch.entryPoint }, [a.buffer(fn), b.buffer(fn)], [out.buffer(fn)], launch.params, launch.groups);
  return out;
}

const unary = (fn: UnaryFn, vjp: OpDef<P>['vjp']): OpDef<P> => ({
  shape: ([x]) => x.shape,
  forward: ([x], { p }, shape) => launchUnary(fn, x, shape, p),
  vjp,
});

const binary = (name: string, fn: BinaryFn, vjp: OpDef<P>['vjp']): OpDef<P> => ({
  shape: ([a, b]) => broadcastShapes(name, a.shape, b.shape),
  forward: ([a, b], { p }, shape) => launchBinary(fn, a, b, shape, p),
  vjp,
});

export const elementwiseOps = {
  // d(a+b) = (dy, dy); broadcasting is undone by the autograd engine
  add: binary('add', 'add', (dy) => [dy, dy]),
  // d(a-b) = (dy, -dy)
  sub: binary('sub', 'sub', (dy) => [dy, () => neg(dy)]),
  // d(ab) = (dy b, dy a)
  mul: binary('mul', 'mul', (dy, [a, b]) => [() => mul(dy, b), () => mul(dy, a)]),
  // d(a/b) = (dy / b, -dy a/b^2 = -dy out / b)
  div: binary('div', 'div', (dy, [a, b], out) => [() => div(dy, b), () => neg(mul(dy, div(out, b)))]),
  // d(x+p) = dy
  addScalar: unary('add_scalar', (dy) => [dy]),
  // d(xp) = dy p
  mulScalar: unary('mul_scalar', (dy, _, __, { p }) => [mul(dy, p)]),
  // d(x/p) = dy / p
  divScalar: unary('div_scalar', (dy, _, __, { p }) => [div(dy, p)]),
  // d(p-x) = -dy
  rsubScalar: unary('rsub_scalar', (dy) => [neg(dy)]),
  // d(p/x) = -dy p/x^2 = -dy out / x
  rdivScalar: unary('rdiv_scalar', (dy, [x], out) => [neg(mul(dy, div(out, x)))]),
  // d(-x) = -dy
  neg: unary('neg', (dy) => [neg(dy)]),
  // d exp(x) = dy exp(x)
  exp: unary('exp', (dy, _, out) => [mul(dy, out)]),
  // d log(x) = dy / x
  log: unary('log', (dy, [x]) => [div(dy, x)]),
  // d sqrt(x) = dy / (2 sqrt(x))
  sqrt: unary('sqrt', (dy, _, out) => [div(dy, mul(out, 2))]),
  // d x^2 = 2 x dy
  square: unary('square', (dy, [x]) => [mul(dy, mul(x, 2))]),
  // d |x| = dy sign(x)  (0 at x = 0)
  abs: unary('abs', (dy, [x]) => [mul(dy, sign(x))]),
  sign: unary('sign', null),
  // d x^p = dy p x^(p-1)
  pow: unary('pow', (dy, [x], _, { p }) => [mul(dy, mul(pow(x, p - 1), p))]),
  // d relu(x) = dy [x > 0]
  relu: unary('relu', (dy, [x]) => [reluGrad(x, dy)]),
  // d leaky(x) = dy (x > 0 ? 1 : alpha)
  leakyRelu: unary('leaky_relu', (dy, [x], _, { p }) => [leakyReluGrad(x, dy, p)]),
  // d tanh(x) = dy (1 - tanh(x)^2)
  tanh: unary('tanh', (dy, _, out) => [tanhGrad(out, dy)]),
  // d sigmoid(x) = dy s (1 - s)
  sigmoid: unary('sigmoid', (dy, _, out) => [sigmoidGrad(out, dy)]),
  // d gelu(x): see op_gelu_grad in binary.wgsl
  gelu: unary('gelu', (dy, [x]) => [geluGrad(x, dy)]),
  reluGrad: binary('reluGrad', 'relu_grad', null),
  leakyReluGrad: binary('leakyReluGrad', 'leaky_relu_grad', null),
  tanhGrad: binary('tanhGrad', 'tanh_grad', null),
  sigmoidGrad: binary('sigmoidGrad', 'sigmoid_grad', null),
  geluGrad: binary('geluGrad', 'gelu_grad', null),
  equal: binary('equal', 'equal', null),
} satisfies Record<string, OpDef<P>>;


type Name = keyof typeof elementwiseOps;
const run = (name: Name, inputs: Tensor[], p = 0): Tensor => runOp(name, elementwiseOps[name], inputs, { p });

/** A tensor, or a number that stands for a tensor of that value broadcast to the other operand's shape. */
type Operand = Tensor | number;

type ScalarRule = (t: Tensor, s: number) => Tensor;

/** Dispatches on which operands are numbers: tensor op tensor, tensor op number, number op tensor. */
function scalarForm(op: Name, a: Operand, b: Operand, tensorNumber: ScalarRule, numberTensor: ScalarRule): Tensor {
  if (typeof a !== 'number' && typeof b !== 'number') return run(op, [a, b]);
  if (typeof a !== 'number' && typeof b === 'number') return tensorNumber(a, b);
  if (typeof a === 'number' && typeof b !== 'number') return numberTensor(b, a);
  throw new ShapeError(`${op}: both operands are numbers; at least one must be a Tensor`);
}

/** a + b, NumPy broadcasting; either operand may be a number. */
export const add = (a: Operand, b: Operand): Tensor =>
  scalarForm('add', a, b, (t, s) => run('addScalar', [t], s), (t, s) => run('addScalar', [t], s));
/** a · b elementwise, NumPy broadcasting; either operand may be a number. */
export const mul = (a: Operand, b: Operand): Tensor =>
  scalarForm('mul', a, b, (t, s) => run('mulScalar', [t], s), (t, s) => run('mulScalar', [t], s));
/** a - b, NumPy broadcasting; either operand may be a number (t - s is t + (-s), exactly). */
export const sub = (a: Operand, b: Operand): Tensor =>
  scalarForm('sub', a, b, (t, s) => run('addScalar', [t], -s), (t, s) => run('rsubScalar', [t], s));
/** a / b, NumPy broadcasting; either operand may be a number. */
export const div = (a: Operand, b: Operand): Tensor =>
  scalarForm('div', a, b, (t, s) => run('divScalar', [t], s), (t, s) => run('rdivScalar', [t], s));

/** -x elementwise. */
export const neg = (x: Tensor): Tensor => run('neg', [x]);
/** eˣ elementwise. */
export const exp = (x: Tensor): Tensor => run('exp', [x]);
/** Natural logarithm elementwise (NaN below 0, -Infinity at 0). */
export const log = (x: Tensor): Tensor => run('log', [x]);
/** √x elementwise (NaN below 0). */
export const sqrt = (x: Tensor): Tensor => run('sqrt', [x]);
/** x² elementwise. */
export const square = (x: Tensor): Tensor => run('square', [x]);
/** |x| elementwise; its gradient at 0 is 0. */
export const abs = (x: Tensor): Tensor => run('abs', [x]);
/** -1, 0 or 1 elementwise, as x is negative, zero or positive. Has no gradient: on a tensor that requires one, call it under noGrad() (else GpugradError). */
export const sign = (x: Tensor): Tensor => run('sign', [x]);
/** x^p elementwise for a number p (negative x allowed when p is an integer). */
export const pow = (x: Tensor, p: number): Tensor => run('pow', [x], p);
/** ReLU, max(x, 0) elementwise; its gradient at 0 is 0. */
export const relu = (x: Tensor): Tensor => run('relu', [x]);
/** x for x > 0, alpha·x otherwise. */
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => run('leakyRelu', [x], alpha);
/** tanh(x) elementwise, computed through exp(-2|x|) so it cannot overflow. */
export const tanh = (x: Tensor): Tensor => run('tanh', [x]);
/** Logistic sigmoid 1 / (1 + e⁻ˣ) elementwise, split on the sign of x so it cannot overflow. */
export const sigmoid = (x: Tensor): Tensor => run('sigmoid', [x]);
/** GELU, tanh approximation: 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export const gelu = (x: Tensor): Tensor => run('gelu', [x]);
/** 1 where a = b and 0 elsewhere, NumPy broadcasting. Has no gradient: under noGrad() for tensors that require one. */
export const equal = (a: Tensor, b: Tensor): Tensor => run('equal', [a, b]);
const reluGrad = (x: Tensor, dy: Tensor): Tensor => run('reluGrad', [x, dy]);
const leakyReluGrad = (x: Tensor, dy: Tensor, alpha: number): Tensor => run('leakyReluGrad', [x, dy], alpha);
const tanhGrad = (y: Tensor, dy: Tensor): Tensor => run('tanhGrad', [y, dy]);
const sigmoidGrad = (y: Tensor, dy: Tensor): Tensor => run('sigmoidGrad', [y, dy]);
const geluGrad = (x: Tensor, dy: Tensor): Tensor => run('geluGrad', [x, dy]);
