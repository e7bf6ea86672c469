// Special values: every row of test/special/table.ts (value and gradient of each op at -Inf,
// -1e30, -2, -0, +0, a subnormal, 88.8, 1e30, +Inf and NaN) on the adapter in Node, and the
// same table in headless Chromium (test/special/page.ts, served from the sources by Vite, as
// test/browser.test.ts does). The expected values are IEEE 754 / PyTorch semantics written
// out in float64 (table.ts), never the library's own output. Also: docs/special-values.md is
// the table rendered from the same data (`npm run docs:special` rewrites it), and moments()
// reads any NaN or Inf in its input as non-finite statistics.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as gg from '../src/index.ts';
import { collectErrors, launchChromium, ROOT, serve, type Chromium, type Served } from './browser/harness.ts';
import { ROWS, rowName } from './special/table.ts';
import { mismatches } from './special/check.ts';
import { runSpecialValues, type SpecialBits } from './special/run.ts';
import { renderSpecialValuesDoc, DOC_PATH } from './special/doc.ts';

declare global {
  interface Window { gpugradSpecial: { run(): Promise<SpecialBits> } }
}

/** Every mismatch of a row, over its variants, values and gradients. */
function rowMismatches(bits: SpecialBits, name: string): string[] {
  const row = ROWS.find((r) => rowName(r) === name)!;
  const variants = bits[name];
  expect(Object.keys(variants ?? {}).length, `${name}: no results`).toBeGreaterThan(0);
  return Object.entries(variants).flatMap(([variant, v]) => [
    ...mismatches(row, 'value', v.value, variant),
    ...(row.grad ? (v.grad ? mismatches(row, 'grad', v.grad, variant) : [`${name} (${variant}): no gradient`]) : []),
  ]);
}

describe('special values in Node', () => {
  let bits: SpecialBits;
  beforeAll(async () => {
    await gg.ready({ verbose: false });
    bits = await runSpecialValues(gg);
  });

  it('the table has unique row names', () => {
    expect(new Set(ROWS.map(rowName)).size).toBe(ROWS.length);
  });
  for (const row of ROWS) {
    it(rowName(row), () => expect(rowMismatches(bits, rowName(row))).toEqual([]));
  }

  it('moments() of a tensor holding NaN or ±Inf is non-finite, and finite otherwise', async () => {
    const cases: [number[], boolean][] = [
      [[1, 2, NaN, 4], false], [[NaN], false], [[1, Infinity], false], [[-Infinity, 1], false], [[1e30, -1e30, 0], true], [[-0, 0], true],
    ];
    // 300 elements put the odd value in a different invocation's slice than the first ones.
    const long = Array.from({ length: 300 }, (_, i) => (i === 257 ? NaN : i));
    for (const [data, finite] of [...cases, [long, false] as [number[], boolean]]) {
      const x = gg.tensor(data);
      const m = gg.moments(x);
      const [mean, std, norm, maxAbs] = Array.from(await m.data());
      for (const [name, v] of Object.entries({ mean, std, norm, maxAbs })) {
        expect(Number.isFinite(v), `moments(${data.length > 10 ? '300 values with a NaN' : data.join(', ')}).${name} = ${v}`).toBe(finite);
      }
      x.dispose();
      m.dispose();
    }
  });

  it(`${DOC_PATH} is the table rendered from test/special/table.ts (npm run docs:special)`, () => {
    expect(readFileSync(resolve(ROOT, DOC_PATH), 'utf8')).toBe(renderSpecialValuesDoc());
  });
});

describe('special values in headless Chromium', () => {
  let server: Served | undefined;
  let chromium: Chromium | undefined;
  let pageErrors: string[] = [];
  let bits: SpecialBits;

  beforeAll(async () => {
    // The page imports only our own sources: nothing to pre-bundle.
    server = await serve({ configFile: false, root: resolve(ROOT, 'test/special'), optimizeDeps: { noDiscovery: true, include: [] } });
    chromium = await launchChromium();
    const page = await chromium.browser.newPage();
    pageErrors = await collectErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((error: Error) => {
      throw new Error(`the special-values page did not load (${error.message}); page errors: ${pageErrors.join('; ') || 'none'}`);
    });
    bits = await page.evaluate(() => window.gpugradSpecial.run());
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('the page logs no errors', () => expect(pageErrors).toEqual([]));
  for (const row of ROWS) {
    it(rowName(row), () => expect(rowMismatches(bits, rowName(row))).toEqual([]));
  }
});
