// docs/special-values.md, rendered from the special-values table (table.ts) and what its
// checker accepts (check.ts), so the doc cannot drift from the test: test/special-values.test.ts
// compares the file with renderSpecialValuesDoc(), and `npm run docs:special` (this module's
// main) rewrites it.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cells, formatValue, isSubnormal, type Cell } from './check.ts';
import { INPUT_LABELS, ROWS, SUBNORMAL, type Deviation, type Row } from './table.ts';

export const DOC_PATH = 'docs/special-values.md';

const INTRO = `# Special values

<!-- Generated from test/special/table.ts by \`npm run docs:special\`; test/special-values.test.ts fails when this file is out of date. -->

What every op returns, and what its gradient is, at -Inf, -1e30, -2, -0, +0, a subnormal
(1e-40), 88.8 (past float32 exp's overflow at 88.72), 1e30, +Inf and NaN. WGSL leaves most of
these cases undefined (its \`log\`, \`sqrt\`, \`pow\` and \`exp\` are specified only on finite
inputs in their domain, \`max\` and \`sign\` not for NaN), and a compiler may assume that no
value is NaN or infinite, so \`x != x\` may fold to false. The kernels in \`shaders/\` therefore
define every case explicitly, recognizing NaN and ±Inf from their bits (\`bitcast<u32>\`), and
the same table is checked on the adapter in Node and in headless Chromium
(\`test/special-values.test.ts\`). Before they did, SwiftShader returned, silently,
log(-2) = 0.693, log(0) = -88.03, exp(NaN) = +Inf, pow(NaN, 2) = +Inf, relu(NaN) = 0,
sign(NaN) = 0, max([NaN, 1]) = 1, max([-Inf, -Inf]) = -3.4e38, softmax([+Inf, 0]) = [NaN, 0],
a NaN gelu gradient at ±Inf and wherever x² overflows (|x| > 1.8e19), and moments() read a
NaN input as finite.

## The rules

- **NaN propagates.** Every op with a NaN input returns NaN (relu, max, softmax, pow and sign
  included); \`x ^ 0\` = 1 is the one exception, as in C and PyTorch. The gradient at a NaN input
  is NaN as well.
- **IEEE 754 arithmetic and C's libm** at the edges of each domain: log(-2) = NaN,
  log(±0) = -Inf, log(+Inf) = +Inf, sqrt(-2) = NaN, sqrt(-0) = -0, exp(-Inf) = 0,
  exp(+Inf) = +Inf, 1 / ±0 = ±Inf, 0 / 0 = NaN, Inf − Inf = NaN, 0 · Inf = NaN, and \`pow\`
  as C's pow: (-0)^-1 = -Inf, (-Inf)^3 = -Inf, (-Inf)^0.5 = +Inf, (-2)^0.5 = NaN.
- **Activations take their limits at ±Inf**: tanh(±Inf) = ±1, sigmoid(+Inf) = 1,
  sigmoid(-Inf) = 0, relu(-Inf) = 0, gelu(+Inf) = +Inf, gelu(-Inf) = 0, and their gradients
  0 or 1 there. gelu's gradient stays finite at every finite x: → 1 for large positive x,
  → 0 for large negative x.
- **Reductions and softmax follow PyTorch**: max of a row holding NaN is NaN; max of a row of
  -Inf is -Inf; a -Inf entry of a softmax row gives 0 (log-softmax: -Inf); a row holding +Inf,
  or NaN, or only -Inf, gives NaN in every entry (Inf − Inf and 0 / 0 in PyTorch's
  exp(x − max) / sum; PyTorch does the same, pytorch/pytorch#6864 and #25110).
- **Subnormals may be flushed to zero.** WGSL allows an adapter to flush subnormal inputs and
  results to zero, and SwiftShader does (1e-40 · 1e10 gives 0, 2e-38 / 4 gives 0; ops that
  only move bits, such as relu, neg and copies, keep them). gpugrad does not fight it:
  in the 1e-40 column (‡) an adapter may return the +0 column's value instead (shown as
  "flushed"), and a result marked † is itself subnormal, so ±0 is accepted there.
- **Signed zeros** are checked, as IEEE gives them: -x, |x|, x · c, x / c, sqrt and pow keep or
  set the sign of a zero; sign(±0) = ±0 (as JavaScript's Math.sign); relu(-0) = +0;
  gelu(x) is -0 where it underflows below zero. Only the two gradient rows marked "±0 either"
  accept a zero of either sign, where the sign comes from how the softmax VJP's formula is
  arranged.
- Finite results are checked to a relative 1e-4 here; \`test/ops.test.ts\` checks accuracy.
`;

function footnoteMarks(rows: Row[]): Map<string, number> {
  const marks = new Map<string, number>();
  for (const row of rows) for (const d of row.deviations ?? []) if (!marks.has(d.note)) marks.set(d.note, marks.size + 1);
  return marks;
}

function cellText(cell: Cell, marks: Map<string, number>): string {
  let text = formatValue(cell.value) + (isSubnormal(cell.value) ? '†' : '');
  if (cell.flushed !== undefined) text += ` (flushed: ${formatValue(cell.flushed)})`;
  if (cell.deviation) text += `<sup>${marks.get(cell.deviation.note)}</sup>`;
  return text;
}

