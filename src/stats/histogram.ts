// Histograms of tensors on the GPU (shaders/histogram.wgsl), read back in one transfer for all
// of them. The benchmark suite takes a histogram of every layer's activations and gradients at
// each snapshot (Glorot and Bengio 2010); one readback per layer would cost a GPU round trip
// apiece, and reading whole layers back to bin them on the CPU would move thousands of times
// more bytes than the counts.

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { TypeError } from '../errors.ts';
import { checkNumber, checkOptions, checkTensorList, describe } from '../ops/args.ts';
import { fillTensor } from '../ops/fill.ts';
import { constantOf } from '../ops/launch.ts';
import type { Tensor } from '../tensor.ts';

/** The most bins a histogram may have: histogram.wgsl's MAX_BINS (it counts in workgroup memory of that size). */
export const MAX_BINS = constantOf(shaders.histogram, 'MAX_BINS');

/** Options of histograms(): the number of bins and the range, one for all tensors or one per tensor. */
export interface HistogramOptions {
  bins: number;
  range: readonly [number, number] | readonly (readonly [number, number])[];
}

/** The counts of one tensor; `edges` has bins + 1 entries, lo to hi. */
export interface Histogram {
  counts: number[];
  edges: number[];
  /** values below lo, -Infinity included */
  below: number;
  /** values above hi, +Infinity included */
  above: number;
  nan: number;
}

/** Each invocation bins about this many elements: enough to pay for clearing and flushing its workgroup's counts. */
const ITEMS = 16;

function checkRange(range: unknown, arg: string): [number, number] {
  if (!Array.isArray(range) || range.length !== 2) throw new TypeError(`histograms: ${arg} must be [lo, hi], got ${describe(range)}`);
  const lo = checkNumber('histograms', `${arg}[0]`, range[0], { finite: true });
  const hi = checkNumber('histograms', `${arg}[1]`, range[1], { finite: true });
  // The kernel works in float32: the bin width must be positive and finite there.
  const width = Math.fround(Math.fround(hi) - Math.fround(lo));
  if (!(Math.fround(hi) > Math.fround(lo)) || !Number.isFinite(width)) {
    throw new TypeError(`histograms: ${arg} must have lo < hi, both finite in float32, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

/**
 * Histograms of `tensors`, each over `bins` equal bins of its range: bin k holds
 * lo + k·w <= x < lo + (k+1)·w with w = (hi − lo)/bins in float32, the last bin also holds hi;
 * values outside [lo, hi] (±Infinity too) and NaN are counted apart. Subnormal values may count
 * as 0 (WGSL lets a GPU flush them to zero; SwiftShader does). One dispatch per tensor
 * into one counts buffer, read back once.
 */
export async function histograms(tensors: Tensor[], options: HistogramOptions): Promise<Histogram[]> {
  const list = checkTensorList('histograms', 'tensors', tensors);
  checkOptions('histograms', options);
  const bins = checkNumber('histograms', 'bins', options.bins, { integer: true, min: 1, max: MAX_BINS });
  const perTensor = Array.isArray(options.range) && Array.isArray(options.range[0]);
  if (perTensor && options.range.length !== list.length) {
    throw new TypeError(`histograms: range holds ${options.range.length} ranges for ${list.length} tensors`);
  }
  const ranges = list.map((_, i) => (perTensor ? checkRange(options.range[i], `range[${i}]`) : checkRange(options.range, 'range')));
  const slots = bins + 3;
  // u32 counts in a float tensor: 0.0 has the bits of 0u, so zeros() clears them.
  const counts = fillTensor('histograms', [list.length * slots], 0);
  try {
    const device = getDevice();
    const wg = constantOf(shaders.histogram, 'WG');
    list.forEach((t, i) => {
      if (t.size === 0) return;
      const groups = Math.max(1, Math.min(256, Math.ceil(t.size / (wg * ITEMS))));
      device.dispatch({ shader: shaders.histogram }, [t.buffer('histograms')], [counts.buffer('histograms')],
        { size: t.size, bins, offset: i * slots, lo: ranges[i][0], hi: ranges[i][1] }, [groups, 1, 1]);
    });
    const raw = new Uint32Array((await counts.data()).buffer);
    return ranges.map(([lo, hi], i) => {
      const c = Array.from(raw.subarray(i * slots, (i + 1) * slots));
      const width = Math.fround(Math.fround(Math.fround(hi) - Math.fround(lo)) / bins);
      const edges = Array.from({ length: bins + 1 }, (_, k) => (k === bins ? Math.fround(hi) : Math.fround(Math.fround(lo) + Math.fround(k * width))));
      return { counts: c.slice(0, bins), edges, below: c[bins], above: c[bins + 1], nan: c[bins + 2] };
    });
  } finally {
    counts.dispose();
  }
}
