// The benchmark loop, the same in Node and in the page: for each workload, each library in
// turn (so a slow spell of a shared machine hits all of them alike) loads the same data, runs
// one warm-up and `runs` timed runs, each ended by a readback, and has its result checked
// against float64 before its median counts.

import { checkFalling, checkLoss, checkMatmul, fmt, mlpData, mse, randomArray, type MlpSpec } from './reference.ts';
import { loadRunner, type LibId, type Runner } from './libs/types.ts';

export type Workload =
  | { id: string; kind: 'matmul'; n: number }
  | { id: string; kind: 'train' | 'forward'; spec: MlpSpec };

const mlpSpec = (depth: number, activation: MlpSpec['activation']): MlpSpec =>
  ({ depth, width: 256, batch: 256, inputs: 256, outputs: 10, activation });

/** The workloads of a run: `quick` keeps matmul 256/512 and depth 10. */
export function workloads(quick: boolean): Workload[] {
  const sizes = quick ? [256, 512] : [256, 512, 1024];
  const depths = quick ? [10] : [10, 30];
  return [
    ...sizes.map((n): Workload => ({ id: `matmul ${n}`, kind: 'matmul', n })),
    ...depths.flatMap((d) => (['relu', 'tanh'] as const).map((a): Workload => ({ id: `train d${d} ${a}`, kind: 'train', spec: mlpSpec(d, a) }))),
    ...depths.map((d): Workload => ({ id: `forward d${d} relu`, kind: 'forward', spec: mlpSpec(d, 'relu') })),
  ];
}

/** Floating-point operations of one run: 2n³ for a matmul; forward 2·batch·Σ in·out, a training step three times that. */
export function flops(w: Workload): number {
  if (w.kind === 'matmul') return 2 * w.n ** 3;
  const s = w.spec;
  const macs = s.batch * (s.inputs * s.width + (s.depth - 1) * s.width * s.width + s.width * s.outputs);
  return 2 * macs * (w.kind === 'train' ? 3 : 1);
}

/** One library on one workload. */
export interface Cell {
  workload: string;
  lib: LibId;
  /** ok: timed and checked; failed: an error or a failed check; slow: over the cell budget, fewer runs; unavailable: the library did not load. */
  status: 'ok' | 'failed' | 'slow' | 'unavailable';
  reason?: string;
  /** Timed runs, ms. */
  times: number[];
  medianMs?: number;
  gflops?: number;
  /** Warm-up run, ms (includes compilation). */
  warmupMs?: number;
  /** Training: the loss of the warm-up step (the initial weights) and of each timed step. */
  losses?: number[];
  /** The float64 reference of the initial loss (training and forward). */
  referenceLoss?: number;
  /** GPU dispatches of one run, where the library counts them. */
  dispatches?: number;
}

export interface LibStatus { lib: LibId; ok: boolean; description: string }

export interface EnvResult {
  env: 'node' | 'browser';
  userAgent: string;
  libs: LibStatus[];
  cells: Cell[];
  /** Browser only: errors the page logged (console.error, uncaught), whichever library caused them. */
  pageErrors?: string[];
}

/** One environment's result from runs of one library each (a process or a Chromium apiece), in their order. */
export function mergeRuns(env: EnvResult['env'], parts: EnvResult[]): EnvResult {
  const errors = parts.flatMap((p) => p.pageErrors ?? []);
  return {
    env, userAgent: parts[0]?.userAgent ?? '', libs: parts.flatMap((p) => p.libs), cells: parts.flatMap((p) => p.cells),
    ...(env === 'browser' && { pageErrors: errors }),
  };
}

export interface RunOptions {
  libs: LibId[];
  workloads: Workload[];
  /** Timed runs per cell (after one warm-up). */
  runs: number;
  /** Seconds a cell may take: past it, the cell stops early and is marked slow. */
  cellBudget: number;
  /** float64 initial losses by workload id (computed where float64 is cheap to run once); missing ones are computed here. */
  references?: Record<string, number>;
  lr?: number;
  seed?: number;
  onProgress?: (line: string) => void;
  /** Each library's status once loaded, and each cell once done (the page sends them as they come, so a crash loses none). */
  onLib?: (lib: LibStatus) => void;
  onCell?: (cell: Cell) => void;
}

