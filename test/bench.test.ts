// Small versions of the benchmark suite's experiments, checked against theory: the deep
// linear example against its closed form, ReLU gains against the mean-field values, tanh
// saturation, the verdict rules, the results schema, and the command line's exit codes.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../src/index.ts';
import { linearRun } from '../bench/suite/experiments/linear.ts';
import { signalRun } from '../bench/suite/experiments/signal.ts';
import { FULL, OptionError, QUICK, parseOptions, toQuery } from '../bench/suite/options.ts';
import { runSuite } from '../bench/suite/run.ts';
import { validateResults } from '../bench/suite/schema.ts';
import { gaussianExpectation, linearFit, meanFieldGain, verdictOf } from '../bench/suite/theory.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

describe('deep linear example', () => {
  it.each([[0.5, 10], [1.5, 10], [0.5, 30], [1.5, 30]])('W = %f·I at depth %i scales as c^l to float32 precision', async (c, depth) => {
    const run = await linearRun(c, depth, 32, 16, 7);
    for (const s of run.activationScale) expect(Math.abs(s.measured / c ** s.layer - 1)).toBeLessThan(1e-5);
    expect(Math.abs(run.gradientScale.measured / c ** depth - 1)).toBeLessThan(1e-5);
    expect(run.worstRelativeError).toBeLessThan(1e-5);
  });

  it('reaches the closed-form magnitudes 1.5^30 ~ 1.9e5 and 0.5^30 ~ 9.3e-10', async () => {
    expect((await linearRun(1.5, 30, 16, 8, 1)).gradientScale.measured).toBeCloseTo(191751.06, -1);
    expect((await linearRun(0.5, 30, 16, 8, 1)).gradientScale.measured / 9.313225746154785e-10).toBeCloseTo(1, 5);
  });
});

