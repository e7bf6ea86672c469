// Vega-Lite chart specs of a results document. The same specs render to SVG in Node (the
// command line's report) and interactively in the page, so the two always show the same thing.

import type { SuiteResults } from './schema.ts';
import { stepTimeFit } from './theory.ts';
import { paperCharts } from './paper-charts.ts';

// Vega-Lite specs are plain JSON; typed loosely here so this module needs no vega types.
/** A Vega-Lite specification (plain JSON). */
export type ChartSpec = Record<string, unknown>;

const finite = (x: number) => Number.isFinite(x) && x > 0;

/** log10 ||dL/dW|| by layer (x) and configuration (y), one panel per depth. */
export function gradientHeatmap(r: SuiteResults): ChartSpec | null {
  if (!r.signal.length) return null;
  const values = r.signal.flatMap((s) => s.layers.map((l) => ({
    config: `${s.activation} · ${s.init}`, depth: `depth ${s.depth}`, layer: l.layer,
    log10Grad: finite(l.gradNorm) ? Math.log10(l.gradNorm) : null,
  })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'log10 ‖dL/dW‖ by layer (grey: non-finite in float32)',
    data: { values },
    facet: { row: { field: 'depth', type: 'nominal', sort: { field: 'layer' }, title: null } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 420,
      mark: { type: 'rect', tooltip: true },
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'layer', axis: { labelOverlap: true } },
        y: { field: 'config', type: 'nominal', title: null, sort: null, axis: { labelFontSize: 8 } },
        color: {
          condition: { test: 'datum.log10Grad === null', value: '#bbbbbb' },
          field: 'log10Grad', type: 'quantitative', title: 'log10 ‖dL/dW‖', scale: { scheme: 'redblue', reverse: true, domainMid: 0 },
        },
      },
    },
  };
}

/** std of the activations by layer, one line per initializer, one panel per activation (deepest run). */
export function activationStdChart(r: SuiteResults): ChartSpec | null {
  if (!r.signal.length) return null;
  const depth = Math.max(...r.signal.map((s) => s.depth));
  const values = r.signal.filter((s) => s.depth === depth).flatMap((s) => s.layers.slice(0, depth).map((l) => ({
    activation: s.activation, init: s.init, layer: l.layer, aStd: finite(l.aStd) ? l.aStd : null,
  }))).filter((v) => v.aStd !== null);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `std of activations by layer (depth ${depth}; a line that stops overflowed float32)`,
    data: { values },
    facet: { column: { field: 'activation', type: 'nominal', title: null } },
    spec: {
      width: 260, height: 220,
      mark: { type: 'line', point: { size: 12 }, tooltip: true },
      encoding: {
        x: { field: 'layer', type: 'quantitative', axis: { tickMinStep: 1 } },
        y: { field: 'aStd', type: 'quantitative', scale: { type: 'log' }, title: 'std(a)', axis: { format: '.0e' } },
        color: { field: 'init', type: 'nominal', sort: null },
      },
    },
  };
}

/** Training loss and held-out accuracy by step, one line per initializer. */
export function trainingChart(r: SuiteResults): ChartSpec | null {
  if (!r.training) return null;
  const values = r.training.runs.flatMap((t) => t.curve.map((c) => ({
    run: `${t.activation}, depth ${t.depth}`, init: t.init, step: c.step,
    loss: Number.isFinite(c.loss) ? c.loss : null, accuracy: c.accuracy,
  })));
  const panel = (field: string, title: string, scale: Record<string, unknown> = {}) => ({
    width: 200, height: 150,
    mark: { type: 'line', point: { size: 10 }, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field, type: 'quantitative', title, scale },
      color: { field: 'init', type: 'nominal', sort: null },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Training on MNIST (SGD, same seed and batches for every initializer)',
    data: { values },
    vconcat: [
      { facet: { column: { field: 'run', type: 'nominal', title: null } }, spec: panel('loss', 'training loss', { type: 'log' }) },
      { facet: { column: { field: 'run', type: 'nominal', title: null } }, spec: panel('accuracy', 'test accuracy', { domain: [0, 1] }) },
    ],
  };
}

/** Step time by depth with its least-squares line. */
export function stepTimeChart(r: SuiteResults): ChartSpec | null {
  if (!r.speed?.steps.length) return null;
  const { steps } = r.speed;
  const { intercept, slope, r2 } = stepTimeFit(steps);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `ms per training step by depth (fit: ${slope.toFixed(2)} ms per layer, R² ${r2.toFixed(3)})`,
    width: 320, height: 220,
    data: { values: steps.map((s) => ({ ...s, fit: intercept + slope * s.depth })) },
    layer: [
      { mark: { type: 'point', filled: true, size: 60, tooltip: true }, encoding: { x: { field: 'depth', type: 'quantitative' }, y: { field: 'msPerStep', type: 'quantitative', title: 'ms / step' } } },
      { mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x: { field: 'depth', type: 'quantitative' }, y: { field: 'fit', type: 'quantitative' } } },
    ],
  };
}

/** Matmul GFLOP/s by size and kernel variant. */
export function matmulChart(r: SuiteResults): ChartSpec | null {
  if (!r.speed?.matmul.length) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `matmul GFLOP/s on ${r.adapter.description || r.adapter.architecture}`,
    width: 320, height: 220,
    data: { values: r.speed.matmul },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'size', type: 'ordinal', title: 'n (n x n · n x n)' },
      xOffset: { field: 'variant', sort: null },
      y: { field: 'gflops', type: 'quantitative', title: 'GFLOP/s' },
      color: { field: 'variant', type: 'nominal', sort: null },
    },
  };
}

/** Every chart the results support (those with data so far), by file name. */
export function allCharts(r: SuiteResults): Record<string, ChartSpec> {
  const charts: Record<string, ChartSpec | null> = {
    'gradient-heatmap': gradientHeatmap(r),
    'activation-std': activationStdChart(r),
    training: trainingChart(r),
    'step-time': stepTimeChart(r),
    matmul: matmulChart(r),
    ...paperCharts(r),
  };
  return Object.fromEntries(Object.entries(charts).filter((e): e is [string, ChartSpec] => e[1] !== null));
}
