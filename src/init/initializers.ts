// Weight initializers. Each is a function of (shape, options) that returns a new tensor made
// on the GPU (rng.wgsl), reproducible from `seed`. Variance scaling is the general rule,
// Var(w) = scale / fan; LeCun, Xavier/Glorot and He/Kaiming are presets of it. The variance
// stated for each is the variance of the weights produced, truncated normals included.

import { GpugradError, ShapeError, TypeError } from '../errors.ts';
import { checkBoolean, checkNumber, checkOneOf, describe } from '../ops/args.ts';
import { full, fromData, type TensorOptions } from '../ops/creation.ts';
import { fillTensor } from '../ops/fill.ts';
import { checkShape } from '../ops/args.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';
import { computeFans, type Fans } from './fans.ts';
import { calculateGain, type Nonlinearity } from './gains.ts';
import { normalsF64 } from './philox.ts';
import { random, type Distribution } from './rng.ts';

/** Options every random initializer takes: a seed, fans that override the shape's, requiresGrad. */
export interface InitOptions extends TensorOptions, Partial<Fans> {
  /** Integer seed; the same seed gives the same weights. Default: a random one. */
  seed?: number;
}

/** Std of a standard normal cut at ±2 (scipy.stats.truncnorm(-2, 2).std()); Keras divides by it. */
const TRUNCATED_STD = 0.8796256610342398;

const seedOf = (o: InitOptions) => o.seed ?? Math.floor(Math.random() * 2 ** 32);

/**
 * Checks what every initializer takes, before any GPU work, naming the initializer: a shape of
 * non-negative integers, an options object, an integer seed, positive fans, finite numbers.
 */
function checkInit(name: string, shape: unknown, o: unknown, numbers: string[] = []): void {
  const fn = `init.${name}`;
  checkShape(fn, 'shape', shape);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError(`${fn}: options must be an object, got ${describe(o)}`);
  const options = o as Record<string, unknown>;
  const seed = options.seed;
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) {
    throw new TypeError(`${fn}: seed must be a non-negative integer below 2^53, got ${describe(seed)}`);
  }
  for (const fan of ['fanIn', 'fanOut']) if (options[fan] !== undefined) checkNumber(fn, fan, options[fan], { finite: true, above: 0 });
  for (const key of numbers) if (options[key] !== undefined) checkNumber(fn, key, options[key], { finite: true });
  if (options.requiresGrad !== undefined) checkBoolean(fn, 'requiresGrad', options.requiresGrad);
}
const finish = (t: Tensor, o: InitOptions) => {
  t.requiresGrad = o.requiresGrad ?? false;
  return t;
};

/** Every weight 0 (Var = 0): every unit of a layer then computes the same thing. Use for biases. */
export const zeros = (shape: Shape, o: TensorOptions = {}): Tensor => { checkInit('zeros', shape, o); return full([...shape], 0, o); };
/** Every weight 1. */
export const ones = (shape: Shape, o: TensorOptions = {}): Tensor => { checkInit('ones', shape, o); return full([...shape], 1, o); };
/** Every weight equal to `value` (Var = 0). */
export const constant = (shape: Shape, o: TensorOptions & { value: number }): Tensor => {
  checkInit('constant', shape, o, ['value']);
  return full([...shape], checkNumber('init.constant', 'value', o.value), o);
};

/** N(mean, std²): Var = std² (default N(0, 1)). */
export function normal(shape: Shape, o: InitOptions & { mean?: number; std?: number } = {}): Tensor {
  checkInit('normal', shape, o, ['mean', 'std']);
  return finish(random(shape, 'normal', o.mean ?? 0, o.std ?? 1, seedOf(o)), o);
}

/** U[low, high): Var = (high - low)² / 12. */
export function uniform(shape: Shape, o: InitOptions & { low?: number; high?: number } = {}): Tensor {
  checkInit('uniform', shape, o, ['low', 'high']);
  return finish(random(shape, 'uniform', o.low ?? 0, o.high ?? 1, seedOf(o)), o);
}

/**
 * Normal with the given mean and std, values beyond 2 std of the underlying normal redrawn.
 * The underlying std is std / 0.8796 so the weights produced have standard deviation `std`.
 */
