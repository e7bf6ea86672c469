// `npm run bench:speed`: gpugrad, TensorFlow.js (WebGPU, Wasm) and jax-js (WebGPU, Wasm) on
// the same workloads, in Node (Dawn) and in headless Chromium, one after the other in one run.
// Prints progress lines and the markdown tables; writes speed.md, speed.json and speed.svg to
// --out. Bad options: one line on stderr, exit code 2. A peer that fails is a cell, not an exit.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseSpeedOptions, SpeedOptionError, USAGE, type SpeedOptions } from './options.ts';
import { markdownReport, speedChart, type SpeedResults } from './report.ts';
import { mergeRuns, workloads, type EnvResult, type RunOptions } from './run.ts';

const elapsed = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;

/** Runs the benchmark as the options say; `say` gets each progress line. Exported for the test. */
export async function runBenchmark(o: SpeedOptions, say: (line: string) => void,
  chosen = workloads(o.quick)): Promise<SpeedResults> {
  const t0 = performance.now();
  const { reference64 } = await import('./node.ts');
  // float64 initial losses, once, in Node; the page gets them with its options.
  const references: Record<string, number> = {};
  for (const w of chosen) if (w.kind !== 'matmul') references[w.id] ??= reference64(w);
  say(`float64 references ready (${elapsed(t0)})`);
  const run: Omit<RunOptions, 'onProgress'> = { libs: o.libs, workloads: chosen, runs: o.runs, cellBudget: o.cellBudget, references };
  const envs: EnvResult[] = [];
  const envErrors: SpeedResults['envErrors'] = [];
  const progress = (line: string) => say(`${elapsed(t0)}  ${line}`);
  for (const env of o.envs) {
    try {
      if (env === 'node' && o.libs.length > 1) envs.push(await nodeProcessPerLibrary(o, progress));
      else if (env === 'node') envs.push(await (await import('./node.ts')).runInNode({ ...run, onProgress: progress }));
      else envs.push(await (await import('./browser.ts')).runInBrowser(run, progress));
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      envErrors.push({ env, error });
      progress(`[${env}] did not run: ${error}`);
    }
  }
  return {
    version: 1, date: new Date().toISOString(), quick: o.quick, runs: o.runs, cellBudget: o.cellBudget,
    host: { platform: `${process.platform} ${process.arch}`, cpus: cpus().length, node: process.versions.node },
    libs: o.libs, workloads: chosen.map((w) => w.id), envs, envErrors,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Node: each library in a process of its own, one after the other. In one process the
 * libraries' WebGPU devices share Dawn and SwiftShader's threads, and gpugrad's training step
 * measured twice as slow after the peers had run as alone (460 against 243 ms at depth 10).
 */
async function nodeProcessPerLibrary(o: SpeedOptions, progress: (line: string) => void): Promise<EnvResult> {
  const dir = await mkdtemp(join(tmpdir(), 'gpugrad-speed-'));
  try {
    const parts: EnvResult[] = [];
    for (const lib of o.libs) {
      const out = join(dir, lib);
      const args = ['scripts/run-ts.mjs', 'bench/speed/cli.ts', '--env', 'node', '--libs', lib, '--runs', String(o.runs),
        '--budget', String(o.cellBudget), '--out', out, ...(o.quick ? ['--quick'] : [])];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      // The child's progress lines, without its own clock and its float64 line.
      createInterface({ input: child.stderr! }).on('line', (line) => {
        const m = /^\s*\d+ s\s+(\[node\].*)$/.exec(line);
        if (m) progress(m[1]);
      });
      const code = await new Promise<number | null>((done) => child.on('close', done));
      const result = JSON.parse(await readFile(join(out, 'speed.json'), 'utf8').catch(() => 'null')) as SpeedResults | null;
      const env = result?.envs.find((e) => e.env === 'node');
      if (!env) throw new Error(`${lib}: its process exited with code ${code} and no results`);
      parts.push(env);
    }
    return mergeRuns('node', parts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** vega + vega-lite render the chart to SVG, as the suite's report does (bench/cli.ts). */
async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes speed.md, speed.json and speed.svg (when there is something to chart) to `out`; returns the file names. */
export async function writeOutputs(results: SpeedResults, out: string): Promise<string[]> {
  await mkdir(out, { recursive: true });
  await writeFile(resolve(out, 'speed.json'), JSON.stringify(results, null, 1));
  await writeFile(resolve(out, 'speed.md'), markdownReport(results));
  const spec = speedChart(results);
  if (!spec) return ['speed.md', 'speed.json'];
  await writeFile(resolve(out, 'speed.svg'), await renderSvg(spec));
  return ['speed.md', 'speed.json', 'speed.svg'];
}

export async function main(argv: string[]): Promise<number> {
  let o: SpeedOptions;
  try {
    o = parseSpeedOptions(argv);
  } catch (e) {
    if (!(e instanceof SpeedOptionError)) throw e;
    process.stderr.write(`gpugrad bench:speed: ${e.message}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const results = await runBenchmark(o, (line) => process.stderr.write(line + '\n'));
  process.stdout.write('\n' + markdownReport(results));
  const out = resolve(o.out);
  const files = await writeOutputs(results, out);
  process.stdout.write(`\nWrote ${out}/: ${files.join(', ')} (wall time ${Math.round(results.wallSeconds)} s)\n`);
  return results.envs.length ? 0 : 1;
}
