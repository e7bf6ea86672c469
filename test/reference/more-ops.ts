/**
 * Float64 CPU references of the everyday ops (comparisons and selection, reductions over
 * several axes, indexing and joining, shape views, batched matmul with broadcasting, losses),
 * for tests only. Plain loops over index tuples, written from the NumPy / PyTorch definitions;
 * like the rest of test/reference/, this file never calls the library.
 *
 * `domains` says where the random inputs of an elementwise op must come from (log needs
 * x > 0, ...), so the op-table tests can draw them for any op that has a reference here.
 */
import { add, broadcastShape, gelu, leakyRelu, matmul as matmul2, relu, sigmoid, tanh } from './ops.ts';
import { nd, sizeOf, stridesOf, zeros, type Nd } from './ndarray.ts';

/** Where the inputs of an elementwise op are drawn: uniform in `range`, or normal pushed |x| >= minAbs. */
export interface Domain { range?: [number, number]; minAbs?: number }

/** Input domains of the elementwise ops whose inputs are not plain standard normals (per operand). */
export const domains: Record<string, Domain[]> = {
  log: [{ range: [0.05, 5] }],
  sqrt: [{ range: [0.05, 5] }],
  div: [{}, { minAbs: 0.5 }],
  abs: [{ minAbs: 0.05 }],
  relu: [{ minAbs: 0.05 }],
  leakyRelu: [{ minAbs: 0.05 }],
};

/** Index tuples of a shape in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = sizeOf(shape);
  const strides = stridesOf(shape);
  for (let flat = 0; flat < n; flat++) yield shape.map((_, d) => Math.floor(flat / strides[d]) % shape[d]);
}

const at = (x: Nd, idx: number[]): number => x.data[idx.reduce((o, i, d) => o + i * stridesOf(x.shape)[d], 0)];

/** Elementwise over any number of broadcast operands. */
function broadcastMap(xs: Nd[], fn: (...v: number[]) => number): Nd {
  const shape = xs.map((x) => x.shape).reduce((a, b) => broadcastShape(a, b));
  const out = zeros(shape);
  let i = 0;
  for (const idx of indices(shape)) {
    out.data[i++] = fn(...xs.map((x) => at(x, idx.slice(idx.length - x.shape.length).map((v, d) => (x.shape[d] === 1 ? 0 : v)))));
  }
  return out;
}

export const maximum = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)));
export const minimum = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)));
export const equal = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => +(x === y));
export const notEqual = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => +(x !== y));
export const greater = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => +(x > y));
export const greaterEqual = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => +(x >= y));
export const less = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => +(x < y));
export const lessEqual = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => +(x <= y));
export const where = (c: Nd, a: Nd, b: Nd): Nd => broadcastMap([c, a, b], (s, x, y) => (s !== 0 ? x : y));
export const powTensor = (a: Nd, b: Nd): Nd => broadcastMap([a, b], (x, y) => x ** y);
export const clamp = (x: Nd, lo: number | null, hi: number | null): Nd =>
  broadcastMap([x], (v) => Math.min(Math.max(v, lo ?? -Infinity), hi ?? Infinity));

