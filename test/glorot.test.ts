// The Glorot and Bengio (2010) experiment, small: the mean-field gradient profile against its
// closed-form linear limit and against a float64 trapezoid computation written here; one
// width-64 net of each initialization on MNIST at initialization against that reference; the
// histograms' totals; the results schema (version 4); the new options' bad values.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../src/index.ts';
import { expectedGradientProfile, GLOROT_DEPTH, glorotRun } from '../bench/suite/experiments/glorot.ts';
import { loadMnist } from '../bench/suite/data.ts';
import { OptionError, parseOptions } from '../bench/suite/options.ts';
import { runSuite } from '../bench/suite/run.ts';
import { validateResults } from '../bench/suite/schema.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

/** E[f(z)], z ~ N(0, 1), trapezoid rule on [-12, 12]: independent of the code's Gauss-Hermite rule. */
const trapezoid = (f: (z: number) => number) => {
  const n = 8001, h = 24 / (n - 1);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = -12 + i * h;
    s += (i === 0 || i === n - 1 ? 0.5 : 1) * f(z) * Math.exp(-z * z / 2);
  }
  return (s * h) / Math.sqrt(2 * Math.PI);
};

/** Var(dL/dz_l) / Var(dL/dz_5) by the variance recursions, with n Var(W) of U[±b]: b²n/3. */
function referenceProfile(standard: boolean, nIn: number, width: number, meanSquare: number): number[] {
  const gain = (a: number, b: number) => (standard ? 1 / 3 : (6 / (a + b)) * a / 3);
  const q = [gain(nIn, width) * meanSquare];
  for (let l = 1; l < 5; l++) q.push(gain(width, width) * trapezoid((z) => Math.tanh(Math.sqrt(q[l - 1]) * z) ** 2));
  const out = [1, 1, 1, 1, 1];
  for (let l = 3; l >= 0; l--) out[l] = out[l + 1] * gain(width, width) * trapezoid((z) => 1 / Math.cosh(Math.sqrt(q[l]) * z) ** 4);
  return out;
}

describe('Glorot and Bengio (2010)', () => {
  it('the expected profile: (1/3)^(5-l) and 1 in the linear limit, and the trapezoid reference with saturation', () => {
    const std = expectedGradientProfile('standard', 784, 64, 1e-9);
    const norm = expectedGradientProfile('normalized', 784, 64, 1e-9);
    std.forEach((v, l) => expect(v / 3 ** -(GLOROT_DEPTH - 1 - l)).toBeCloseTo(1, 6));
    norm.forEach((v) => expect(v).toBeCloseTo(1, 6));
    for (const standard of [true, false]) {
      const got = expectedGradientProfile(standard ? 'standard' : 'normalized', 784, 256, 1);
      referenceProfile(standard, 784, 256, 1).forEach((v, l) => expect(got[l] / v).toBeCloseTo(1, 6));
    }
  });

  it('at initialization a width-64 net on MNIST has every layer\'s Var(dL/dz) within a factor 2 of the float64 reference', async () => {
    const data = await loadMnist();
    const probe = data.test.x.subarray(0, 256 * 784);
    const meanSquare = probe.reduce((s, v) => s + v * v, 0) / probe.length;
    for (const init of ['standard', 'normalized'] as const) {
      const run = await glorotRun(init, 64, [0, 3], 16, 5, data);
      expect(run.snapshots.map((s) => s.step)).toEqual([0, 3]);
      const layers = run.snapshots[0].layers;
      const ref = referenceProfile(init === 'standard', 784, 64, meanSquare);
      for (const [l, layer] of layers.entries()) {
        const ratio = layer.gradVar / layers[4].gradVar / ref[l];
        expect(ratio, `${init} layer ${l + 1}`).toBeGreaterThan(0.5);
        expect(ratio, `${init} layer ${l + 1}`).toBeLessThan(2);
        // tanh lies in [-1, 1]: every activation is binned; the gradient range holds 4 of the largest std.
        expect(layer.activations.reduce((a, b) => a + b, 0)).toBe(256 * 64);
        expect(layer.gradients.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.99 * 256 * 64);
      }
      if (init === 'standard') expect(layers[0].gradVar / layers[4].gradVar).toBeLessThan(0.02);
      else expect(layers[0].gradVar / layers[4].gradVar).toBeGreaterThan(0.05);
    }
  });

  it('a small suite run passes the schema (version 4); a histogram of the wrong length does not', async () => {
    const results = await runSuite(parseOptions({ experiments: 'glorot', width: '16', glorotSnapshots: '0,2', glorotBins: '8' }));
    const doc = JSON.parse(JSON.stringify(results));
    expect(validateResults(doc)).toEqual([]);
    expect(doc.schemaVersion).toBe(4);
    expect(doc.glorot.runs.map((r: { init: string }) => r.init)).toEqual(['standard', 'normalized']);
    expect(doc.glorot.verdict.sentence).toMatch(/reproduce/i);
    doc.glorot.runs[1].snapshots[0].layers[2].gradients.pop();
    expect(validateResults(doc)).toEqual(['glorot.runs[1].snapshots[0] histograms must be bins counts']);
  });

  it.each([
    ['glorotInits', 'xavier'], ['glorotInits', ''], ['glorotSnapshots', '-1'], ['glorotSnapshots', '0,x'],
    ['glorotBins', '3'], ['glorotBins', '257'], ['glorotBins', '1.5'],
  ])('rejects --%s %s', (name, value) => {
    expect(() => parseOptions({ [name]: value })).toThrow(OptionError);
    expect(() => parseOptions({ [name]: value })).toThrow(new RegExp(`^--${name}: '`));
  });

  it('the command line exits 2 with one line for --glorotBins 0', async () => {
    const failure = await promisify(execFile)('node', ['scripts/run-ts.mjs', 'bench/cli.ts', '--glorotBins', '0']).then(() => null, (e) => e);
    expect(failure?.code).toBe(2);
    expect(failure.stderr.trim().split('\n').filter((l: string) => l.startsWith('gpugrad bench:'))).toHaveLength(1);
  });
});
