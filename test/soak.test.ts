// `npm run soak` (bench/soak/): the verdict on made-up reports, the options and their
// one-line errors (exit code 2), and short soaks of a small MLP in Node and in headless
// Chromium whose gpugrad counters must stay flat after warm-up while the loss falls.

import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ready } from '../src/index.ts';
import { soak, SOAK_DEFAULTS, type Report, type SoakOptions } from '../bench/soak/loop.ts';
import { formatReport, PROCESS_FLOOR, PROCESS_TOLERANCE, verdict } from '../bench/soak/verdict.ts';
import { parseSoakArgs } from '../bench/soak/cli.ts';
import { soakInBrowser } from '../bench/soak/browser.ts';
import { ROOT } from './browser/harness.ts';

const report = (step: number, change: Partial<Report> = {}): Report => ({
  step, seconds: step / 10, loss: 1, liveTensors: 52, liveBytes: 5 << 20, pooledBytes: 8 << 20, pipelines: 21,
  rss: 500 << 20, heap: 20 << 20, ...change,
});
const flatness = (reports: Report[]) => Object.fromEntries(verdict(reports).map((c) => [c.counter, c.flat]));

describe('verdict', () => {
  it('is flat when gpugrad counters equal the baseline and process memory stays within the tolerance', () => {
    const grown = (1 + PROCESS_TOLERANCE * 0.9) * (500 << 20);
    const checks = verdict([report(1000), report(2000, { rss: grown }), report(3000, { heap: 19 << 20 })]);
    expect(checks.every((c) => c.flat === true), checks.map((c) => c.line).join('\n')).toBe(true);
    expect(checks.find((c) => c.counter === 'process RSS')!.line).toMatch(/highest 545\.0 MiB \(\+9\.0%\), flat/);
  });

  it('lets a small heap wobble by up to PROCESS_FLOOR bytes, not more', () => {
    const small = 3 << 20;
    expect(flatness([report(1, { heap: small }), report(2, { heap: small + PROCESS_FLOOR })])['JS heap']).toBe(true);
    expect(flatness([report(1, { heap: small }), report(2, { heap: small + PROCESS_FLOOR + 1 })])['JS heap']).toBe(false);
  });

  it('names each counter that moved after warm-up, even by one', () => {
    const leaks = [report(1000), report(2000, { liveTensors: 53, pipelines: 22 }), report(3000, { liveBytes: (5 << 20) + 16, rss: 560 << 20 })];
    expect(flatness(leaks)).toEqual({
      'live tensors': false, 'live bytes': false, 'pooled bytes': true, 'compiled pipelines': false, 'process RSS': false, 'JS heap': true,
    });
    expect(verdict([report(1), report(2, { pooledBytes: (8 << 20) - 16 })]).find((c) => c.counter === 'pooled bytes')!.line).toMatch(/NOT FLAT/);
  });

  it('says what the runtime does not report instead of judging it, and needs two reports', () => {
    expect(flatness([report(1, { rss: null }), report(2, { rss: null })])['process RSS']).toBeNull();
    expect(verdict([report(1, { rss: null, heap: null }), report(2, { rss: null, heap: null })]).find((c) => c.counter === 'JS heap')!.line).toBe('JS heap: not available here');
    expect(verdict([report(1, { rss: null }), report(2, { rss: null })]).find((c) => c.counter === 'process RSS')!.line).toBe('process RSS: not available here');
    expect(() => verdict([report(1)])).toThrow(/baseline/);
  });

  it('prints one line per report', () => {
    expect(formatReport(report(1000, { heap: null }))).toBe(
      'step   1000    100.0 s  loss 1.0000  tensors 52  live 5.0 MiB  pooled 8.0 MiB  pipelines 21  rss 500.0 MiB  heap n/a');
  });
});

describe('options', () => {
  it('default to 20,000 steps with a report every 1,000; take --steps and --every in both spellings', () => {
    expect(parseSoakArgs([])).toEqual({ options: SOAK_DEFAULTS, browser: false, help: false });
    expect(SOAK_DEFAULTS).toMatchObject({ steps: 20_000, every: 1_000, width: 256, depth: 10, batch: 64 });
    expect(parseSoakArgs(['--steps', '3000', '--every=500', '--browser'])).toMatchObject({ options: { steps: 3000, every: 500 }, browser: true });
  });

  it('reject bad values in one line', () => {
    for (const [argv, message] of [
      [['--steps', '0'], /--steps: '0' must be a positive integer/], [['--steps', '1e4'], /'1e4' must be a positive integer/],
      [['--every'], /--every needs a value/], [['--steps', '1500'], /--steps 1500 must be at least twice --every 1000/],
      [['--width', '8'], /unknown option '--width'/],
    ] as const) expect(() => parseSoakArgs([...argv]), argv.join(' ')).toThrow(message);
  });

  it('npm run soak with a bad value prints one line and exits with code 2', async () => {
    const failure = await promisify(execFile)(process.execPath, ['scripts/run-ts.mjs', 'bench/soak/cli.ts', '--steps', 'many'], { cwd: ROOT })
      .then(() => null, (e: { code: number; stderr: string; stdout: string }) => e);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toBe("gpugrad soak: --steps: 'many' must be a positive integer\n");
    expect(failure?.stdout).toBe('');
  });
});

/** Small enough for SwiftShader in a few seconds. */
const SMALL: SoakOptions = { steps: 300, every: 60, width: 32, depth: 3, batch: 16 };

// The first interval starts from an empty buffer pool, which may still gain a buffer in the
// second (the losses read back at its end come from the pool then); a leak of a tensor, a buffer
// or a pipeline per step keeps every later report moving, so the baseline is the second report.
function expectSoaked(reports: Report[]) {
  expect(reports.map((r) => r.step)).toEqual([60, 120, 180, 240, 300]);
  const checks = verdict(reports.slice(1));
  for (const counter of ['live tensors', 'live bytes', 'pooled bytes', 'compiled pipelines']) {
    const check = checks.find((c) => c.counter === counter)!;
    expect(check.flat, check.line).toBe(true);
  }
  expect(reports.at(-1)!.loss).toBeLessThan(reports[0].loss);
}

describe('a short soak', () => {
  beforeAll(async () => { await ready({ verbose: false }); });

  it('in Node keeps every gpugrad counter flat after the first report while the loss falls', async () => {
    const reports = await soak(SMALL, () => ({ rss: process.memoryUsage().rss, heap: null }));
    expectSoaked(reports);
    expect(reports.every((r) => r.rss! > 0 && r.heap === null)).toBe(true);
  });

  describe('in headless Chromium', () => {
    let reports: Report[] = [];
    let adapter = '';
    beforeAll(async () => {
      reports = await soakInBrowser(SMALL, (info) => { adapter = info.source; }, () => {});
    });

    it('runs the same loop in the page, with the page heap and the browser RSS', () => {
      expect(adapter).toBe('navigator.gpu');
      expectSoaked(reports);
      expect(reports.every((r) => r.heap! > 0)).toBe(true);
      if (process.platform === 'linux') expect(reports.every((r) => r.rss! > 50 << 20)).toBe(true);
    });
  });
});
