// Elementwise ops: arithmetic with NumPy broadcasting (either operand may be a number),
// activations with their fused backward kernels, comparisons and selection. Each entry names
// its WGSL function by its own name (`op_<snake_case name>` in unary.wgsl, binary.wgsl or
// ternary.wgsl); the one-line math above each VJP is the derivative it implements.

import type { Family } from '../device/shaders.ts';
import { TypeError } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { checkNumber, checkOperand, checkTensor } from './args.ts';
import { fillTensor } from './fill.ts';
import { broadcastShapes, launchElementwise, wgslName } from './launch.ts';
import { primitive, composite, type BinaryOp, type FunctionOp, type MethodOp, type OpDef, type OpMeta, type Operand, type UnaryOp } from './op.ts';

export type { Operand } from './op.ts';

type P = { p: number };
type Vjp = OpDef<P>['vjp'];

const def = (family: Family, vjp: Vjp): OpDef<P> => ({
  shape: (inputs, _, op) => broadcastShapes(op.publicName, ...inputs.map((t) => t.shape)),
  forward: (inputs, { p }, shape, op) => launchElementwise(op.publicName, family, wgslName(op.name), inputs, shape, { p }),
  vjp,
});

/** A public unary op: f(x). */
const unary = (vjp: Vjp, meta: Omit<OpMeta, 'family'>) =>
  primitive(def('unary', vjp), { ...meta, family: 'unary' }, (run, op) => (x: Tensor) => run([checkTensor(op.publicName, 'x', x)], { p: 0 }));

/** An internal unary kernel with its scalar parameter: addScalar(x, 3) is x + 3. */
const unaryKernel = (vjp: Vjp) =>
  primitive(def('unary', vjp), { note: '', family: 'unary' }, (run) => (x: Tensor, p: number) => run([x], { p }));

/** An internal binary kernel: a fused backward (x or y, dy) or a tensor-tensor form. */
const binaryKernel = (vjp: Vjp) =>
  primitive(def('binary', vjp), { note: '', family: 'binary' }, (run) => (a: Tensor, b: Tensor, p: number = 0) => run([a, b], { p }));

/** A 0-d tensor holding v (for a number operand of an op without a tensor-number kernel). */
const scalarTensor = (v: number): Tensor => fillTensor('scalar', [], v);

/** Tensor-number kernels: t op s and s op t. */
interface ScalarForms { tensorNumber: (t: Tensor, s: number) => Tensor; numberTensor: (t: Tensor, s: number) => Tensor }

/**
 * A public binary op on operands that are tensors or numbers. A number uses the op's
 * tensor-number kernel when it has one (the number rides in the uniform), else a 0-d tensor.
 */
function binary(vjp: Vjp, meta: Omit<OpMeta, 'family'>, scalar?: () => ScalarForms) {
  return primitive(def('binary', vjp), { ...meta, family: 'binary' }, (run, op) => (a: Operand, b: Operand) => {
    const x = checkOperand(op.publicName, 'a', a);
    const y = checkOperand(op.publicName, 'b', b);
    if (typeof x === 'number' && typeof y === 'number') throw new TypeError(`${op.publicName}: both operands are numbers; at least one must be a Tensor`);
    if (typeof x !== 'number') checkTensor(op.publicName, 'a', x);
    if (typeof y !== 'number') checkTensor(op.publicName, 'b', y);
    if (scalar && typeof y === 'number') return scalar().tensorNumber(x as Tensor, y);
    if (scalar && typeof x === 'number') return scalar().numberTensor(y as Tensor, x);
    const [a2, b2] = [typeof x === 'number' ? scalarTensor(x) : x, typeof y === 'number' ? scalarTensor(y) : y];
    return run([a2, b2], { p: 0 }, [a2, b2].filter((t, i) => typeof [x, y][i] === 'number'));
  });
}