/** fn over the values of each output of a reduction over `axis` (one, several, or all). */
export function reduceAxes(x: Nd, axis: number | number[] | undefined, keepDims: boolean, fn: (vals: number[]) => number): Nd {
  const rank = x.shape.length;
  const axes = axis === undefined ? [...Array(rank).keys()] : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  const keptStrides = stridesOf(kept);
  for (const idx of indices(x.shape)) {
    const key = idx.reduce((o, v, d) => o + (axes.includes(d) ? 0 : v * keptStrides[d]), 0);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(at(x, idx));
  }
  const outShape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  const out = zeros(outShape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = fn(groups.get(i) ?? []);
  return out;
}

const total = (v: number[]) => v.reduce((s, t) => s + t, 0);
const meanOf = (v: number[]) => total(v) / v.length;
type Axis = number | number[] | undefined;

export const sumAxes = (x: Nd, axis?: Axis, keepDims = false): Nd => reduceAxes(x, axis, keepDims, total);
export const meanAxes = (x: Nd, axis?: Axis, keepDims = false): Nd => reduceAxes(x, axis, keepDims, meanOf);
export const maxAxes = (x: Nd, axis?: Axis, keepDims = false): Nd => reduceAxes(x, axis, keepDims, (v) => Math.max(...v));
export const minAxes = (x: Nd, axis?: Axis, keepDims = false): Nd => reduceAxes(x, axis, keepDims, (v) => Math.min(...v));
export const argmax = (x: Nd, axis?: number, keepDims = false): Nd =>
  reduceAxes(x, axis, keepDims, (v) => v.indexOf(Math.max(...v)));
export const argmin = (x: Nd, axis?: number, keepDims = false): Nd =>
  reduceAxes(x, axis, keepDims, (v) => v.indexOf(Math.min(...v)));
export const variance = (x: Nd, axis?: Axis, correction = 1, keepDims = false): Nd =>
  reduceAxes(x, axis, keepDims, (v) => { const m = meanOf(v); return total(v.map((t) => (t - m) ** 2)) / (v.length - correction); });
export const std = (x: Nd, axis?: Axis, correction = 1, keepDims = false): Nd =>
  reduceAxes(x, axis, keepDims, (v) => { const m = meanOf(v); return Math.sqrt(total(v.map((t) => (t - m) ** 2)) / (v.length - correction)); });
export const logSumExp = (x: Nd, axis?: Axis, keepDims = false): Nd =>
  reduceAxes(x, axis, keepDims, (v) => { const m = Math.max(...v); return m + Math.log(total(v.map((t) => Math.exp(t - m)))); });

/** x[starts[d] : ends[d]] per axis (missing entries: the whole axis; negative: from the end). */
export function slice(x: Nd, starts: (number | null)[], ends: (number | null)[] = []): Nd {
  const lo = x.shape.map((n, d) => { const s = starts[d] ?? 0; return s < 0 ? s + n : s; });
  const hi = x.shape.map((n, d) => { const e = ends[d] ?? n; return e < 0 ? e + n : e; });
  const shape = lo.map((l, d) => hi[d] - l);
  const out = zeros(shape);
  let i = 0;
  for (const idx of indices(shape)) out.data[i++] = at(x, idx.map((v, d) => v + lo[d]));
  return out;
}

export function concat(xs: Nd[], axis: number): Nd {
  const rank = xs[0].shape.length;
  const a = axis < 0 ? axis + rank : axis;
  const shape = xs[0].shape.map((d, i) => (i === a ? xs.reduce((n, x) => n + x.shape[a], 0) : d));
  const out = zeros(shape);
  let i = 0;
  for (const idx of indices(shape)) {
    let k = idx[a];
    let which = 0;
    while (k >= xs[which].shape[a]) k -= xs[which++].shape[a];
    out.data[i++] = at(xs[which], idx.map((v, d) => (d === a ? k : v)));
  }
  return out;
}

export function stack(xs: Nd[], axis: number): Nd {
  const rank = xs[0].shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  return concat(xs.map((x) => nd(x.data, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)])), a);
}

/** x at the given positions along axis (torch.index_select). */
export function indexSelect(x: Nd, idx: number[], axis: number): Nd {
  const shape = x.shape.map((d, i) => (i === axis ? idx.length : d));
  const out = zeros(shape);
  let i = 0;
  for (const t of indices(shape)) out.data[i++] = at(x, t.map((v, d) => (d === axis ? idx[v] : v)));
  return out;
}

/** out[t] = x[t with axis replaced by idx[t]] (torch.gather). */
export function gather(x: Nd, idx: Nd, axis: number): Nd {
  const out = zeros(idx.shape);
  let i = 0;
  for (const t of indices(idx.shape)) out.data[i++] = at(x, t.map((v, d) => (d === axis ? at(idx, t) : v)));
  return out;
}

