/**
 * Float64 CPU reference implementations of gpugrad's operations, for tests only.
 *
 * Every function here takes Nd inputs (plus plain attributes) and returns a new
 * Nd; inputs are never modified. They are deliberately written as plain loops,
 * clarity over speed, and they never call the library (src/): GPU results are
 * checked against these independent float64 answers. Shape errors throw.
 */
import { sizeOf, stridesOf, zeros, type Nd } from './ndarray.ts';

// ---------------------------------------------------------------- broadcasting

/** NumPy broadcasting: align from the right, size-1 dims stretch, [] is a scalar. Throws if incompatible. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`broadcastShape: cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** For each flat index of `outShape`, the flat offset of the matching element of an array of `inShape`. */
function broadcastOffsets(inShape: readonly number[], outShape: readonly number[]): number[] {
  const inStrides = stridesOf(inShape);
  const outStrides = stridesOf(outShape);
  const lead = outShape.length - inShape.length;
  const total = sizeOf(outShape);
  const offsets = new Array<number>(total);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let off = 0;
    for (let d = 0; d < outShape.length; d++) {
      const idx = Math.floor(rem / outStrides[d]);
      rem -= idx * outStrides[d];
      const k = d - lead;
      if (k >= 0 && inShape[k] !== 1) off += idx * inStrides[k];
    }
    offsets[flat] = off;
  }
  return offsets;
}

function binary(a: Nd, b: Nd, fn: (x: number, y: number) => number): Nd {
  const shape = broadcastShape(a.shape, b.shape);
  const offA = broadcastOffsets(a.shape, shape);
  const offB = broadcastOffsets(b.shape, shape);
  const out = zeros(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = fn(a.data[offA[i]], b.data[offB[i]]);
  return out;
}

export const add = (a: Nd, b: Nd): Nd => binary(a, b, (x, y) => x + y);
export const sub = (a: Nd, b: Nd): Nd => binary(a, b, (x, y) => x - y);
export const mul = (a: Nd, b: Nd): Nd => binary(a, b, (x, y) => x * y);
export const div = (a: Nd, b: Nd): Nd => binary(a, b, (x, y) => x / y);

// ---------------------------------------------------------------- unary

function unary(x: Nd, fn: (v: number) => number): Nd {
  const out = zeros(x.shape);
  for (let i = 0; i < x.data.length; i++) out.data[i] = fn(x.data[i]);
  return out;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const neg = (x: Nd): Nd => unary(x, (v) => -v);
export const exp = (x: Nd): Nd => unary(x, Math.exp);
export const log = (x: Nd): Nd => unary(x, Math.log);
export const sqrt = (x: Nd): Nd => unary(x, Math.sqrt);
export const square = (x: Nd): Nd => unary(x, (v) => v * v);
export const abs = (x: Nd): Nd => unary(x, Math.abs);
export const pow = (x: Nd, p: number): Nd => unary(x, (v) => Math.pow(v, p));
export const relu = (x: Nd): Nd => unary(x, (v) => (v > 0 ? v : 0));
export const leakyRelu = (x: Nd, alpha: number): Nd => unary(x, (v) => (v > 0 ? v : alpha * v));
export const tanh = (x: Nd): Nd => unary(x, Math.tanh);
/** 1/(1+e^-x), evaluated so that neither branch overflows. */
export const sigmoid = (x: Nd): Nd =>
  unary(x, (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))));
/** GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export const gelu = (x: Nd): Nd =>
  unary(x, (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));

// ---------------------------------------------------------------- matmul

/**
 * [M,K]x[K,N] -> [M,N]; [B,M,K]x[B,K,N] -> [B,M,N]; [B,M,K]x[K,N] -> [B,M,N]
 * (in the last form the 2-D right operand is shared by every batch entry).
 */