// Tensor-number kernels and the fused backward kernels of the activations.
// d(x+p) = dy
const addScalar = unaryKernel((dy) => [dy]);
// d(xp) = dy p
const mulScalar = unaryKernel((dy, _, __, { p }) => [mul(dy, p)]);
// d(x/p) = dy / p
const divScalar = unaryKernel((dy, _, __, { p }) => [div(dy, p)]);
// d(p-x) = -dy
const rsubScalar = unaryKernel((dy) => [neg(dy)]);
// d(p/x) = -dy p/x^2 = -dy out / x
const rdivScalar = unaryKernel((dy, [x], out) => [neg(mul(dy, div(out, x)))]);
// d(x^p) = dy p x^(p-1); p = 0 has gradient 0 everywhere (x^-1 would make 0 * inf at x = 0)
const powScalar = unaryKernel((dy, [x], _, { p }) => [p === 0 ? mul(dy, 0) : mul(dy, mul(pow(x, p - 1), p))]);
// d(a^b) = (dy b a^(b-1), dy a^b log a), the second 0 where a^b is 0 (as torch: no 0 * -inf)
const powTensor = binaryKernel((dy, [a, b], out) => [
  () => mul(dy, mul(b, pow(a, sub(b, 1)))),
  () => mul(dy, where(equal(out, 0), 0, mul(out, log(a)))),
]);
// d max(x, p) = dy [x >= p]; d min(x, p) = dy [x <= p] (the bound itself passes dy, as torch.clamp)
const clampMin = unaryKernel((dy, [x], _, { p }) => [mul(dy, greaterEqual(x, p))]);
const clampMax = unaryKernel((dy, [x], _, { p }) => [mul(dy, lessEqual(x, p))]);
const reluGrad = binaryKernel(null);
const leakyReluGrad = binaryKernel(null);
const tanhGrad = binaryKernel(null);
const sigmoidGrad = binaryKernel(null);
const geluGrad = binaryKernel(null);

// d(a+b) = (dy, dy); broadcasting is undone by the autograd engine
/** a + b, NumPy broadcasting; either operand may be a number. */
export const add: BinaryOp = binary((dy) => [dy, dy], { note: 'a + b; broadcasting, numbers allowed', kernels: { addScalar } },
  () => ({ tensorNumber: (t, s) => addScalar(t, s), numberTensor: (t, s) => addScalar(t, s) }));
// d(a-b) = (dy, -dy)
/** a - b, NumPy broadcasting; either operand may be a number (t - s is t + (-s), exactly). */
export const sub: BinaryOp = binary((dy) => [dy, () => neg(dy)], { note: 'a - b', kernels: { rsubScalar } },
  () => ({ tensorNumber: (t, s) => addScalar(t, -s), numberTensor: (t, s) => rsubScalar(t, s) }));
// d(ab) = (dy b, dy a)
/** a · b elementwise, NumPy broadcasting; either operand may be a number. */
export const mul: BinaryOp = binary((dy, [a, b]) => [() => mul(dy, b), () => mul(dy, a)], { note: 'a · b elementwise', kernels: { mulScalar } },
  () => ({ tensorNumber: (t, s) => mulScalar(t, s), numberTensor: (t, s) => mulScalar(t, s) }));
// d(a/b) = (dy / b, -dy a/b^2 = -dy out / b)
/** a / b, NumPy broadcasting; either operand may be a number. x / 0 is ±Infinity, 0 / 0 NaN. */
export const div: BinaryOp = binary((dy, [a, b], out) => [() => div(dy, b), () => neg(mul(dy, div(out, b)))], { note: 'a / b', kernels: { divScalar, rdivScalar } },
  () => ({ tensorNumber: (t, s) => divScalar(t, s), numberTensor: (t, s) => rdivScalar(t, s) }));

