// The paper experiments of the benchmark suite, small: the mean-field quadrature against
// known values and against an independent float64 trapezoid computation written here, the
// Jacobian spectra of orthogonal nets against 1, the CPU SVD against a matrix built with known
// singular values, the edge-of-chaos measurement against the theory, the rescue experiment's
// signal at initialization against the ReLU closed forms and its verdict rules, the results
// schema, and each new option's bad values (OptionError; the command line: one line, exit code 2).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, nn, ready } from '../src/index.ts';
import { chaosPoint, correlatedPairs } from '../bench/suite/experiments/chaos.ts';
import { saxeRun, spectrumRun } from '../bench/suite/experiments/isometry.ts';
import { initialSignal, outcomes, rescueVerdict } from '../bench/suite/experiments/rescue.ts';
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

describe('what rescues a deep net', () => {
  const WIDTH = 256, BATCH = 256, DEPTH = 20;
  /** Mean square of each hidden layer's output of a fresh ReLU MLP, on N(0, 1) inputs. */
  async function signalOf(std: (n: number) => number, o: { norm?: 'batch' | 'layer'; residual?: boolean } = {}) {
    const model = nn.mlp({ inputSize: WIDTH, width: WIDTH, depth: DEPTH, outputSize: 10, activation: 'relu', seed: 11, biasInit: 'zeros',
      init: (shape, opt) => init.normal(shape, { ...opt, std: std(shape[0]) }), ...o });
    const x = init.normal([BATCH, WIDTH], { seed: 12 });
    try {
      return await initialSignal(model, x);
    } finally {
      x.dispose();
      model.dispose();
    }
  }
  /** log2 of the per-layer factor, fitted from layer 2 to the last (least squares slope). */
  const log2Slope = (ms: (number | null)[]) => {
    const pts = ms.map((v, l) => [l + 1, Math.log2(v!)]).slice(1);
    const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length, my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
    return pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  };

  it('plain ReLU: Var = 1/n is He scaled by 1/√2, so its mean square is He\'s times 2^-l exactly; N(0,1) He\'s times (n/2)^l; He stays level', async () => {
    // Same seed, same Philox normals, only the std differs; ReLU is positively homogeneous and
    // the biases are zero, so each layer multiplies the mean square by the ratio of variances.
    const he = await signalOf((n) => Math.sqrt(2 / n));
    const lecun = await signalOf((n) => Math.sqrt(1 / n));
    const normal = await signalOf(() => 1);
    for (let l = 1; l <= DEPTH; l++) {
      expect(Math.abs(lecun[l - 1]! / he[l - 1]! / 2 ** -l - 1), `layer ${l}`).toBeLessThan(1e-4);
      expect(Math.abs(normal[l - 1]! / he[l - 1]! / (WIDTH / 2) ** l - 1), `layer ${l}`).toBeLessThan(1e-3);
    }
    // 2^-20 ~ 1e-6 for Var = 1/n; 128^20 ~ 1e42 for N(0,1), values near 1e21: huge, still finite in float32.
    expect(lecun[DEPTH - 1]!).toBeLessThan(1e-5);
    expect(normal[DEPTH - 1]!).toBeGreaterThan(1e40);
    // He: q_(l+1) = n (2/n) E[relu(z)^2] = q_l; the first layer's E[a^2] = q/2 = E[x^2] = 1. One net
    // of width 256 wanders by a few percent per layer, so the per-layer gain is checked within 15%.
    expect(he[0]).toBeCloseTo(1, 1);
    expect(Math.abs((he[DEPTH - 1]! / he[0]!) ** (1 / (DEPTH - 1)) - 1)).toBeLessThan(0.15);
  });

  it('batch norm and layer norm bring every layer back to mean square 1/2 whatever the scale; the residual net grows by at least 3/2 a layer', async () => {
    // Normalized pre-activations have mean 0 and variance 1 (over the batch, or over the units),
    // and E[relu(z)^2] = 1/2 for z ~ N(0, 1).
    for (const norm of ['batch', 'layer'] as const) {
      for (const ms of [await signalOf(() => 1, { norm }), await signalOf((n) => Math.sqrt(1 / n), { norm })]) {
        for (const v of ms) expect(Math.abs(v! - 0.5), `${norm}: ${v}`).toBeLessThan(0.05);
      }
    }
    // h + relu(W h) with Var = 1/n: E[relu(W h)^2] = E[h^2] / 2, and h, relu(W h) >= 0 make the cross term >= 0.
    const residual = await signalOf((n) => Math.sqrt(1 / n), { residual: true });
    expect((residual[DEPTH - 1]! / residual[0]!) ** (1 / (DEPTH - 1))).toBeGreaterThan(1.5 * 0.95);
  });

  it('the verdict: reproduced when He trains, the plain bad nets fail and batch norm rescues each; partly or not otherwise', () => {
    const run = (init: 'he' | 'lecun' | 'normal', variant: 'plain' | 'batchnorm' | 'layernorm' | 'residual', loss: number | null, acc: number | null) =>
      ({ init, variant, signal: [1], curve: [{ step: 10, loss }], finalLoss: loss, testAccuracy: acc });
    const base = [run('he', 'plain', 1.9, 0.3), run('lecun', 'plain', 2.3, 0.1), run('normal', 'plain', null, null),
      run('lecun', 'residual', null, null), run('normal', 'residual', null, null)];
    const rescued = outcomes([...base, run('lecun', 'batchnorm', 1.95, 0.26), run('normal', 'batchnorm', 2.1, 0.25)]);
    // The bar: 10% + 0.75 x (30% - 10%) = 25% held-out accuracy, and a loss below 0.95 ln 10 = 2.19.
    expect(rescued.map((r) => r.outcome)).toEqual(['trained', 'stalled', 'diverged', 'diverged', 'diverged', 'trained', 'trained']);
    const yes = rescueVerdict(rescued, 30, 150);
    expect(yes.reproduced).toBe('yes');
    expect(yes.sentence).toMatch(/^Reproduced .*He init trained \(30\.0%, loss 1\.90\); plain, Var = 1\/n stalled \(10\.0%, loss 2\.30\) and N\(0,1\) diverged by step 10; batch norm rescued Var = 1\/n \(26\.0%, loss 1\.95\) and N\(0,1\) \(25\.0%, loss 2\.10\); residual connections did not rescue Var = 1\/n \(diverged by step 10\) and N\(0,1\) \(diverged by step 10\)\.$/);
    expect(rescueVerdict(outcomes([...base, run('lecun', 'batchnorm', 1.95, 0.26), run('normal', 'batchnorm', 2.1, 0.2)]), 30, 150).reproduced).toBe('partly');
    expect(rescueVerdict(outcomes([...base, run('lecun', 'batchnorm', 2.3, 0.1)]), 30, 150).reproduced).toBe('no');
    // He itself stalling: nothing to compare against.
    expect(rescueVerdict(outcomes([run('he', 'plain', 2.3, 0.1), ...base.slice(1), run('lecun', 'batchnorm', 1.9, 0.3)]), 30, 150).reproduced).toBe('no');
  });
});

