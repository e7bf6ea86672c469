// The paper experiments of the benchmark suite, small: the mean-field quadrature against
// known values and against an independent float64 trapezoid computation written here, the
// Jacobian spectra of orthogonal nets against 1, the CPU SVD against a matrix built with known
// singular values, the edge-of-chaos measurement against the theory, the results schema, and
// each new option's bad values (OptionError; the command line: one line, exit code 2).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../src/index.ts';
import { chaosPoint, correlatedPairs } from '../bench/suite/experiments/chaos.ts';
import { saxeRun, spectrumRun } from '../bench/suite/experiments/isometry.ts';
import { criticalWeightVariance, jacobianSpectrum, meanField, normalExpectation } from '../bench/suite/meanfield.ts';
import { OptionError, parseOptions } from '../bench/suite/options.ts';
import { runSuite } from '../bench/suite/run.ts';
import { validateResults } from '../bench/suite/schema.ts';
import { singularValues } from '../bench/suite/svd.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

/** E[f(z)], z ~ N(0, 1), by the trapezoid rule on [-12, 12] with 20001 points: independent of the code's Gauss-Hermite rule. */
const trapezoid = (f: (z: number) => number) => {
  const n = 20001, h = 24 / (n - 1);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = -12 + i * h;
    s += (i === 0 || i === n - 1 ? 0.5 : 1) * f(z) * Math.exp(-z * z / 2);
  }
  return (s * h) / Math.sqrt(2 * Math.PI);
};

/** chi_1 of tanh at (sw2, sb2), by fixed-point iteration of the variance map with the trapezoid rule. */
function chi1Reference(sw2: number, sb2: number): number {
  let q = 1;
  for (let i = 0; i < 400; i++) q = sw2 * trapezoid((z) => Math.tanh(Math.sqrt(q) * z) ** 2) + sb2;
  return sw2 * trapezoid((z) => (1 - Math.tanh(Math.sqrt(q) * z) ** 2) ** 2);
}

describe('mean-field quadrature', () => {
  it('Gauss-Hermite: E[z^2] = 1, E[z^4] = 3, E[z^8] = 105, E[tanh(z)^2] as the trapezoid rule', () => {
    expect(normalExpectation((z) => z * z)).toBeCloseTo(1, 12);
    expect(normalExpectation((z) => z ** 4)).toBeCloseTo(3, 12);
    expect(normalExpectation((z) => z ** 8)).toBeCloseTo(105, 9);
    expect(normalExpectation((z) => Math.tanh(z) ** 2)).toBeCloseTo(trapezoid((z) => Math.tanh(z) ** 2), 9);
  });

  it('chi_1 = 1 for tanh at sigma_w^2 = 1, sigma_b^2 = 0 (q* = 0, tanh\'(0) = 1)', () => {
    const mf = meanField('tanh', 1, 0);
    expect(mf.qStar).toBe(0);
    expect(mf.chi1).toBeCloseTo(1, 12);
  });

  it('chi_1 off the line agrees with the trapezoid reference', () => {
    for (const [sw2, sb2] of [[1.5, 0.05], [3, 0.2], [0.7, 0.01]]) {
      expect(meanField('tanh', sw2, sb2).chi1).toBeCloseTo(chi1Reference(sw2, sb2), 6);
    }
  });

  it('the critical sigma_w^2 at sigma_b^2 = 0.05 matches a bisection on the float64 trapezoid reference', () => {
    let lo = 1, hi = 3;
    for (let i = 0; i < 30; i++) {
      const mid = (lo + hi) / 2;
      if (chi1Reference(mid, 0.05) < 1) lo = mid; else hi = mid;
    }
    expect(criticalWeightVariance('tanh', 0.05)).toBeCloseTo((lo + hi) / 2, 4);
    expect((lo + hi) / 2).toBeCloseTo(1.761, 2); // Schoenholz et al. (2017) Figure 1 puts it near 1.76
  });

  it('ordered phase: c* = 1 and xi_c = -1/ln chi_1; chaotic phase: c* < 1', () => {
    const ordered = meanField('tanh', 1, 0.05);
    expect(ordered.cStar).toBe(1);
    expect(ordered.xiC).toBeCloseTo(-1 / Math.log(ordered.chi1), 6);
    expect(meanField('tanh', 4, 0.05).cStar).toBeLessThan(0.5);
  });

  it('Jacobian spectrum theory: Var(lambda)/mean^2 = L for Gaussian linear nets (Fuss-Catalan), 0 orthogonal, 2L and L for ReLU', () => {
    for (const L of [1, 7, 32]) {
      expect(jacobianSpectrum('linear', 'gaussian', 1, 0, L).relativeVariance).toBeCloseTo(L, 9);
      expect(jacobianSpectrum('linear', 'orthogonal', 1, 0, L).relativeVariance).toBeCloseTo(0, 12);
      expect(jacobianSpectrum('relu', 'gaussian', 2, 0, L).relativeVariance).toBeCloseTo(2 * L, 9);
      expect(jacobianSpectrum('relu', 'orthogonal', 2, 0, L).relativeVariance).toBeCloseTo(L, 9);
    }
  });
});