export function truncatedNormal(shape: Shape, o: InitOptions & { mean?: number; std?: number } = {}): Tensor {
  checkInit('truncatedNormal', shape, o, ['mean', 'std']);
  return finish(random(shape, 'truncatedNormal', o.mean ?? 0, (o.std ?? 1) / TRUNCATED_STD, seedOf(o)), o);
}

/** Which fan varianceScaling() divides by: fanIn, fanOut, or (fanIn + fanOut) / 2. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';

/** Options of varianceScaling(): Var(w) = scale / fan. */
export interface VarianceScalingOptions extends InitOptions {
  /** Default 1. */
  scale?: number;
  /** Default 'fanIn'. */
  mode?: FanMode;
  /** Default 'truncatedNormal', as Keras. */
  distribution?: Distribution;
}

/**
 * Var(w) = scale / fan, fan = fanIn, fanOut or their mean (Keras' VarianceScaling). Normal:
 * std √Var; truncated normal: √Var / 0.8796 before the cut; uniform: ±√(3 Var).
 * Throws GpugradError for a scale that is not positive or an unknown distribution, ShapeError
 * for fans that are not positive.
 */
export function varianceScaling(shape: Shape, o: VarianceScalingOptions = {}): Tensor {
  checkInit('varianceScaling', shape, o, ['scale']);
  const { scale = 1, mode = 'fanIn', distribution = 'truncatedNormal' } = o;
  if (!(scale > 0)) throw new GpugradError(`varianceScaling: scale must be positive, got ${scale}`);
  checkOneOf('init.varianceScaling', 'mode', mode, ['fanIn', 'fanOut', 'fanAvg']);
  checkOneOf('init.varianceScaling', 'distribution', distribution, ['normal', 'truncatedNormal', 'uniform']);
  const { fanIn, fanOut } = computeFans(shape, o);
  const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
  const variance = scale / fan;
  if (distribution === 'uniform') return uniform(shape, { ...o, low: -Math.sqrt(3 * variance), high: Math.sqrt(3 * variance) });
  return (distribution === 'normal' ? normal : truncatedNormal)(shape, { ...o, mean: 0, std: Math.sqrt(variance) });
}

/** checkInit for the presets of varianceScaling, so errors name the preset; always true. */
const checked = (name: string, shape: unknown, o: unknown, numbers?: string[]): true => {
  checkInit(name, shape, o, numbers);
  return true;
};

/** LeCun normal, Var = 1/fanIn (LeCun et al., "Efficient BackProp", 1998). Keeps tanh and SELU nets stable. */
export const lecunNormal = (shape: Shape, o: InitOptions = {}) => checked('lecunNormal', shape, o) && varianceScaling(shape, { ...o, scale: 1, mode: 'fanIn', distribution: 'normal' });
/** LeCun uniform, Var = 1/fanIn, bound √(3/fanIn) (LeCun et al., "Efficient BackProp", 1998). */
export const lecunUniform = (shape: Shape, o: InitOptions = {}) => checked('lecunUniform', shape, o) && varianceScaling(shape, { ...o, scale: 1, mode: 'fanIn', distribution: 'uniform' });

/** InitOptions plus `gain` (default 1), e.g. calculateGain('tanh') = 5/3. */
type GainOptions = InitOptions & { gain?: number };
/** Xavier/Glorot normal, Var = gain² · 2/(fanIn + fanOut) (Glorot & Bengio, AISTATS 2010). */
export const xavierNormal = (shape: Shape, o: GainOptions = {}) => checked('xavierNormal', shape, o, ['gain']) &&
  varianceScaling(shape, { ...o, scale: (o.gain ?? 1) ** 2, mode: 'fanAvg', distribution: 'normal' });
/** Xavier/Glorot uniform, Var = gain² · 2/(fanIn + fanOut), bound gain·√(6/(fanIn + fanOut)) (Glorot & Bengio, AISTATS 2010). */
export const xavierUniform = (shape: Shape, o: GainOptions = {}) => checked('xavierUniform', shape, o, ['gain']) &&
  varianceScaling(shape, { ...o, scale: (o.gain ?? 1) ** 2, mode: 'fanAvg', distribution: 'uniform' });

