// `npm run bench:speed` (bench/speed/): the float64 checks reject wrong results, the options
// reject bad values in one line (exit code 2), and a tiny gpugrad-only run in Node gives a
// checked row of the table. The peers are not run here: CI does not depend on them.

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { checkFalling, checkLoss, checkMatmul, forward64, loss64, mlpData, randomArray, type MlpSpec } from '../bench/speed/reference.ts';
import { parseSpeedOptions, SpeedOptionError } from '../bench/speed/options.ts';
import { runInNode } from '../bench/speed/node.ts';
import { markdownReport, speedChart, type SpeedResults } from '../bench/speed/report.ts';
import { median, workloads, type Workload } from '../bench/speed/run.ts';
import { ROOT } from './browser/harness.ts';

const tiny: MlpSpec = { depth: 2, width: 32, batch: 16, inputs: 24, outputs: 4, activation: 'tanh' };

describe('float64 reference', () => {
  it('passes the true initial loss and flags one 1% off, or not finite', () => {
    const ref = loss64(mlpData(tiny));
    expect(checkLoss(ref * (1 + 2e-4), ref)).toBeNull();
    expect(checkLoss(ref * 1.01, ref)).toMatch(/off the float64 reference .* by 1\.0%/);
    expect(checkLoss(NaN, ref)).toMatch(/not finite/);
  });

  it('computes the forward pass in float64 from the float32 weights (a hand-checked one-layer net)', () => {
    const data = mlpData({ ...tiny, depth: 1, width: 1, inputs: 1, outputs: 1, batch: 1 });
    const [l0, l1] = data.layers;
    const expected = Math.tanh(data.x[0] * l0.w[0] + l0.b[0]) * l1.w[0] + l1.b[0];
    expect(forward64(data)[0]).toBeCloseTo(expected, 14);
  });

  it('flags losses that do not fall', () => {
    expect(checkFalling([2, 1.5, 1.2])).toBeNull();
    expect(checkFalling([2, 2.1, 2.2])).toMatch(/did not fall/);
    expect(checkFalling([2, NaN])).toMatch(/not finite/);
  });

  it('passes a float32 matmul and flags one wrong entry in a checked row', () => {
    const n = 16;
    const a = randomArray(n * n, 1, 'uniform');
    const b = randomArray(n * n, 2, 'uniform');
    const c = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) c[i * n + j] += a[i * n + k] * b[k * n + j];
    expect(checkMatmul(a, b, c, n)).toBeNull();
    c[(n >> 1) * n + 3] += 0.01;
    expect(checkMatmul(a, b, c, n)).toMatch(/C\[8,3\]/);
  });

  it('generates the same data for the same seed and different data for another', () => {
    expect(mlpData(tiny).layers[1].w).toEqual(mlpData(tiny).layers[1].w);
    expect(mlpData(tiny, 2).x).not.toEqual(mlpData(tiny).x);
  });
});

describe('options', () => {
  it('has defaults, and quick keeps matmul 256/512 and depth 10', () => {
    const o = parseSpeedOptions([]);
    expect(o).toMatchObject({ quick: false, envs: ['node', 'browser'], runs: 5, cellBudget: 30, out: 'bench-results/speed' });
    expect(o.libs).toEqual(['gpugrad', 'tfjs-webgpu', 'tfjs-wasm', 'jax-webgpu', 'jax-wasm']);
    expect(parseSpeedOptions(['--quick', '--env=node', '--libs', 'jax-wasm,gpugrad'])).toMatchObject({ envs: ['node'], libs: ['gpugrad', 'jax-wasm'], cellBudget: 10 });
    expect(workloads(true).map((w) => w.id)).toEqual(['matmul 256', 'matmul 512', 'train d10 relu', 'train d10 tanh', 'forward d10 relu']);
    expect(workloads(false)).toHaveLength(3 + 4 + 2);
  });

  it.each([
    [['--env', 'mars'], /--env must be node, browser or both/],
    [['--libs', 'gpugrad,torch'], /unknown library 'torch'/],
    [['--runs', '3'], /--runs must be an integer from 5/],
    [['--budget', '-1'], /--budget must be a number of seconds above 0/],
    [['--out'], /--out needs a value/],
    [['--fast'], /unknown option --fast/],
    [['--quick=1'], /--quick takes no value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSpeedOptions(argv)).toThrow(SpeedOptionError);
    expect(() => parseSpeedOptions(argv)).toThrow(message);
  });

  it('exits with code 2 and one line on stderr for a bad value', async () => {
    const run = promisify(execFile)('node', ['scripts/run-ts.mjs', 'bench/speed/cli.ts', '--env', 'mars'], { cwd: ROOT });
    const failure = await run.then(() => null, (e: { code: number; stderr: string; stdout: string }) => e);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim().split('\n')).toEqual(["gpugrad bench:speed: --env must be node, browser or both, got 'mars'"]);
    expect(failure?.stdout).toBe('');
  });
});

describe('a tiny gpugrad run in Node', () => {
  const chosen: Workload[] = [
    { id: 'matmul 32', kind: 'matmul', n: 32 },
    { id: 'train tiny', kind: 'train', spec: tiny },
    { id: 'forward tiny', kind: 'forward', spec: { ...tiny, activation: 'relu' } },
  ];

  it('times, checks and reports each workload, dispatches counted, nothing leaked', async () => {
    const lines: string[] = [];
    const env = await runInNode({ libs: ['gpugrad'], workloads: chosen, runs: 5, cellBudget: 60, lr: 0.05, onProgress: (l) => lines.push(l) });
    for (const cell of env.cells) {
      expect(cell.status, `${cell.workload}: ${cell.reason}`).toBe('ok');
      expect(cell.times).toHaveLength(5);
      expect(cell.medianMs).toBe(median(cell.times));
      expect(cell.dispatches).toBeGreaterThan(0);
    }
    const train = env.cells.find((c) => c.workload === 'train tiny')!;
    expect(train.losses).toHaveLength(6);
    expect(Math.abs(train.losses![0] / train.referenceLoss! - 1)).toBeLessThan(1e-3);
    expect(lines.some((l) => /train tiny · gpugrad: .* ms median of 5 ✓/.test(l))).toBe(true);
    const results: SpeedResults = {
      version: 1, date: 'today', quick: true, runs: 5, cellBudget: 60, host: { platform: 'test', cpus: 2, node: '' },
      libs: ['gpugrad'], workloads: chosen.map((w) => w.id), envs: [env], envErrors: [], wallSeconds: 1,
    };
    const md = markdownReport(results);
    expect(md).toMatch(/\| matmul 32 \| [\d.]+ GFLOP\/s \| 1 \|/);
    expect(md).toMatch(/\| train tiny \| [\d.]+ m?s \| \d+ \|/);
    expect(speedChart(results)).not.toBeNull();
  });

  it('fails a cell whose initial loss misses the float64 reference, and says why', async () => {
    const env = await runInNode({ libs: ['gpugrad'], workloads: [chosen[1]], runs: 5, cellBudget: 60, lr: 0.05, references: { 'train tiny': 123 } });
    expect(env.cells[0].status).toBe('failed');
    expect(env.cells[0].reason).toMatch(/initial loss .* off the float64 reference 123/);
  });
});