describe('Jacobian spectra', () => {
  it('the float64 SVD recovers the singular values of U·diag(s)·Vᵀ built from Givens rotations', () => {
    const n = 6, s = [5, 3, 1, 0.1, 1e-6, 0];
    const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? s[i] : 0)));
    const rotate = (rows: boolean, p: number, q: number, t: number) => {
      for (let k = 0; k < n; k++) {
        const [a, b] = rows ? [m[p][k], m[q][k]] : [m[k][p], m[k][q]];
        const [x, y] = [Math.cos(t) * a - Math.sin(t) * b, Math.sin(t) * a + Math.cos(t) * b];
        if (rows) { m[p][k] = x; m[q][k] = y; } else { m[k][p] = x; m[k][q] = y; }
      }
    };
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) { rotate(true, p, q, 0.3 + p + q); rotate(false, p, q, 1.1 * p - q); }
    const got = singularValues(m.flat(), n, n);
    s.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-13));
  });

  it('an orthogonal linear net of depth 32 has every singular value 1 within float32 error', async () => {
    const run = await spectrumRun('linear', 'orthogonal', 1, 32, 64, 5);
    // 32 float32 matmuls of 64-term dot products: rounding of about 32·sqrt(64)·6e-8
    for (const v of run.singularValues) expect(Math.abs(v - 1)).toBeLessThan(2e-5);
  });

  it('a Gaussian linear net of depth 8 spreads: Var(lambda)/mean^2 of the right size', async () => {
    const run = await spectrumRun('linear', 'gaussian', 1, 8, 64, 5);
    expect(run.relativeVariance).toBeGreaterThan(3);
    expect(run.relativeVariance).toBeLessThan(16);
  });
});

describe('edge of chaos and the teacher', () => {
  it('input pairs have cosine exactly c and mean square 1', () => {
    const x = correlatedPairs(3, 32, 0.5, 9);
    for (let p = 0; p < 3; p++) {
      const a = x.subarray(64 * p, 64 * p + 32), b = x.subarray(64 * p + 32, 64 * p + 64);
      const dot = (u: Float32Array, v: Float32Array) => u.reduce((s, ui, i) => s + ui * v[i], 0);
      expect(dot(a, a) / 32).toBeCloseTo(1, 5);
      expect(dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b))).toBeCloseTo(0.5, 5);
    }
  });

  it('measured chi_1 of a width-128 tanh net is within 10% of the trapezoid reference, on both sides of the line', async () => {
    for (const [sw2, sb2] of [[1, 0.05], [3, 0.05]]) {
      const point = await chaosPoint(sw2, sb2, 24, 128, 3);
      expect(Math.abs(point.measuredChi1 / chi1Reference(sw2, sb2) - 1)).toBeLessThan(0.1);
    }
  });

  it('a one-layer net reaches the relative loss threshold in the steps of (1 - lr)^(2t)·||T||²... closed form', async () => {
    // Depth 1: P_t - T = (1 - lr)^t (P_0 - T); with P_0 orthogonal and T Gaussian Var 1/n the
    // relative loss starts near 2, so it falls below 0.1 after about ln(20) / (-2 ln 0.8) = 6.7 steps.
    const run = await saxeRun('orthogonal', 1, 32, 30, 2);
    expect(run.stepsToThreshold).toBeGreaterThanOrEqual(5);
    expect(run.stepsToThreshold).toBeLessThanOrEqual(9);
    const [first, second] = run.curve;
    expect(second.loss! / first.loss!).toBeCloseTo(0.64, 2); // (1 - 0.2)^2 per step
  });
});

describe('results and options', () => {
  it('a small run of the paper experiments passes the schema; a broken spectrum does not', async () => {
    const options = parseOptions({ experiments: 'saxe,isometry,chaos', width: '8', isometryDepths: '2,3', saxeDepths: '1,2',
      teacherSteps: '10', weightVariances: '1,2', biasVariances: '0.05' });
    const results = await runSuite(options);
    const doc = JSON.parse(JSON.stringify(results));
    expect(validateResults(doc)).toEqual([]);
    expect(doc.schemaVersion).toBe(3);
    expect(doc.isometry.runs).toHaveLength(3 * 2 * 2);
    doc.isometry.runs[0].singularValues.reverse();
    doc.chaos = undefined;
    expect(validateResults(doc)).toEqual(expect.arrayContaining([expect.stringMatching(/isometry.runs\[0\].singularValues/), 'chaos missing (null when not run)']));
  });

  it.each([
    ['isometryDepths', '0'], ['isometryDepths', '4,x'], ['saxeDepths', '300'], ['teacherSteps', '5'], ['teacherSteps', '1.5'],
    ['weightVariances', '0'], ['weightVariances', '1,,2'], ['biasVariances', '-0.1'], ['biasVariances', 'NaN'],
    ['trainDepths', '0'], ['trainWeightVariances', '17'], ['trainSteps', '0'],
  ])('rejects --%s %s', (name, value) => {
    expect(() => parseOptions({ [name]: value })).toThrow(OptionError);
    expect(() => parseOptions({ [name]: value })).toThrow(new RegExp(`^--${name}: '`));
  });

  const run = promisify(execFile);
  it.each([['--weightVariances', '-1'], ['--trainSteps', 'x']])('the command line exits 2 with one line for %s %s', async (...args) => {
    const failure = await run('node', ['scripts/run-ts.mjs', 'bench/cli.ts', ...args]).then(() => null, (e) => e);
    expect(failure?.code).toBe(2);
    expect(failure.stderr.trim().split('\n').filter((l: string) => l.startsWith('gpugrad bench:'))).toHaveLength(1);
  });
});