export function matmul(a: Nd, b: Nd): Nd {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const bad = () => new Error(`matmul: unsupported shapes [${a.shape.join(',')}] x [${b.shape.join(',')}]`);
  if (!((ra === 2 && rb === 2) || (ra === 3 && (rb === 2 || rb === 3)))) throw bad();
  const batch = ra === 3 ? a.shape[0] : 1;
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) throw bad();
  if (rb === 3 && b.shape[0] !== batch) throw bad();
  const bBatchStride = rb === 3 ? K * N : 0;
  const out = zeros(ra === 3 ? [batch, M, N] : [M, N]);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[p * M * K + i * K + k] * b.data[p * bBatchStride + k * N + j];
        out.data[p * M * N + i * N + j] = s;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- layout

/** out.shape[i] = x.shape[axes[i]]. Default: swap the last two axes (identity for rank < 2). Negative axes allowed. */
export function transpose(x: Nd, axes?: number[]): Nd {
  const rank = x.shape.length;
  let perm: number[];
  if (axes === undefined) {
    perm = [...Array(rank).keys()];
    if (rank >= 2) [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  } else {
    perm = axes.map((ax) => (ax < 0 ? ax + rank : ax));
    const seen = new Set(perm);
    if (perm.length !== rank || seen.size !== rank || perm.some((ax) => !Number.isInteger(ax) || ax < 0 || ax >= rank)) {
      throw new Error(`transpose: [${axes.join(',')}] is not a permutation of ${rank} axes`);
    }
  }
  const outShape = perm.map((ax) => x.shape[ax]);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(outShape);
  const out = zeros(outShape);
  for (let flat = 0; flat < out.data.length; flat++) {
    let rem = flat;
    let off = 0;
    for (let d = 0; d < rank; d++) {
      const idx = Math.floor(rem / outStrides[d]);
      rem -= idx * outStrides[d];
      off += idx * inStrides[perm[d]];
    }
    out.data[flat] = x.data[off];
  }
  return out;
}

/** Same data, new shape; at most one dimension may be -1 (inferred). */
export function reshape(x: Nd, shape: number[]): Nd {
  const size = x.data.length;
  const inferred = shape.filter((d) => d === -1).length;
  const known = shape.filter((d) => d !== -1);
  const bad = () => new Error(`reshape: cannot reshape [${x.shape.join(',')}] to [${shape.join(',')}]`);
  if (inferred > 1 || known.some((d) => !Number.isInteger(d) || d < 0)) throw bad();
  const knownSize = sizeOf(known);
  let outShape = shape;
  if (inferred === 1) {
    if (knownSize === 0 || size % knownSize !== 0) throw bad();
    outShape = shape.map((d) => (d === -1 ? size / knownSize : d));
  }
  if (sizeOf(outShape) !== size) throw bad();
  return { shape: [...outShape], data: Float64Array.from(x.data) };
}

// ---------------------------------------------------------------- reductions

/** Applies `fn` to the values along `axis` (or to all values when axis is undefined). */
function reduce(x: Nd, axis: number | undefined, keepDims: boolean, fn: (vals: number[]) => number): Nd {
  const rank = x.shape.length;
  if (axis === undefined) {
    const out = zeros(keepDims ? x.shape.map(() => 1) : []);
    out.data[0] = fn(Array.from(x.data));
    return out;
  }
  const ax = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= rank) throw new Error(`reduce: axis ${axis} out of range for rank ${rank}`);
  const outer = sizeOf(x.shape.slice(0, ax));
  const len = x.shape[ax];
  const inner = sizeOf(x.shape.slice(ax + 1));
  const outShape = keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : x.shape.filter((_, i) => i !== ax);
  const out = zeros(outShape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const vals: number[] = [];
      for (let k = 0; k < len; k++) vals.push(x.data[(o * len + k) * inner + i]);
      out.data[o * inner + i] = fn(vals);
    }
  }
  return out;
}

const sumOf = (vals: number[]): number => vals.reduce((s, v) => s + v, 0);
const maxOf = (vals: number[]): number => vals.reduce((m, v) => Math.max(m, v), -Infinity);

export const sum = (x: Nd, axis?: number, keepDims = false): Nd => reduce(x, axis, keepDims, sumOf);
export const mean = (x: Nd, axis?: number, keepDims = false): Nd =>
  reduce(x, axis, keepDims, (vals) => sumOf(vals) / vals.length);