function table(rows: Row[], of: 'value' | 'grad', marks: Map<string, number>): string {
  const header = INPUT_LABELS.map((label, i) => (i === SUBNORMAL ? `${label} ‡` : label));
  const lines = [`| op | expression | ${header.join(' | ')} |`, `| --- | --- | ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    const expr = row.expr.replace(/\|/g, '\\|') + (of === 'grad' && row.gradZeroEitherSign ? ' (±0 either)' : '');
    const values = cells(row, of).map((cell) => cellText(cell, marks).replace(/\|/g, '\\|'));
    lines.push(`| \`${row.op}\` | ${expr} | ${values.join(' | ')} |`);
  }
  return lines.join('\n');
}

function deviationList(marks: Map<string, number>): string {
  // note -> "value or gradient of expr" -> the inputs where PyTorch differs
  const where = new Map<string, Map<string, string[]>>();
  const torch = new Map<string, Set<string>>();
  const pending = new Set<string>();
  for (const row of ROWS) {
    for (const d of row.deviations ?? []) {
      const what = `${d.of === 'grad' ? 'The gradient of' : 'The value of'} ${row.expr}`;
      const places = where.get(d.note) ?? new Map<string, string[]>();
      places.set(what, [...(places.get(what) ?? []), d.at]);
      where.set(d.note, places);
      torch.set(d.note, (torch.get(d.note) ?? new Set()).add(formatValue(d.torch)));
      if (d.pending) pending.add(d.note);
    }
  }
  return [...marks].map(([note, n]) => {
    const places = [...where.get(note)!].map(([what, ats]) => `${what} at ${ats.join(', ')}`).join('; ');
    const status = pending.has(note) ? ' **Not fixed yet**: the test accepts both values meanwhile.' : '';
    return `${n}. ${places}: PyTorch gives ${[...torch.get(note)!].join(', ')}. ${note}.${status}`;
  }).join('\n');
}

// Measured once (not generated): CPU time of this process per kernel, which on SwiftShader is
// the work the kernel does, steadier than wall time on a shared machine.
const COST = `## Cost

The checks are a few integer compares and selects per element. Measured on SwiftShader on a
busy 2-core machine with \`node scripts/run-ts.mjs bench/elementwise-speed.ts 952e788\`: CPU
ms per kernel over 4M elements (softmax and max: [4096, 1024], over the rows), median of 15
rounds alternating with the kernels from before the special values were defined (952e788).
Run against themselves, the same kernels differ by up to ±8% in this measurement, so only log
costs measurably more (softmax is at the edge of the noise).

| kernel | path | before | after | ratio |
| --- | --- | --- | --- | --- |
| relu | vec4 | 66.3 | 59.9 | 0.90 |
| relu | main | 316.1 | 316.3 | 1.00 |
| tanh | vec4 | 84.5 | 85.4 | 1.01 |
| tanh | main | 344.0 | 353.7 | 1.03 |
| exp | vec4 | 82.7 | 74.6 | 0.90 |
| exp | main | 341.9 | 351.7 | 1.03 |
| sigmoid | vec4 | 89.8 | 83.7 | 0.93 |
| gelu | vec4 | 94.1 | 99.2 | 1.05 |
| log | vec4 | 71.9 | 83.2 | 1.16 |
| relu_grad | vec4 | 107.7 | 106.4 | 0.99 |
| gelu_grad | vec4 | 122.8 | 129.5 | 1.05 |
| softmax | rows of 1024 | 669.1 | 714.9 | 1.07 |
| max | rows of 1024 | 332.4 | 349.7 | 1.05 |

(\`vec4\` is the path of tensors whose size divides by 4, \`main\` of the others.) What
mattered: no NaN or Inf made by bit arithmetic on a hot path (SwiftShader does not fold
\`runtime_bits\`; log was 24–34% slower with it), but a select between u32 constants and one
bitcast. The bit tests also compare as signed integers where they can, since SSE and AVX2
have no unsigned integer compare.
`;

const HOW = `## How the table is made

The rows, the inputs and the expected values live in \`test/special/table.ts\`: float64
JavaScript on the float32 inputs, written from IEEE 754 and PyTorch semantics (Math.log(-2) is
NaN; softmax as PyTorch's exp(x − max) / sum), rounded to float32. \`test/special/run.ts\` runs
each row through every launch path of its kernel (elementwise: \`main\` and \`main_vec4\`;
reductions: one invocation per row, the workgroup tree on rows of 300, and axis 0; softmax:
rows of 2 and of 300) with requiresGrad, calls backward with dy = 1 (for softmax, dy one-hot at
the entry shown), and returns the float32 bits. Elementwise gradients go through the fused
backward kernels (\`relu_grad\`, \`gelu_grad\`, … in binary.wgsl) or the ops of the VJP.
`;

export function renderSpecialValuesDoc(): string {
  const marks = footnoteMarks(ROWS);
  const withGrad = ROWS.filter((row) => row.grad);
  const remarks = ROWS.filter((row) => row.remark).map((row) => `- \`${row.op}\`, ${row.expr}: ${row.remark}.`).join('\n');
  return [
    INTRO,
    '## Values\n',
    table(ROWS, 'value', marks),
    '',
    '## Gradients\n',
    'd(expression)/dx after backward() with dy = 1 (softmax rows: dy = 1 at the entry shown, 0 at the other).\n',
    table(withGrad, 'grad', marks),
    '',
    '## Notes on rows\n',
    remarks,
    '',
    '## Where gpugrad and PyTorch differ\n',
    deviationList(marks),
    '',
    COST,
    HOW,
  ].join('\n');
}

/** `npm run docs:special`: rewrites docs/special-values.md. */
export async function main(): Promise<number> {
  const path = resolve(import.meta.dirname, '../..', DOC_PATH);
  writeFileSync(path, renderSpecialValuesDoc());
  console.log(`wrote ${DOC_PATH}`);
  return 0;
}
