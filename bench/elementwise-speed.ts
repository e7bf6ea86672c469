// Milliseconds per elementwise kernel (and softmax and max) over 4M float32 elements, the working tree's WGSL against
// the same kernels from a git revision, in one process and alternating rounds, so a busy
// machine slows both alike: `node scripts/run-ts.mjs bench/elementwise-speed.ts [REV [KERNELS]]`
// (REV defaults to HEAD; KERNELS, e.g. relu,log, to time only those). It measured the cost of the explicit special-value handling that
// docs/special-values.md reports: the activations and their backward kernels run in every
// training step. It prints the median CPU time of this process per kernel (what SwiftShader
// spends; far steadier than wall time on a shared machine) and the minimum wall time.
//
// Both sides are composed as src/device/shaders.ts composes them (strided.wgsl, the family
// file, then `fn apply`) and launched with the library's launch plan (main_vec4 for sizes that
// divide by 4, else main); each side's uniform is packed by its own `struct Params`, so a
// revision from before a field was added still runs (fields it lacks are left out).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getDevice, ready, tensor, type Tensor } from '../src/index.ts';
import type { Shader } from '../src/device/shaders.ts';
import { parseConstants, parseLayout } from '../src/device/uniforms.ts';
import { grid } from '../src/ops/launch.ts';

const N = 4 * 1024 * 1024;
const ROUNDS = 15;
const REPS = 4; // kernels per round, then one wait for the GPU

type Family = 'unary' | 'binary' | 'softmax' | 'reduce';
type Path = 'vec4' | 'main';
// main_vec4 is what training runs (sizes that divide by 4); main is checked for the three named
// in the issue. softmax and max run over the rows of [4096, 1024] (a workgroup per row).
const KERNELS: [Family, string, Path[]][] = [
  ['unary', 'relu', ['vec4', 'main']], ['unary', 'tanh', ['vec4', 'main']], ['unary', 'exp', ['vec4', 'main']],
  ['unary', 'sigmoid', ['vec4']], ['unary', 'gelu', ['vec4']], ['unary', 'log', ['vec4']],
  ['binary', 'relu_grad', ['vec4']], ['binary', 'gelu_grad', ['vec4']],
  ['softmax', 'softmax', ['main']], ['reduce', 'max', ['main']],
];
const ROWS = 4096;

function compose(family: Family, fn: string, read: (file: string) => string, tag: string): Shader {
  const signature = family === 'unary' ? 'x: f32, p: f32' : 'a: f32, b: f32, p: f32';
  const args = family === 'unary' ? 'x, p' : 'a, b, p';
  const code = family === 'softmax' || family === 'reduce' ? `${read('tree')}\n${read(family)}`
    : `${read('strided')}\n${read(family)}\nfn apply(${signature}) -> f32 { return op_${fn}(${args}); }\n`;
  return { name: `speed:${tag}:${family}:${fn}`, code, layout: parseLayout(code), constants: parseConstants(code), locate: (n) => `line ${n}` };
}

/** The kernel's uniform for contiguous operands (rows of ROWS for softmax and max), less the fields this shader's struct lacks. */
function params(family: Family, shader: Shader, size: number, operands: number): Record<string, number | number[]> {
  const cols = Math.floor(size / ROWS);
  const all: Record<string, number | number[]> = family === 'softmax' ? { rows: ROWS, cols }
    : family === 'reduce' ? { outer: ROWS, len: cols, inner: 1 }
    : { size, rank: 1, p: 0.01, offset: 0, period_a: size, period_b: operands > 1 ? size : 0, period_c: 0,
      shape: [size], strides_a: [1], strides_b: operands > 1 ? [1] : [], strides_c: [] };
  return Object.fromEntries(Object.entries(all).filter(([key]) => shader.layout!.names.has(key)));
}

interface Timing { wall: number[]; cpu: number[] }

/**
 * ms per kernel of each source over `size` elements, in rounds that alternate between the
 * two: wall time, and the CPU time of this process. On a CPU adapter (SwiftShader) the kernels
 * run on this process's threads, so CPU time counts the work done and is far less disturbed
 * by other processes on a shared machine than wall time.
 */
async function timePair(family: Family, fn: string, sources: [Shader, Shader], size: number): Promise<[Timing, Timing]> {
  const device = getDevice();
  const data = Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 4);
  const inputs: Tensor[] = family === 'binary' ? [tensor(data), tensor(data)] : [tensor(data)];
  const out = tensor(new Float32Array(family === 'reduce' ? ROWS : size));
  const rowWise = family === 'softmax' || family === 'reduce';
  const vec4 = !rowWise && size % 4 === 0;
  const wg = sources[1].constants.WG;
  const groups: [number, number, number] = rowWise ? [ROWS, 1, 1] : vec4 ? grid(size / 4, wg) : grid(size, wg * sources[1].constants.ITEMS);
  const constants: Record<string, number> | undefined = family === 'softmax' ? { LOG: 0 } : family === 'reduce' ? { OP: 1 } : undefined;
  const run = (which: number) => device.dispatch({ shader: sources[which], entryPoint: vec4 ? 'main_vec4' : 'main', constants },
    inputs.map((t) => t.buffer('speed')), [out.buffer('speed')], params(family, sources[which], size, inputs.length), groups);
  const times: [Timing, Timing] = [{ wall: [], cpu: [] }, { wall: [], cpu: [] }];
  for (const which of [0, 1]) { run(which); await device.sync(); } // compile, untimed
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 ? [1, 0] : [0, 1]) {
      const t = performance.now();
      const c = process.cpuUsage();
      for (let i = 0; i < REPS; i++) run(which);
      await device.sync();
      const used = process.cpuUsage(c);
      times[which].wall.push((performance.now() - t) / REPS);
      times[which].cpu.push((used.user + used.system) / 1000 / REPS);
    }
  }
  [...inputs, out].forEach((t) => t.dispose());
  return times;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function main(argv: string[]): Promise<number> {
  const rev = argv[0] ?? 'HEAD';
  const only = argv[1]?.split(',');
  await ready({ verbose: false });
  const old = (file: string) => execFileSync('git', ['show', `${rev}:shaders/${file}.wgsl`], { encoding: 'utf8' });
  const now = (file: string) => readFileSync(new URL(`../shaders/${file}.wgsl`, import.meta.url), 'utf8');
  console.log(`adapter: ${getDevice().info.description}; ${N} elements; ms per kernel, ${ROUNDS} rounds of ${REPS} alternating`);
  console.log(`| kernel | path | CPU ms, ${rev} | CPU ms, working tree | ratio | wall ms (min), ${rev} | wall ms (min), working tree |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [family, fn, paths] of KERNELS.filter(([, name]) => !only || only.includes(name))) {
    for (const path of paths) {
      // N is a multiple of 4 (main_vec4); N + 1 is not (main, 4 outputs per invocation).
      const size = path === 'vec4' ? N : N + 1;
      const [before, after] = await timePair(family, fn, [compose(family, fn, old, rev), compose(family, fn, now, 'now')], size);
      const [b, a] = [median(before.cpu), median(after.cpu)];
      console.log(`| ${fn} | ${path} | ${b.toFixed(1)} | ${a.toFixed(1)} | ${(a / b).toFixed(2)} | ` +
        `${Math.min(...before.wall).toFixed(1)} | ${Math.min(...after.wall).toFixed(1)} |`);
    }
  }
  return 0;
}