describe('signal propagation at width 256', () => {
  it('ReLU with He init keeps the per-layer gain within 10% of 1', async () => {
    const run = await signalRun('relu', { init: 'he', scale: 2 }, 10, 256, 256, 3);
    expect(Math.abs(run.measuredGain - 1)).toBeLessThan(0.1);
    expect(run.verdict).toBe('stable');
  });

  it('ReLU with Var = 1/n shows a gain near 1/2 and vanishes with depth', async () => {
    const run = await signalRun('relu', { init: 'Var=1/n', scale: 1 }, 20, 256, 256, 3);
    expect(Math.abs(run.measuredGain - 0.5)).toBeLessThan(0.05);
    expect(run.forwardStdRatio).toBeLessThan(0.5 ** 9 * 2);
    expect(run.verdict).toBe('vanishing');
  });

  it('tanh with N(0,1) weights saturates: activations near ±1, gain at the mean-field value', async () => {
    const run = await signalRun('tanh', { init: 'N(0,1)', scale: 256 }, 5, 256, 256, 3);
    for (const l of run.layers.slice(0, 5)) expect(l.aStd).toBeGreaterThan(0.9);
    expect(Math.abs(run.measuredGain - run.meanFieldGain)).toBeLessThan(0.05);
  });

  it('ReLU with N(0,1) overflows float32 at depth 50 and names the op and layer', async () => {
    const run = await signalRun('relu', { init: 'N(0,1)', scale: 256 }, 50, 256, 64, 3);
    expect(run.verdict).toBe('overflow');
    // Var z_l = 256 · 128^(l-1) = 2^(7l + 1): values pass float32's 2^128 when Var passes
    // 2^256, at l = 36.4; allow a layer or two either way for the spread of the largest entries.
    expect(run.detail).toMatch(/^forward .* at layer (3[4-8]); first non-finite op: matmul \(op #\d+ since checking began\)/);
  });

  it('a linear net with 0.01·N(0,1) weights underflows float32 at depth 50, and its gain is measured before that', async () => {
    // Var z_l = (1e-4 · 256)^l = 0.0256^l: std 0.16^l passes float32's smallest normal (1.2e-38) near l = 48.
    const run = await signalRun('linear', { init: '0.01*N(0,1)', scale: 1e-4 * 256 }, 50, 256, 64, 3);
    expect(run.verdict).toBe('underflow');
    expect(run.detail).toMatch(/^forward z = a·W underflowed float32 to zeros at layer (4[6-9]|50);/);
    expect(Math.abs(run.measuredGain / 0.0256 - 1), `measured gain ${run.measuredGain}`).toBeLessThan(0.1);
  });
});

describe('theory', () => {
  it('verdict rules', () => {
    expect(verdictOf(true, 1, 0)).toBe('overflow');
    expect(verdictOf(false, 1e-9, -5, true)).toBe('underflow');
    expect(verdictOf(false, 9e-4, 0)).toBe('vanishing');
    expect(verdictOf(false, 1, -2.1)).toBe('vanishing');
    expect(verdictOf(false, 1.1e3, 0)).toBe('exploding');
    expect(verdictOf(false, 1, 2.1)).toBe('exploding');
    expect(verdictOf(false, 1e-2, 1.9)).toBe('stable');
  });

  it('quadrature: E[u^2] = 1, E[u^4] = 3, E[tanh(u)^2] = 0.394294 (known value)', () => {
    expect(gaussianExpectation((u) => u * u)).toBeCloseTo(1, 10);
    expect(gaussianExpectation((u) => u ** 4)).toBeCloseTo(3, 9);
    expect(gaussianExpectation((u) => Math.tanh(u) ** 2)).toBeCloseTo(0.394294, 5);
  });

  it('mean-field gains: linear s, relu s/2, tanh below 1 and rising toward 1 with s', () => {
    expect(meanFieldGain('linear', 2, 10)).toBe(2);
    expect(meanFieldGain('relu', 2, 10)).toBe(1);
    const small = meanFieldGain('tanh', 1, 20);
    const large = meanFieldGain('tanh', 4, 20);
    expect(small).toBeLessThan(1);
    expect(large).toBeGreaterThan(small);
  });

  it('linear fit recovers a line', () => {
    const fit = linearFit([1, 2, 3, 4], [3, 5, 7, 9]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
  });
});

describe('options', () => {
  it('presets and overrides', () => {
    expect(parseOptions({})).toEqual(FULL);
    expect(parseOptions({ quick: '1' })).toEqual(QUICK);
    const o = parseOptions({ quick: '1', depths: '3,4', width: '32', activations: 'relu' });
    expect(o.depths).toEqual([3, 4]);
    expect(toQuery(o)).toEqual({ quick: '1', depths: '3,4', width: '32', activations: 'relu' });
    expect(parseOptions(toQuery(o))).toEqual(o);
  });

  it.each([
    [{ width: 'abc' }, /--width: 'abc' must be an integer/],
    [{ depths: '5,x' }, /--depths/],
    [{ scales: '-1' }, /--scales/],
    [{ activations: 'swish' }, /'swish' is not one of linear, tanh, relu/],
    [{ experiments: 'nope' }, /--experiments/],
    [{ bogus: '1' }, /unknown option --bogus/],
  ])('rejects %o', (raw, message) => {
    expect(() => parseOptions(raw as Record<string, string>)).toThrow(OptionError);
    expect(() => parseOptions(raw as Record<string, string>)).toThrow(message);
  });
});

describe('results document', () => {
  it('a small suite run produces a document that passes its schema', async () => {
    const options = { ...parseOptions({ experiments: 'signal,linear', depths: '2,3', scales: '1', activations: 'relu', width: '8', batch: '4' }) };
    const progress: number[] = [];
    const results = await runSuite(options, { onProgress: (p) => progress.push(p.done) });
    expect(validateResults(JSON.parse(JSON.stringify(results)))).toEqual([]);
    expect(results.signal).toHaveLength(2 * 6);
    expect(results.linear).toHaveLength(6);
    expect(progress.at(-1)).toBeCloseTo(1, 9);
    expect(validateResults({ ...results, schemaVersion: 99 })).toContain('schemaVersion must be 4');
  });
});

describe('command line', () => {
  const run = promisify(execFile);
  it.each([['--width', 'abc'], ['--depths', '0'], ['--nope', '1'], ['--seed']])('exits 2 with one line for %s %s', async (...args) => {
    const failure = await run('node', ['scripts/run-ts.mjs', 'bench/cli.ts', ...args.filter(Boolean)]).then(() => null, (e) => e);
    expect(failure?.code).toBe(2);
    expect(failure.stderr.trim().split('\n').filter((l: string) => l.startsWith('gpugrad bench:'))).toHaveLength(1);
  });
});