describe('results and options', () => {
  it('a small run of the paper experiments passes the schema; a broken spectrum does not', async () => {
    const options = parseOptions({ experiments: 'saxe,isometry,chaos', width: '8', isometryDepths: '2,3', saxeDepths: '1,2',
      teacherSteps: '10', weightVariances: '1,2', biasVariances: '0.05' });
    const results = await runSuite(options);
    const doc = JSON.parse(JSON.stringify(results));
    expect(validateResults(doc)).toEqual([]);
    expect(doc.schemaVersion).toBe(4);
    expect(doc.isometry.runs).toHaveLength(3 * 2 * 2);
    doc.isometry.runs[0].singularValues.reverse();
    doc.chaos = undefined;
    expect(validateResults(doc)).toEqual(expect.arrayContaining([expect.stringMatching(/isometry.runs\[0\].singularValues/), 'chaos missing (null when not run)']));
  });

  it.each([
    ['isometryDepths', '0'], ['isometryDepths', '4,x'], ['saxeDepths', '300'], ['teacherSteps', '5'], ['teacherSteps', '1.5'],
    ['weightVariances', '0'], ['weightVariances', '1,,2'], ['biasVariances', '-0.1'], ['biasVariances', 'NaN'],
    ['trainDepths', '0'], ['trainWeightVariances', '17'], ['trainSteps', '0'],
    ['rescueDepth', '0'], ['rescueDepth', '2.5'], ['rescueWidth', '3'], ['rescueBatch', '1'], ['rescueSteps', 'x'], ['rescueLr', '0'], ['rescueLr', 'fast'],
    ['rescueInits', 'he'], ['rescueInits', ''], ['rescueVariants', 'resnet'], ['rescueVariants', 'plain,,batchnorm'],
  ])('rejects --%s %s', (name, value) => {
    expect(() => parseOptions({ [name]: value })).toThrow(OptionError);
    expect(() => parseOptions({ [name]: value })).toThrow(new RegExp(`^--${name}: '`));
  });

  const run = promisify(execFile);
  it('a small rescue run passes the schema, He first; a run without its He reference or with a NaN loss does not', async () => {
    const results = await runSuite(parseOptions({ experiments: 'rescue', rescueDepth: '3', rescueWidth: '8', rescueBatch: '4', rescueSteps: '4',
      rescueInits: 'normal', rescueVariants: 'plain,batchnorm' }));
    const doc = JSON.parse(JSON.stringify(results));
    expect(validateResults(doc)).toEqual([]);
    expect(doc.rescue.runs.map((r: { init: string; variant: string }) => `${r.init} ${r.variant}`)).toEqual(['he plain', 'normal plain', 'normal batchnorm']);
    expect(doc.rescue.runs.every((r: { signal: unknown[] }) => r.signal.length === 3)).toBe(true);
    expect(doc.rescue.verdict.sentence).toMatch(/reproduce/i);
    const broken = structuredClone(doc);
    broken.rescue.runs[0].curve[0].loss = 'NaN';
    expect(validateResults(broken)).toEqual(['rescue.runs[0].curve must hold finite losses or null']);
    doc.rescue.runs.shift();
    expect(validateResults(doc)).toEqual(['rescue must hold the He reference']);
  });

  it.each([['--weightVariances', '-1'], ['--trainSteps', 'x'], ['--rescueVariants', 'resnet'], ['--rescueBatch', '1']])('the command line exits 2 with one line for %s %s', async (...args) => {
    const failure = await run('node', ['scripts/run-ts.mjs', 'bench/cli.ts', ...args]).then(() => null, (e) => e);
    expect(failure?.code).toBe(2);
    expect(failure.stderr.trim().split('\n').filter((l: string) => l.startsWith('gpugrad bench:'))).toHaveLength(1);
  });
});
