// What the special-values table (table.ts) accepts in each cell, and the check of an adapter's
// float32 bits against it. Shared by the test and the doc generator, so the doc shows exactly
// what the test accepts.

import { FLUSHED_TO, INPUTS, INPUT_LABELS, SUBNORMAL, type Deviation, type Row } from './table.ts';

/** The smallest normal float32, 2^-126: a nonzero result below it may be flushed to ±0. */
export const MIN_NORMAL = 2 ** -126;
/** Relative tolerance of finite results: the table is about special values, ops.test.ts about accuracy. */
export const RTOL = 1e-4;

export interface Cell {
  /** The expected float32 value. */
  value: number;
  /** The +0 column's value where it differs (the subnormal input, flushed). */
  flushed?: number;
  deviation?: Deviation;
}

export const isSubnormal = (v: number): boolean => v !== 0 && Math.abs(v) < MIN_NORMAL;

/** The expected value (or gradient) of a row at each input. */
export function cells(row: Row, of: 'value' | 'grad'): Cell[] {
  const ref = of === 'value' ? row.value : row.grad!;
  const at = (i: number) => Math.fround(ref(INPUTS[i]));
  return INPUTS.map((_, i) => {
    const value = at(i);
    const cell: Cell = { value };
    if (i === SUBNORMAL && !same(at(FLUSHED_TO), value, true)) cell.flushed = at(FLUSHED_TO);
    const deviation = row.deviations?.find((d) => d.of === of && d.at === INPUT_LABELS[i]);
    if (deviation) cell.deviation = deviation;
    return cell;
  });
}

/** Exactly the same float32 value (NaN matches any NaN; a zero's sign must match unless `anyZeroSign`). */
function same(a: number, b: number, anyZeroSign: boolean): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (b === 0) return a === 0 && (anyZeroSign || Object.is(a, b));
  return a === b;
}

/** Whether actual is acceptable for the expected value e. */
function accepts(actual: number, e: number, anyZeroSign: boolean): boolean {
  if (Number.isNaN(e) || !Number.isFinite(e) || e === 0) return same(actual, e, anyZeroSign);
  if (isSubnormal(e) && actual === 0) return true;
  return Number.isFinite(actual) && Math.abs(actual - e) <= RTOL * Math.abs(e);
}

/** Every value a cell accepts: the expected one, the flushed one, PyTorch's where a TypeScript fix is pending. */
export function accepted(cell: Cell): number[] {
  return [cell.value, ...(cell.flushed !== undefined ? [cell.flushed] : []), ...(cell.deviation?.pending ? [cell.deviation.torch] : [])];
}

export function cellAccepts(cell: Cell, actual: number, anyZeroSign: boolean): boolean {
  return accepted(cell).some((e) => accepts(actual, e, anyZeroSign));
}

/** A float32 as text: NaN, ±Inf, -0, and 4 significant digits. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const r = Number(v.toPrecision(4));
  return Math.abs(r) >= 1e4 || Math.abs(r) < 1e-4 ? r.toExponential().replace('e+', 'e') : String(r);
}

const fromBits = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0];

/**
 * The mismatches of one variant's bits against the row's cells, as readable lines
 * (empty when every entry is accepted). Entry j belongs to input j % 10.
 */
export function mismatches(row: Row, of: 'value' | 'grad', bits: number[], variant: string): string[] {
  const expected = cells(row, of);
  const lines: string[] = [];
  bits.forEach((b, j) => {
    const i = j % INPUTS.length;
    const actual = fromBits(b);
    if (!cellAccepts(expected[i], actual, of === 'grad' && !!row.gradZeroEitherSign)) {
      lines.push(`${of} of ${row.op}: ${row.expr} at x = ${INPUT_LABELS[i]} (${variant}, entry ${j}): got ${formatValue(actual)} ` +
        `(bits 0x${(b >>> 0).toString(16)}), expected ${accepted(expected[i]).map(formatValue).join(' or ')}`);
    }
  });
  return lines;
}