/** -x elementwise. */
export const neg: UnaryOp = unary((dy) => [neg(dy)], { note: '-x' }); // d(-x) = -dy
/** eˣ elementwise. */
export const exp: UnaryOp = unary((dy, _, out) => [mul(dy, out)], { note: 'eˣ' }); // d exp(x) = dy exp(x)
/** Natural logarithm elementwise (NaN below 0, -Infinity at 0). */
export const log: UnaryOp = unary((dy, [x]) => [div(dy, x)], { note: 'ln x' }); // d log(x) = dy / x
/** √x elementwise (NaN below 0). */
export const sqrt: UnaryOp = unary((dy, _, out) => [div(dy, mul(out, 2))], { note: '√x' }); // d sqrt(x) = dy / (2 sqrt(x))
/** x² elementwise. */
export const square: UnaryOp = unary((dy, [x]) => [mul(dy, mul(x, 2))], { note: 'x²' }); // d x^2 = 2 x dy
/** |x| elementwise; its gradient at 0 is 0. */
export const abs: UnaryOp = unary((dy, [x]) => [mul(dy, sign(x))], { note: '|x|; gradient 0 at 0' }); // d |x| = dy sign(x)
/** -1, 0 or 1 elementwise, as x is negative, zero or positive; a constant for autograd (gradient 0). */
export const sign: UnaryOp = unary('none', { note: '-1, 0 or 1' });
/** ReLU, max(x, 0) elementwise; its gradient at 0 is 0. */
export const relu: UnaryOp = unary((dy, [x]) => [reluGrad(x, dy)], { note: 'max(x, 0); gradient 0 at 0', kernels: { reluGrad } }); // d relu = dy [x > 0]
/** tanh(x) elementwise, computed through exp(-2|x|) so it cannot overflow. */
export const tanh: UnaryOp = unary((dy, _, out) => [tanhGrad(out, dy)], { note: 'tanh x, stable form', kernels: { tanhGrad } }); // d tanh = dy (1 - y²)
/** Logistic sigmoid 1 / (1 + e⁻ˣ) elementwise, split on the sign of x so it cannot overflow. */
export const sigmoid: UnaryOp = unary((dy, _, out) => [sigmoidGrad(out, dy)], { note: '1 / (1 + e⁻ˣ), stable form', kernels: { sigmoidGrad } }); // d sigmoid = dy y (1 - y)
/** GELU, tanh approximation: 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export const gelu: UnaryOp = unary((dy, [x]) => [geluGrad(x, dy)], { note: 'x·Φ(x), tanh approximation', kernels: { geluGrad } }); // d gelu: see op_gelu_grad

// d leaky(x) = dy (x > 0 ? 1 : alpha)
/** x for x > 0, alpha·x otherwise (alpha default 0.01). */
export const leakyRelu: MethodOp<[x: Tensor, alpha?: number]> = primitive(def('unary', (dy, [x], _, { p }) => [leakyReluGrad(x, dy, p)]),
  { note: 'x > 0 ? x : alpha·x (alpha 0.01)', family: 'unary', kernels: { leakyReluGrad } },
  (run, op) => (x: Tensor, alpha = 0.01) => run([checkTensor(op.publicName, 'x', x)], { p: checkNumber(op.publicName, 'alpha', alpha, { finite: true }) }));

/**
 * x^p elementwise for a number or a tensor exponent (broadcasting). Integer exponents up to 64
 * are exact products and allow negative x; other exponents of a negative x give NaN.
 */
export const pow: MethodOp<[x: Tensor, p: Operand]> = composite({ note: 'xᵖ, p a number or tensor; integer p exact', kernels: { powScalar, powTensor } },
  (op) => (x: Tensor, p: Operand) => {
    checkTensor(op.publicName, 'x', x);
    const exponent = checkOperand(op.publicName, 'p', p);
    return typeof exponent === 'number' ? powScalar(x, exponent) : powTensor(x, checkTensor(op.publicName, 'p', exponent));
  });

/**
 * Clamps x to [min, max] elementwise (either bound may be null: no bound). NaN stays NaN; the
 * gradient passes where min <= x <= max, bounds included (as torch.clamp).
 */
