// The GPU histogram kernel (shaders/histogram.wgsl, src/stats/histogram.ts) against a float64
// histogram computed here on the CPU: random values, values exactly on every bin edge, at lo
// and hi and one float32 step either side, out of range, ±Infinity and NaN; several tensors
// with their own ranges in one readback; a tensor large enough for many workgroups; bad arguments.

import { beforeAll, describe, expect, it } from 'vitest';
import { histograms, ready, tensor, TypeError, zeros } from '../src/index.ts';
import { makeRng, randn, uniform } from './reference/ndarray.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

interface Counts { counts: number[]; below: number; above: number; nan: number }

/** The float64 histogram: bin k holds lo + k·w <= x < lo + (k+1)·w, the last bin also hi (edges exact in these tests). */
function cpuHistogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): Counts {
  const out: Counts = { counts: new Array(bins).fill(0), below: 0, above: 0, nan: 0 };
  const w = (hi - lo) / bins;
  for (const v of Array.from(values)) {
    if (Number.isNaN(v)) out.nan++;
    else if (v < lo) out.below++;
    else if (v > hi) out.above++;
    else {
      let k = bins - 1;
      for (let j = 0; j < bins; j++) if (v < lo + (j + 1) * w) { k = j; break; }
      out.counts[k]++;
    }
  }
  return out;
}

/**
 * The float32 neighbours of x (a float32). WGSL lets an implementation flush subnormals to zero
 * (SwiftShader does), so the neighbours of 0 are taken as the smallest normal floats, ±2^-126.
 */
const below32 = (x: number) => { if (x === 0) return -(2 ** -126); const f = new Float32Array([x]); new Int32Array(f.buffer)[0] += x > 0 ? -1 : 1; return f[0]; };
const above32 = (x: number) => { if (x === 0) return 2 ** -126; const f = new Float32Array([x]); new Int32Array(f.buffer)[0] += x > 0 ? 1 : -1; return f[0]; };

const strip = (h: Counts) => ({ counts: h.counts, below: h.below, above: h.above, nan: h.nan });

describe('histograms', () => {
  it('random values, every edge, lo and hi and their float32 neighbours, out of range, ±Inf and NaN', async () => {
    const bins = 16, lo = -3, hi = 5; // width 0.5: every edge is exact in float32
    const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * 0.5);
    const special = [...edges, ...edges.map(below32), ...edges.map(above32), -1e30, 1e30, -Infinity, Infinity, NaN, NaN, 0, -0];
    const values = Float32Array.from([...randn([1000], makeRng(4)).data.map((v) => v * 2), ...special]);
    const [got] = await histograms([tensor(values)], { bins, range: [lo, hi] });
    expect(strip(got)).toEqual(cpuHistogram(values, bins, lo, hi));
    expect(got.edges).toEqual(edges);
    expect(got.nan).toBe(2);
    expect(got.counts[bins - 1]).toBeGreaterThan(0); // hi itself is in the last bin
  });

  it('several tensors with their own ranges, an empty one among them, come back from one call', async () => {
    const rng = makeRng(7);
    const a = Float32Array.from(uniform([500], -1, 1, rng).data);
    const b = Float32Array.from(randn([300], rng).data.map((v) => v * 1e-3));
    const ranges: [number, number][] = [[-1, 1], [-(2 ** -8), 2 ** -8], [0, 1]];
    const got = await histograms([tensor(a), tensor(b), zeros([0])], { bins: 8, range: ranges });
    expect(strip(got[0])).toEqual(cpuHistogram(a, 8, -1, 1));
    expect(strip(got[1])).toEqual(cpuHistogram(b, 8, -(2 ** -8), 2 ** -8));
    expect(strip(got[2])).toEqual({ counts: new Array(8).fill(0), below: 0, above: 0, nan: 0 });
  });

  it('a range whose edges are not exact (0.1 steps) bins values away from the edges as float64 does', async () => {
    const rng = makeRng(11);
    const lo = -0.3, hi = 0.7, bins = 10;
    const values = Float32Array.from(uniform([4000], -0.5, 0.9, rng).data)
      .filter((v) => Array.from({ length: bins + 1 }, (_, k) => lo + k * 0.1).every((e) => Math.abs(v - e) > 1e-6));
    const [got] = await histograms([tensor(values)], { bins, range: [lo, hi] });
    expect(strip(got)).toEqual(cpuHistogram(values, bins, lo, hi));
  });

  it('200 000 values over many workgroups: counts as float64, none lost', async () => {
    const values = Float32Array.from(randn([200_000], makeRng(2)).data);
    const [got] = await histograms([tensor(values)], { bins: 256, range: [-4, 4] });
    const ref = cpuHistogram(values, 256, -4, 4);
    expect(strip(got)).toEqual(ref);
    expect(got.counts.reduce((s, c) => s + c, 0) + got.below + got.above + got.nan).toBe(200_000);
  });

  it.each([
    [{ bins: 0, range: [0, 1] }, /bins must be >= 1/],
    [{ bins: 257, range: [0, 1] }, /bins must be <= 256/],
    [{ bins: 1.5, range: [0, 1] }, /bins must be an integer/],
    [{ bins: 4, range: [1, 1] }, /lo < hi/],
    [{ bins: 4, range: [2, 1] }, /lo < hi/],
    [{ bins: 4, range: [0, NaN] }, /range\[1\] must be a number/],
    [{ bins: 4, range: [-3e38, 3e38] }, /finite in float32/],
    [{ bins: 4, range: [[0, 1], [0, 1]] }, /2 ranges for 1 tensors/],
    [{ bins: 4, range: 1 }, /range must be \[lo, hi\]/],
  ])('rejects %o with a TypeError naming histograms', async (options, message) => {
    const x = tensor([1, 2, 3]);
    await expect(histograms([x], options as never)).rejects.toThrow(TypeError);
    await expect(histograms([x], options as never)).rejects.toThrow(message);
    await expect(histograms([x], options as never)).rejects.toThrow(/^histograms: /);
  });
});
