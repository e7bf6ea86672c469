// The float64 side of the speed benchmark: seeded data that every library loads (generated
// once, on the CPU, as float32 values), a float64 forward pass that gives the loss each
// library must start from, and the checks a result has to pass before its time is reported.

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32 values: uniform in [-scale, scale), or normal with std `scale` (Box-Muller). */
export function randomArray(n: number, seed: number, kind: 'uniform' | 'normal', scale = 1): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = kind === 'uniform'
      ? (2 * next() - 1) * scale
      : Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) * scale;
  }
  return out;
}

export type Activation = 'relu' | 'tanh';

/** An MLP of the benchmark: depth hidden layers Linear(width) + activation, then Linear(outputs). */
export interface MlpSpec { depth: number; width: number; batch: number; inputs: number; outputs: number; activation: Activation }

/** Weights W [in, out] (row-major, y = x·W + b) and biases b [out], layer by layer, plus the batch. */
export interface MlpData {
  spec: MlpSpec;
  layers: { w: Float32Array; b: Float32Array; in: number; out: number }[];
  /** [batch, inputs] */
  x: Float32Array;
  /** [batch, outputs], the MSE target */
  y: Float32Array;
}

/** The same data for the same spec and seed, everywhere: He-scaled weights for relu, LeCun for tanh. */
export function mlpData(spec: MlpSpec, seed = 1): MlpData {
  const gain2 = spec.activation === 'relu' ? 2 : 1;
  const layers = Array.from({ length: spec.depth + 1 }, (_, i) => {
    const fanIn = i === 0 ? spec.inputs : spec.width;
    const out = i === spec.depth ? spec.outputs : spec.width;
    return {
      in: fanIn, out,
      w: randomArray(fanIn * out, seed * 1000 + 2 * i, 'normal', Math.sqrt(gain2 / fanIn)),
      b: randomArray(out, seed * 1000 + 2 * i + 1, 'uniform', 0.1),
    };
  });
  return {
    spec, layers,
    x: randomArray(spec.batch * spec.inputs, seed * 1000 + 998, 'normal'),
    y: randomArray(spec.batch * spec.outputs, seed * 1000 + 999, 'normal'),
  };
}

/** A checksum of the data (so a page can show it generated the same values as Node). */
export function checksum(data: MlpData): number {
  let s = 0;
  for (const l of data.layers) for (let i = 0; i < l.w.length; i += 97) s += l.w[i] * ((i % 13) + 1);
  for (let i = 0; i < data.x.length; i += 31) s += data.x[i];
  return s;
}

/** The MSE loss, mean over all elements of (pred − y)², in float64. */
export function mse(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return s / y.length;
}

/** The forward pass in float64 from the float32 weights; returns the output [batch, outputs]. */
export function forward64(data: MlpData): Float64Array {
  const { batch, activation } = data.spec;
  let h = Float64Array.from(data.x);
  data.layers.forEach((l, i) => {
    const next = new Float64Array(batch * l.out);
    for (let r = 0; r < batch; r++) {
      const row = next.subarray(r * l.out, (r + 1) * l.out);
      row.set(l.b);
      for (let k = 0; k < l.in; k++) {
        const a = h[r * l.in + k];
        if (a === 0) continue;
        const wk = k * l.out;
        for (let j = 0; j < l.out; j++) row[j] += a * l.w[wk + j];
      }
      if (i < data.layers.length - 1) {
        for (let j = 0; j < l.out; j++) row[j] = activation === 'relu' ? Math.max(row[j], 0) : Math.tanh(row[j]);
      }
    }
    h = next;
  });
  return h;
}

/** The initial loss in float64. */
export const loss64 = (data: MlpData): number => mse(forward64(data), data.y);

/** Relative tolerance of a loss against the float64 reference. */
export const LOSS_RTOL = 1e-3;

/** null when `loss` matches the reference within LOSS_RTOL, else why not. */
export function checkLoss(loss: number, reference: number, what = 'loss'): string | null {
  if (!Number.isFinite(loss)) return `${what} ${loss} is not finite (float64 reference ${fmt(reference)})`;
  const rel = Math.abs(loss - reference) / Math.abs(reference);
  return rel <= LOSS_RTOL ? null : `${what} ${fmt(loss)} is off the float64 reference ${fmt(reference)} by ${(rel * 100).toPrecision(2)}% (tolerance ${LOSS_RTOL * 100}%)`;
}

/** null when the losses fall over the steps (last below first, all finite), else why not. */
export function checkFalling(losses: number[]): string | null {
  if (losses.length < 2) return 'fewer than two losses to compare';
  if (!losses.every(Number.isFinite)) return `a loss is not finite: ${losses.map(fmt).join(', ')}`;
  const last = losses[losses.length - 1];
  return last < losses[0] ? null : `the loss did not fall: ${losses.map(fmt).join(' → ')}`;
}

/** The rows of an n×n matmul checked against float64: first, middle and last. */
export const checkedRows = (n: number): number[] => [...new Set([0, n >> 1, n - 1])];

/**
 * null when rows `rows` of c (n×n, row-major; `c` may hold just those rows, in order, when
 * `rowsOnly`) match a·b in float64: |c − ref| ≤ 1e-4 · Σ_k |a_ik b_kj| + 1e-6 per entry.
 */
export function checkMatmul(a: Float32Array, b: Float32Array, c: ArrayLike<number>, n: number, rows = checkedRows(n)): string | null {
  if (c.length !== n * n) return `the output has ${c.length} values, expected ${n * n}`;
  for (const r of rows) {
    for (let j = 0; j < n; j++) {
      let ref = 0;
      let abs = 0;
      for (let k = 0; k < n; k++) {
        const t = a[r * n + k] * b[k * n + j];
        ref += t;
        abs += Math.abs(t);
      }
      const got = c[r * n + j];
      if (!(Math.abs(got - ref) <= 1e-4 * abs + 1e-6)) return `C[${r},${j}] = ${fmt(got)}, float64 gives ${fmt(ref)}`;
    }
  }
  return null;
}

export const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x));