export const clamp: MethodOp<[x: Tensor, min?: number | null, max?: number | null]> = composite({ note: 'min(max(x, lo), hi); gradient passes inside, bounds included', kernels: { clampMin, clampMax } },
  (op) => (x: Tensor, min: number | null = null, max: number | null = null) => {
    checkTensor(op.publicName, 'x', x);
    if (min !== null) checkNumber(op.publicName, 'min', min);
    if (max !== null) checkNumber(op.publicName, 'max', max);
    if (min === null && max === null) throw new TypeError(`${op.publicName}: give min, max or both (got neither)`);
    const low = min === null ? x : clampMin(x, min);
    return max === null ? low : clampMax(low, max);
  });

// d max(a, b) = dy to the larger; a tie splits dy in halves (as torch.maximum)
/** The larger of a and b elementwise, broadcasting; NaN in either gives NaN. At a tie each gets half the gradient. */
export const maximum: BinaryOp = binary((dy, [a, b]) => [
  () => mul(dy, add(greater(a, b), mul(equal(a, b), 0.5))),
  () => mul(dy, add(less(a, b), mul(equal(a, b), 0.5))),
], { note: 'larger of a, b; NaN propagates; a tie splits the gradient in halves' });
/** The smaller of a and b elementwise, broadcasting; NaN in either gives NaN. At a tie each gets half the gradient. */
export const minimum: BinaryOp = binary((dy, [a, b]) => [
  () => mul(dy, add(less(a, b), mul(equal(a, b), 0.5))),
  () => mul(dy, add(greater(a, b), mul(equal(a, b), 0.5))),
], { note: 'smaller of a, b; NaN propagates; a tie splits the gradient in halves' });

const comparison = (what: string): BinaryOp => binary('none', { note: `1 where a ${what} b, else 0; NaN compares false (≠: true)` });
/** 1 where a = b, else 0 (NaN equals nothing); broadcasting, numbers allowed. A constant for autograd. */
export const equal: BinaryOp = comparison('=');
/** 1 where a ≠ b, else 0 (NaN differs from everything). A constant for autograd. */
export const notEqual: BinaryOp = comparison('≠');
/** 1 where a > b, else 0 (false for NaN). A constant for autograd. */
export const greater: BinaryOp = comparison('>');
/** 1 where a ≥ b, else 0 (false for NaN). A constant for autograd. */
export const greaterEqual: BinaryOp = comparison('≥');
/** 1 where a < b, else 0 (false for NaN). A constant for autograd. */
export const less: BinaryOp = comparison('<');
/** 1 where a ≤ b, else 0 (false for NaN). A constant for autograd. */
export const lessEqual: BinaryOp = comparison('≤');

// d where(c, a, b) = (none, dy where c, dy where not c)
/**
 * a where cond is non-zero, else b, elementwise with broadcasting over all three; a and b may
 * be numbers. The branch not taken never reaches the result (inf or NaN there is harmless).
 */
export const where: FunctionOp<[cond: Tensor, a: Operand, b: Operand]> = primitive<P, [cond: Tensor, a: Operand, b: Operand]>(
  def('ternary', (dy, [c]) => [null, () => where(c, dy, 0), () => where(c, 0, dy)]),
  { note: 'a where cond ≠ 0, else b; gradients to a and b', family: 'ternary', method: false },
  (run, op) => (cond, a, b) => {
    const c = checkTensor(op.publicName, 'cond', cond);
    const x = checkOperand(op.publicName, 'a', a);
    const y = checkOperand(op.publicName, 'b', b);
    const made: Tensor[] = [];
    const tensorOf = (v: Operand, arg: string) => (typeof v === 'number' ? made[made.push(scalarTensor(v)) - 1] : checkTensor(op.publicName, arg, v));
    return run([c, tensorOf(x, 'a'), tensorOf(y, 'b')], { p: 0 }, made);
  });