/** Options of the He/Kaiming initializers: Var = gain(nonlinearity, a)² / fan. */
export interface KaimingOptions extends InitOptions {
  /** Default 'fanIn' (keeps the forward signal's variance); 'fanOut' keeps the gradients'. */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'relu'. */
  nonlinearity?: Nonlinearity;
  /** Negative slope for leakyRelu. */
  a?: number;
}
const kaimingScale = (o: KaimingOptions) => calculateGain(o.nonlinearity ?? 'relu', o.a) ** 2;
/** He/Kaiming normal, Var = gain²/fan, 2/fanIn for ReLU (He et al., ICCV 2015). */
export const kaimingNormal = (shape: Shape, o: KaimingOptions = {}) => checked('kaimingNormal', shape, o, ['a']) &&
  varianceScaling(shape, { ...o, scale: kaimingScale(o), mode: o.mode ?? 'fanIn', distribution: 'normal' });
/** He/Kaiming uniform, Var = gain²/fan, bound gain·√(3/fan) (He et al., ICCV 2015). */
export const kaimingUniform = (shape: Shape, o: KaimingOptions = {}) => checked('kaimingUniform', shape, o, ['a']) &&
  varianceScaling(shape, { ...o, scale: kaimingScale(o), mode: o.mode ?? 'fanIn', distribution: 'uniform' });

export { xavierNormal as glorotNormal, xavierUniform as glorotUniform, kaimingNormal as heNormal, kaimingUniform as heUniform };

/** scale · I for a 2-D shape (ones on the main diagonal of a rectangular one). W = c·I makes a deep linear net scale by c per layer. */
export function identity(shape: Shape, o: TensorOptions & { scale?: number } = {}): Tensor {
  checkInit('identity', shape, o, ['scale']);
  if (shape.length !== 2) throw new ShapeError(`identity: needs a 2-D shape, got ${formatShape(shape)}`);
  return fillTensor('identity', shape, o.scale ?? 1, o.requiresGrad, 'eye');
}

/**
 * A (semi-)orthogonal matrix times gain (Saxe et al., ICLR 2014): the Q of a float64 QR of a
 * Gaussian matrix, signs fixed by R's diagonal so Q is uniformly distributed. Rows or columns
 * are orthonormal, whichever are fewer; shapes past 2-D are flattened to [shape[0], rest].
 */
export function orthogonal(shape: Shape, o: InitOptions & { gain?: number } = {}): Tensor {
  checkInit('orthogonal', shape, o, ['gain']);
  if (shape.length < 2) throw new ShapeError(`orthogonal: needs at least 2 dimensions, got ${formatShape(shape)}`);
  const rows = shape[0];
  const cols = shape.slice(1).reduce((n, d) => n * d, 1);
  const [tall, wide] = [Math.max(rows, cols), Math.min(rows, cols)];
  const q = orthonormalColumns(normalsF64(tall * wide, seedOf(o), 0x6f72), tall, wide); // 'or' stream
  const gain = o.gain ?? 1;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (rows >= cols ? q[i * wide + j] : q[j * wide + i]);
  }
  return fromData(out, shape, o);
}

/** Householder QR of a row-major [m, n] matrix (m >= n); returns Q's n columns as [m, n], sign-fixed. */
function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Float64Array(m);
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * n + k] > 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[i] ** 2;
    if (vv > 0) for (let j = 0; j < n; j++) reflect(r, v, vv, j, k, m, n);
    vs.push(v);
  }
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    let vv = 0;
    for (let i = k; i < m; i++) vv += vs[k][i] ** 2;
    if (vv > 0) for (let j = 0; j < n; j++) reflect(q, vs[k], vv, j, k, m, n);
  }
  // Multiply column j by sign(R_jj): makes the decomposition unique, so Q is Haar-distributed.
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}

/** Applies H = I - 2vvᵀ/(vᵀv) to column j of the row-major [m, n] matrix x (rows k..m-1). */
function reflect(x: Float64Array, v: Float64Array, vv: number, j: number, k: number, m: number, n: number): void {
  let dot = 0;
  for (let i = k; i < m; i++) dot += v[i] * x[i * n + j];
  const f = (2 * dot) / vv;
  for (let i = k; i < m; i++) x[i * n + j] -= f * v[i];
}