/** Max; NaN anywhere in the slice gives NaN. */
export const max = (x: Nd, axis?: number, keepDims = false): Nd =>
  reduce(x, axis, keepDims, maxOf);

// ---------------------------------------------------------------- softmax and losses

/** Calls fn on each row (contiguous slice along the last axis) and writes the row it returns. */
function mapRows(x: Nd, fn: (row: number[]) => number[]): Nd {
  if (x.shape.length === 0) throw new Error('softmax: needs rank >= 1');
  const C = x.shape[x.shape.length - 1];
  const out = zeros(x.shape);
  for (let r = 0; r * C < x.data.length; r++) {
    const row = fn(Array.from(x.data.subarray(r * C, (r + 1) * C)));
    out.data.set(row, r * C);
  }
  return out;
}

/** Softmax over the last axis, max-subtracted. */
export const softmax = (x: Nd): Nd =>
  mapRows(x, (row) => {
    const m = maxOf(row);
    const e = row.map((v) => Math.exp(v - m));
    const s = sumOf(e);
    return e.map((v) => v / s);
  });

/** log(softmax(x)) over the last axis, as x - m - log(sum(exp(x - m))). */
export const logSoftmax = (x: Nd): Nd =>
  mapRows(x, (row) => {
    const m = maxOf(row);
    const lse = m + Math.log(sumOf(row.map((v) => Math.exp(v - m))));
    return row.map((v) => v - lse);
  });

/** mean((pred - target)^2) over all elements; shapes must match exactly. Returns shape []. */
export function mseLoss(pred: Nd, target: Nd): Nd {
  if (pred.shape.join(',') !== target.shape.join(',')) {
    throw new Error(`mseLoss: shape mismatch [${pred.shape.join(',')}] vs [${target.shape.join(',')}]`);
  }
  return mean(square(sub(pred, target)));
}

/**
 * Mean over rows of -sum_c labels[n,c] * logSoftmax(logits)[n,c]. `labels` is an [N,C]
 * Nd of probabilities / one-hot rows, or N integer class indices. Returns shape [].
 * Zero-probability terms are skipped (0 * log 0 = 0).
 */
export function softmaxCrossEntropy(logits: Nd, labels: Nd | number[]): Nd {
  if (logits.shape.length !== 2) throw new Error(`softmaxCrossEntropy: logits must be [N,C], got [${logits.shape.join(',')}]`);
  const [N, C] = logits.shape;
  const ls = logSoftmax(logits);
  let total = 0;
  if (Array.isArray(labels)) {
    if (labels.length !== N) throw new Error(`softmaxCrossEntropy: ${labels.length} labels for ${N} rows`);
    for (let n = 0; n < N; n++) {
      const c = labels[n];
      if (!Number.isInteger(c) || c < 0 || c >= C) throw new Error(`softmaxCrossEntropy: label ${c} out of range [0,${C})`);
      total -= ls.data[n * C + c];
    }
  } else {
    if (labels.shape.join(',') !== logits.shape.join(',')) {
      throw new Error(`softmaxCrossEntropy: labels shape [${labels.shape.join(',')}] != logits [${N},${C}]`);
    }
    for (let i = 0; i < N * C; i++) if (labels.data[i] !== 0) total -= labels.data[i] * ls.data[i];
  }
  const out = zeros([]);
  out.data[0] = total / N;
  return out;
}

// ---------------------------------------------------------------- MLP

export type Activation = 'tanh' | 'relu' | 'linear';

export interface MlpLayer {
  /** [in, out] */
  w: Nd;
  /** [out] */
  b: Nd;
  act: Activation;
}

/** a = act(a · W + b) for each layer in order; x is [batch, in] (or [B, T, in]). */
export function mlpForward(x: Nd, layers: MlpLayer[]): Nd {
  let a = x;
  for (const { w, b, act } of layers) {
    const z = add(matmul(a, w), b);
    a = act === 'tanh' ? tanh(z) : act === 'relu' ? relu(z) : z;
  }
  return a;
}
