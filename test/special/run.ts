// Runs every row of the special-values table (table.ts) on the current adapter, through each
// launch path of its kernel, and returns the raw float32 bits: the same module runs in Node
// and in the headless-Chromium page (it is given the library as an argument), and bits cross
// page.evaluate unchanged where NaN, ±Inf and -0 as numbers would not.
//
// Paths ("variants"), each checked against the same expected row:
//  - elementwise: `main` on the 10 inputs; `main_vec4` on the inputs repeated 4 times (40
//    elements, a multiple of 4, so each vec4 mixes different inputs).
//  - row: rows of 2 (reduce.wgsl's `serial`, one invocation per row); rows of 300 padded
//    with a neutral value (reduce.wgsl's `main`, a workgroup tree; softmax with several
//    elements per invocation); for reductions, columns (the reduced axis first, axis 0).
//  - single: one call per input.

import type * as Gpugrad from '../../src/index.ts';
import { INPUTS, ROWS, rowName, type Row } from './table.ts';

type G = typeof Gpugrad;
type T = Gpugrad.Tensor;

/** Float32 bits of a variant's results: entry j belongs to input j % 10. */
export interface VariantBits { value: number[]; grad?: number[] }
/** Row name -> variant name -> bits. */
export type SpecialBits = Record<string, Record<string, VariantBits>>;

const LONG = 300; // past reduce's serial cutoff (256) and softmax's workgroup (64)

const bitsOf = (values: Float32Array): number[] => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

/** Runs fn(x) on a leaf x and reads the output (at `pick`) and x.grad (at `gradAt`) as bits. */
async function evaluate(gg: G, row: Row, data: number[], shape: number[], fn: (x: T) => T,
  pick: (out: Float32Array) => number[], seed: (out: T) => number[] | null, gradAt: (grad: Float32Array) => number[]): Promise<VariantBits> {
  const x = gg.tensor(Float32Array.from(data), shape, { requiresGrad: !!row.grad });
  try {
    // Forward and backward in one tidy(): backward needs the forward's intermediates.
    const out = gg.tidy(() => {
      const y = fn(x);
      const s = row.grad ? seed(y) : null;
      if (row.grad) (s ? y.backward(gg.tensor(s, y.shape)) : y.backward());
      return y;
    });
    const value = pick(await out.data());
    const grad = row.grad ? gradAt(await x.grad!.data()) : undefined;
    out.dispose();
    return { value: asBits(value), grad: grad && asBits(grad) };
  } finally {
    x.dispose();
  }
}

const asBits = (values: number[]): number[] => bitsOf(Float32Array.from(values));

async function runRow(gg: G, row: Row): Promise<Record<string, VariantBits>> {
  const n = INPUTS.length;
  const all = <X>(v: ArrayLike<X>) => Array.from(v);
  const layout = row.layout;
  if (layout.kind === 'elementwise') {
    const tiled = [...INPUTS, ...INPUTS, ...INPUTS, ...INPUTS];
    const ones = (out: T) => new Array<number>(out.size).fill(1);
    return {
      main: await evaluate(gg, row, [...INPUTS], [n], (x) => row.gpu(gg, x, 0), all, ones, all),
      vec4: await evaluate(gg, row, tiled, [tiled.length], (x) => row.gpu(gg, x, 0), all, ones, all),
    };
  }
  if (layout.kind === 'single') {
    const values: number[] = [];
    const grads: number[] = [];
    for (const v of INPUTS) {
      const r = await evaluate(gg, row, [v, ...layout.others], [1, 1 + layout.others.length], (x) => row.gpu(gg, x, -1),
        (out) => [out[0]], () => null, (g) => [g[0]]);
      values.push(...r.value);
      grads.push(...(r.grad ?? []));
    }
    return { single: { value: values, grad: row.grad ? grads : undefined } };
  }
  // Rows [x, pad..., others]: x first, the others last, so a long row spreads them over invocations.
  const rowOf = (x: number, k: number) => [x, ...new Array<number>(k - 1 - layout.others.length).fill(layout.pad), ...layout.others];
  const variants: Record<string, VariantBits> = {};
  const reduces = layout.col === undefined;
  for (const [name, k] of [[`rows of ${1 + layout.others.length}`, 1 + layout.others.length], [`rows of ${LONG}`, LONG]] as const) {
    const data = INPUTS.flatMap((x) => rowOf(x, k));
    // A reduction gives one value per row; a softmax a row per row, read at column `col`.
    // Column `col` of [x, ...others] sits at col (x) or k - others + col - 1 (an other) in a row of k.
    const col = layout.col === undefined || layout.col === 0 ? 0 : k - layout.others.length + layout.col - 1;
    const pick = (out: Float32Array) => (reduces ? all(out) : INPUTS.map((_, i) => out[i * k + col]));
    const seed = (out: T) => (reduces ? new Array<number>(out.size).fill(1) : INPUTS.flatMap(() => Array.from({ length: k }, (_, j) => +(j === col))));
    variants[name] = await evaluate(gg, row, data, [n, k], (x) => row.gpu(gg, x, -1), pick, seed, (g) => INPUTS.map((_, i) => g[i * k]));
  }
  if (reduces && row.op !== 'matmul') {
    // Columns: the same rows transposed, reduced over axis 0 (inner = 10, a strided fold).
    const k = 1 + layout.others.length;
    const data = Array.from({ length: k }, (_, j) => INPUTS.map((x) => rowOf(x, k)[j])).flat();
    variants['axis 0'] = await evaluate(gg, row, data, [k, n], (x) => row.gpu(gg, x, 0), all,
      (out) => new Array<number>(out.size).fill(1), (g) => all(g).slice(0, n));
  }
  return variants;
}

/** Every row of the table on gg's adapter. */
export async function runSpecialValues(gg: G): Promise<SpecialBits> {
  await gg.ready({ verbose: false });
  const result: SpecialBits = {};
  for (const row of ROWS) result[rowName(row)] = await runRow(gg, row);
  return result;
}