export function oneHot(idx: number[], classes: number): Nd {
  return nd(idx.flatMap((c) => Array.from({ length: classes }, (_, j) => +(j === c))), [idx.length, classes]);
}

/** [..., M, K]·[..., K, N] with NumPy broadcasting of the batch axes. */
export function matmulBroadcast(a: Nd, b: Nd): Nd {
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const out = zeros([...batch, m, n]);
  let o = 0;
  for (const bi of indices(batch)) {
    const pick = (x: Nd) => {
      const xb = x.shape.slice(0, -2);
      const lead = bi.slice(bi.length - xb.length).map((v, d) => (xb[d] === 1 ? 0 : v));
      const size = x.shape.slice(-2).reduce((p, q) => p * q, 1);
      const offset = lead.reduce((s, v, d) => s + v * stridesOf(xb)[d], 0) * size;
      return nd(x.data.subarray(offset, offset + size), x.shape.slice(-2));
    };
    const c = matmul2(pick(a), pick(b));
    out.data.set(c.data, o);
    o += m * n;
  }
  return out;
}

const reduceLoss = (v: Nd, reduction: 'mean' | 'sum' | 'none'): Nd =>
  reduction === 'none' ? v : nd([reduction === 'sum' ? total(Array.from(v.data)) : meanOf(Array.from(v.data))], []);

export const mseLoss = (p: Nd, t: Nd, reduction: 'mean' | 'sum' | 'none' = 'mean'): Nd =>
  reduceLoss(broadcastMap([p, t], (x, y) => (x - y) ** 2), reduction);
export const l1Loss = (p: Nd, t: Nd, reduction: 'mean' | 'sum' | 'none' = 'mean'): Nd =>
  reduceLoss(broadcastMap([p, t], (x, y) => Math.abs(x - y)), reduction);
export const huberLoss = (p: Nd, t: Nd, delta = 1, reduction: 'mean' | 'sum' | 'none' = 'mean'): Nd =>
  reduceLoss(broadcastMap([p, t], (x, y) => { const d = Math.abs(x - y); return d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta); }), reduction);
/** -(t log σ(x) + (1 - t) log(1 - σ(x))), in float64 straight from the definition. */
export const binaryCrossEntropyWithLogits = (x: Nd, t: Nd, reduction: 'mean' | 'sum' | 'none' = 'mean'): Nd =>
  reduceLoss(broadcastMap([x, t], (v, y) => {
    const logSig = v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v));
    const logOneMinus = v >= 0 ? -v - Math.log1p(Math.exp(-v)) : -Math.log1p(Math.exp(v));
    return -(y * logSig + (1 - y) * logOneMinus);
  }), reduction);
/** Per-row -log softmax(x)[label], reduced. */
export function crossEntropyIndices(x: Nd, labels: number[], reduction: 'mean' | 'sum' | 'none' = 'mean'): Nd {
  const [rows, classes] = x.shape;
  const losses = labels.map((c, r) => {
    const row = Array.from(x.data.subarray(r * classes, (r + 1) * classes));
    const m = Math.max(...row);
    return m + Math.log(total(row.map((v) => Math.exp(v - m)))) - row[c];
  });
  return reduceLoss(nd(losses, [rows]), reduction);
}

/** The linear layer act(x·W + b) (b optional) over the last axis of x, as a composition of the references. */
export function linearLayer(x: Nd, w: Nd, b: Nd | null, act = 'linear', alpha = 0.01): Nd {
  const xw = x.shape.length === 1 ? nd(matmul2(nd(x.data, [1, x.shape[0]]), w).data, [w.shape[1]]) : matmul2(x, w);
  const z = b ? add(xw, b) : xw;
  const fns: Record<string, (v: Nd) => Nd> = { linear: (v) => v, relu, tanh, sigmoid, gelu, leakyRelu: (v) => leakyRelu(v, alpha) };
  return fns[act](z);
}
