/**
 * Test-only float64 CPU arrays for gpugrad's reference checks.
 *
 * `Nd` is a minimal row-major, dense, float64 array (shape + data) used by the
 * independent CPU references in ops.ts and the helpers in check.ts. GPU results
 * (float32) are compared against values computed on these arrays. Nothing in
 * this directory may import or call the library (src/): the references must
 * stay independent so that a bug in the library cannot hide itself.
 *
 * Also here: a small seeded RNG (mulberry32) so that tests are reproducible,
 * and randn (Box-Muller, float64) / uniform fills built on it.
 */

/** Dense row-major float64 array. A 0-d array (scalar) has shape [] and one element. */
export interface Nd {
  shape: number[];
  data: Float64Array;
}

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Number of elements of a shape; [] (a scalar) has size 1. Throws on a bad dimension. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`sizeOf: bad dimension ${d} in shape [${shape.join(',')}]`);
    n *= d;
  }
  return n;
}

/** Row-major (C order) strides in elements: stridesOf([2,3,4]) = [12,4,1]; stridesOf([]) = []. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

/** Builds an Nd, copying `data` into a fresh Float64Array. Throws if the length does not match the shape. */
export function nd(data: ArrayLike<number>, shape: number[]): Nd {
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new Error(`nd: data length ${data.length} does not match shape [${shape.join(',')}] (size ${n})`);
  }
  return { shape: [...shape], data: Float64Array.from(data) };
}

/** All-zeros array of the given shape. */
export function zeros(shape: number[]): Nd {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

/** Deep copy of an Nd. */
export function clone(x: Nd): Nd {
  return { shape: [...x.shape], data: Float64Array.from(x.data) };
}

/**
 * Seeded PRNG (mulberry32): a 32-bit state, period 2^32, returns numbers in [0, 1)
 * with 32 random bits. Same seed, same sequence, on every platform.
 */
export function makeRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller in float64), shape `shape`. */
export function randn(shape: number[], rng: Rng): Nd {
  const out = zeros(shape);
  const n = out.data.length;
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rng(); // in (0, 1], so log(u1) is finite
    const u2 = rng();
    const r = Math.sqrt(-2 * Math.log(u1));
    out.data[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out.data[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Uniform samples in [lo, hi), shape `shape`. */
export function uniform(shape: number[], lo: number, hi: number, rng: Rng): Nd {
  const out = zeros(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = lo + (hi - lo) * rng();
  return out;
}