export const LR = 0.01;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Runs every library on every workload; never throws for a library's failure (it is in the cells). */
export async function runSpeed(o: RunOptions, env: EnvResult['env'], references64: (w: Workload) => number): Promise<EnvResult> {
  const say = o.onProgress ?? (() => {});
  const lr = o.lr ?? LR;
  const libs: LibStatus[] = [];
  const runners = new Map<LibId, Runner>();
  for (const id of o.libs) {
    try {
      const runner = await loadRunner(id);
      const description = await runner.init();
      runners.set(id, runner);
      libs.push({ lib: id, ok: true, description });
      o.onLib?.(libs[libs.length - 1]);
      say(`[${env}] ${id}: ${description}`);
    } catch (e) {
      libs.push({ lib: id, ok: false, description: firstLine(e) });
      o.onLib?.(libs[libs.length - 1]);
      say(`[${env}] ${id}: did not load: ${firstLine(e)}`);
    }
  }
  const cells: Cell[] = [];
  for (const w of o.workloads) {
    const data = w.kind === 'matmul' ? null : mlpData(w.spec, o.seed ?? 1);
    const matrices = w.kind === 'matmul' ? [randomArray(w.n * w.n, 11, 'uniform'), randomArray(w.n * w.n, 12, 'uniform')] : null;
    const reference = data ? (o.references?.[w.id] ?? references64(w)) : undefined;
    for (const id of o.libs) {
      const runner = runners.get(id);
      const cell: Cell = { workload: w.id, lib: id, status: 'ok', times: [], referenceLoss: reference };
      cells.push(cell);
      if (!runner) {
        cell.status = 'unavailable';
        cell.reason = 'did not load';
        o.onCell?.(cell);
        continue;
      }
      try {
        await runCell(runner, w, cell, { o, lr, data, matrices });
      } catch (e) {
        cell.status = 'failed';
        cell.reason = firstLine(e);
      }
      if (cell.times.length) {
        cell.medianMs = median(cell.times);
        cell.gflops = flops(w) / (cell.medianMs * 1e6);
      }
      const time = cell.medianMs === undefined ? '' : `${fmt(cell.medianMs)} ms median of ${cell.times.length}`;
      o.onCell?.(cell);
      say(`[${env}] ${w.id} · ${id}: ${cell.status === 'ok' ? `${time} ✓` : `${cell.status}${time ? ` (${time})` : ''}: ${cell.reason}`}`);
    }
  }
  return { env, userAgent: typeof navigator !== 'undefined' ? navigator.userAgent ?? '' : '', libs, cells };
}

async function runCell(runner: Runner, w: Workload, cell: Cell,
  { o, lr, data, matrices }: { o: RunOptions; lr: number; data: ReturnType<typeof mlpData> | null; matrices: Float32Array[] | null }): Promise<void> {
  const live0 = runner.liveTensors?.();
  const start = performance.now();
  // The warm-up includes compiling, so it does not predict a run: one timed run is made
  // whenever the warm-up ended within the budget, and the runs so far predict the next.
  const overBudget = () => {
    const spent = (performance.now() - start) / 1000;
    return cell.times.length ? spent + median(cell.times) / 1000 > o.cellBudget : spent > o.cellBudget;
  };
  const checks: (string | null)[] = [];
  let task: { run: () => Promise<unknown>; dispose(): void };
  let check: (value: unknown, warmup: boolean) => void;
  if (w.kind === 'matmul') {
    const [a, b] = matrices!;
    const t = await runner.matmul(a, b, w.n);
    task = t;
    check = (c, warmup) => { if (warmup) checks.push(checkMatmul(a, b, c as Float32Array, w.n)); };
  } else {
    const t = await runner.mlp(data!, lr);
    if (w.kind === 'train') {
      cell.losses = [];
      task = { run: t.train, dispose: t.dispose };
      check = (loss, warmup) => {
        cell.losses!.push(loss as number);
        if (warmup) checks.push(checkLoss(loss as number, cell.referenceLoss!, 'initial loss'));
      };
    } else {
      task = { run: t.forward, dispose: t.dispose };
      check = (out, warmup) => {
        const loss = mse(out as Float32Array, data!.y);
        if (warmup) checks.push(checkLoss(loss, cell.referenceLoss!, 'loss of the output'));
      };
    }
  }
  try {
    const d0 = runner.dispatches?.();
    const warm = await timed(task.run);
    cell.warmupMs = warm.ms;
    if (d0 !== undefined) cell.dispatches = runner.dispatches!() - d0;
    check(warm.value, true);
    while (cell.times.length < o.runs && !overBudget()) {
      const r = await timed(task.run);
      cell.times.push(r.ms);
      check(r.value, false);
    }
  } finally {
    task.dispose();
  }
  if (cell.losses && cell.times.length) checks.push(checkFalling(cell.losses));
  const live1 = runner.liveTensors?.();
  if (live0 !== undefined && live1 !== undefined && live1 !== live0) checks.push(`${live1 - live0} tensors left alive after the workload`);
  const failed = checks.filter((c): c is string => c !== null);
  if (failed.length) {
    cell.status = 'failed';
    cell.reason = failed.join('; ');
  } else if (cell.times.length < o.runs) {
    cell.status = 'slow';
    cell.reason = `${cell.times.length} of ${o.runs} timed runs within the ${o.cellBudget} s cell budget (warm-up ${fmt(cell.warmupMs! / 1000)} s)`;
  }
}
