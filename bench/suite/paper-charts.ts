// Vega-Lite charts of the paper experiments, each with theory and measurement together and
// the run's one-sentence verdict as its subtitle. Like charts.ts, plain JSON specs that the
// command line renders to SVG and the page draws live.

import type { ChartSpec } from './charts.ts';
import { RESCUE_INIT_LABELS } from './options.ts';
import type { Reproduction, SuiteResults } from './schema.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const title = (text: string, verdict: Reproduction) => ({ text, subtitle: verdict.sentence, subtitleFontSize: 10, anchor: 'start' });
const positive = (x: number | null) => (x !== null && Number.isFinite(x) && x > 0 ? x : null);

/** Steps to the loss threshold by depth, orthogonal against Gaussian, and the loss curves. */
export function saxeChart(r: SuiteResults): ChartSpec | null {
  if (!r.saxe) return null;
  const { runs, threshold, verdict } = r.saxe;
  const cap = Math.max(...runs.map((x) => x.curve.at(-1)?.step ?? 0));
  const steps = runs.map((x) => ({ init: x.init, depth: x.depth, steps: x.stepsToThreshold ?? cap, reached: x.stepsToThreshold !== null }));
  const curves = runs.flatMap((x) => x.curve.filter((c) => c.loss !== null).map((c) => ({ run: `${x.init}, depth ${x.depth}`, init: x.init, depth: x.depth, step: c.step, loss: c.loss })));
  return {
    $schema: SCHEMA,
    title: title(`Deep linear nets learning a random teacher (Saxe et al. 2013): steps to relative loss ${threshold}`, verdict),
    hconcat: [
      {
        width: 260, height: 200, data: { values: steps },
        layer: [
          { mark: { type: 'line', point: { size: 40 }, tooltip: true }, encoding: {
            x: { field: 'depth', type: 'quantitative', scale: { type: 'log', base: 2 } },
            y: { field: 'steps', type: 'quantitative', title: 'steps (hollow: not reached)' },
            color: { field: 'init', type: 'nominal' } } },
          { transform: [{ filter: '!datum.reached' }], mark: { type: 'point', size: 120, color: 'black' },
            encoding: { x: { field: 'depth', type: 'quantitative' }, y: { field: 'steps', type: 'quantitative' } } },
        ],
      },
      {
        width: 260, height: 200, data: { values: curves },
        layer: [
          { mark: { type: 'line', tooltip: true }, encoding: {
            x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'relative loss' },
            color: { field: 'init', type: 'nominal' }, detail: { field: 'run' }, opacity: { field: 'depth', type: 'quantitative', legend: null } } },
          { data: { values: [{ threshold }] }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'threshold', type: 'quantitative' } } },
        ],
      },
    ],
  };
}

/** The Jacobian's singular values by depth, and Var(lambda)/mean^2 against the free-probability prediction. */
export function isometryChart(r: SuiteResults): ChartSpec | null {
  if (!r.isometry) return null;
  const { runs, verdict } = r.isometry;
  const spectra = runs.flatMap((x) => x.singularValues.map((s, i) => ({
    net: `${x.activation} (σw² ${x.sw2}) · ${x.weights}`, depth: x.depth, rank: (i + 0.5) / x.singularValues.length, s: positive(s),
  }))).filter((v) => v.s !== null);
  const spread = runs.flatMap((x) => [
    { net: `${x.activation} · ${x.weights}`, depth: x.depth, value: x.relativeVariance, source: 'measured' },
    { net: `${x.activation} · ${x.weights}`, depth: x.depth, value: x.theory.relativeVariance, source: 'theory' },
  ]);
  return {
    $schema: SCHEMA,
    title: title('Input-output Jacobian at initialization (Pennington et al. 2017)', verdict),
    vconcat: [
      {
        data: { values: spectra },
        facet: { column: { field: 'net', type: 'nominal', title: 'singular values, largest to smallest, by depth' } },
        spec: { width: 130, height: 150, mark: { type: 'line', tooltip: true }, encoding: {
          x: { field: 'rank', type: 'quantitative', title: 'rank / width' },
          y: { field: 's', type: 'quantitative', scale: { type: 'log' }, title: 'singular value', axis: { format: '.0e' } },
          color: { field: 'depth', type: 'ordinal', scale: { scheme: 'viridis' } } } },
      },
      {
        data: { values: spread },
        facet: { column: { field: 'net', type: 'nominal', title: 'Var(λ)/mean(λ)² of λ = s² by depth: theory (line) and measured (points)' } },
        spec: { width: 130, height: 130, layer: [
          { transform: [{ filter: "datum.source === 'theory'" }], mark: { type: 'line', strokeDash: [4, 3] },
            encoding: { x: { field: 'depth', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'Var(λ)/mean²' } } },
          { transform: [{ filter: "datum.source === 'measured'" }], mark: { type: 'point', filled: true, tooltip: true },
            encoding: { x: { field: 'depth', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' } } },
        ] },
      },
    ],
  };
}

/** The phase diagram: ln chi_1 predicted and measured over (sigma_w^2, sigma_b^2), with the line chi_1 = 1. */
export function chaosPhaseChart(r: SuiteResults): ChartSpec | null {
  if (!r.chaos) return null;
  const { points, criticalLine, verdict, depth, width } = r.chaos;
  const values = [
    ...points.flatMap((p) => [
      { kind: 'cell', panel: 'predicted (quadrature)', sw2: p.sw2, sb2: p.sb2, lnChi: Math.log(p.theory.chi1) },
      { kind: 'cell', panel: `measured (tanh, depth ${depth}, width ${width})`, sw2: p.sw2, sb2: p.sb2, lnChi: Math.log(p.measuredChi1) },
    ]),
    ...['predicted (quadrature)', `measured (tanh, depth ${depth}, width ${width})`].flatMap((panel) =>
      criticalLine.map((c) => ({ kind: 'line', panel, sw2: c.sw2, sb2: c.sb2, lnChi: 0 }))),
  ];
  const x = { field: 'sw2', type: 'quantitative', title: 'σw²' };
  const y = { field: 'sb2', type: 'quantitative', title: 'σb²' };
  return {
    $schema: SCHEMA,
    title: title('Order to chaos (Poole et al. 2016; Schoenholz et al. 2017): ln χ₁, the per-layer growth of squared gradients; line: χ₁ = 1', verdict),
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: 'descending' } },
    spec: { width: 280, height: 200, layer: [
      { transform: [{ filter: "datum.kind === 'cell'" }], mark: { type: 'square', size: 260, tooltip: true }, encoding: {
        x, y, color: { field: 'lnChi', type: 'quantitative', title: 'ln χ₁', scale: { scheme: 'redblue', reverse: true, domainMid: 0 } } } },
      { transform: [{ filter: "datum.kind === 'line'" }], mark: { type: 'line', color: 'black' }, encoding: { x, y, order: { field: 'sb2' } } },
    ] },
  };
}

/** The correlation of two inputs layer by layer, measured (points) against the correlation map (lines), at one sigma_b^2. */
export function chaosCorrelationChart(r: SuiteResults): ChartSpec | null {
  if (!r.chaos) return null;
  const sb2s = [...new Set(r.chaos.points.map((p) => p.sb2))].sort((a, b) => a - b);
  const sb2 = sb2s.find((s) => s > 0) ?? sb2s[0];
  const values = r.chaos.points.filter((p) => p.sb2 === sb2).flatMap((p) => p.layers.map((l) => ({
    sw2: p.sw2, layer: l.layer, c: l.c, cTheory: l.cTheory, logGrad: positive(l.gradVar) === null ? null : Math.log10(l.gradVar),
  })));
  const color = { field: 'sw2', type: 'ordinal', title: 'σw²', scale: { scheme: 'viridis' } };
  const panel = (field: string, theory: string | null, yTitle: string) => ({
    width: 280, height: 200, layer: [
      ...(theory ? [{ mark: { type: 'line' }, encoding: { x: { field: 'layer', type: 'quantitative' }, y: { field: theory, type: 'quantitative' }, color } }] : []),
      { mark: { type: 'point', filled: true, size: 25, tooltip: true }, encoding: { x: { field: 'layer', type: 'quantitative' }, y: { field, type: 'quantitative', title: yTitle }, color } },
    ],
  });
  return {
    $schema: SCHEMA,
    title: title(`Signal through random tanh nets at σb² = ${sb2}: theory (lines) and one net (points)`, r.chaos.verdict),
    data: { values },
    hconcat: [panel('c', 'cTheory', 'correlation c_l of two inputs'), panel('logGrad', null, 'log10 Var(dL/dz_l)')],
  };
}

/**
 * Glorot and Bengio (2010): Var(dL/dz_l) by layer relative to the top hidden layer, measured at
 * each snapshot (points) against the mean-field expectation at initialization (solid) and the
 * paper's linear-regime (n Var W)^(L-l) (dashed); below, the histograms per layer (as the
 * paper's Figures 6 and 7), activations and back-propagated gradients, one row per snapshot.
 */
export function glorotChart(r: SuiteResults): ChartSpec | null {
  if (!r.glorot) return null;
  const { runs, verdict, depth, bins } = r.glorot;
  const profile = runs.flatMap((run) => run.snapshots.flatMap((snap) => {
    const top = snap.layers[depth - 1];
    return snap.layers.flatMap((l) => [
      { init: run.init, layer: l.layer, source: `measured, step ${snap.step}`, step: snap.step, value: positive(l.gradVar / top.gradVar) },
      ...(l.gradVarExpected !== null && top.gradVarExpected ? [{ init: run.init, layer: l.layer, source: 'mean field, step 0', step: -1, value: positive(l.gradVarExpected / top.gradVarExpected) }] : []),
      ...(snap.step === 0 ? [{ init: run.init, layer: l.layer, source: 'linear regime (paper)', step: -2, value: (run.init === 'standard' ? 1 / 3 : 1) ** (depth - l.layer) }] : []),
    ]);
  })).filter((v) => v.value !== null);
  const density = (counts: number[]) => { const n = counts.reduce((a, b) => a + b, 0) || 1; return counts.map((c) => c / n); };
  const hist = runs.flatMap((run) => run.snapshots.flatMap((snap) => snap.layers.flatMap((l) => [
    ...density(l.activations).map((p, k) => ({ panel: `${run.init}: activations tanh(z), step ${snap.step}`, layer: l.layer, x: -1 + ((k + 0.5) * 2) / bins, p })),
    ...density(l.gradients).map((p, k) => ({ panel: `${run.init}: dL/dz, step ${snap.step}`, layer: l.layer, x: (-1 + ((k + 0.5) * 2) / bins) * snap.gradRange, p })),
  ])));
  const y = { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'Var(dL/dz_l) / Var(dL/dz_top)' };
  return {
    $schema: SCHEMA,
    title: title(`Where the gradients die (Glorot and Bengio 2010): tanh, ${depth} hidden layers of ${r.glorot.width}, MNIST`, verdict),
    resolve: { scale: { color: 'independent' } },
    vconcat: [
      {
        data: { values: profile },
        facet: { column: { field: 'init', type: 'nominal', title: 'Var(dL/dz) by layer, input layer 1: measured (points), mean field at init (black), the paper\'s linear regime (dashed)' } },
        spec: { width: 240, height: 180, layer: [
          { transform: [{ filter: 'datum.step === -1' }], mark: { type: 'line', color: 'black' },
            encoding: { x: { field: 'layer', type: 'quantitative' }, y } },
          { transform: [{ filter: 'datum.step === -2' }], mark: { type: 'line', color: 'gray', strokeDash: [4, 3] },
            encoding: { x: { field: 'layer', type: 'quantitative' }, y } },
          { transform: [{ filter: 'datum.step >= 0' }], mark: { type: 'line', point: { filled: true, size: 40 }, tooltip: true },
            encoding: { x: { field: 'layer', type: 'quantitative', axis: { tickMinStep: 1 } }, y, color: { field: 'source', type: 'nominal', title: 'measured' } } },
        ] },
      },
      {
        data: { values: hist },
        facet: { field: 'panel', type: 'nominal', title: 'histograms per layer (fraction of values in each bin)', sort: null },
        columns: 2 * runs[0].snapshots.length,
        resolve: { scale: { x: 'independent', y: 'independent' } },
        spec: { width: 240, height: 110, mark: { type: 'line', interpolate: 'step', tooltip: true }, encoding: {
          x: { field: 'x', type: 'quantitative', title: null, axis: { format: '~g', labelOverlap: true, tickCount: 5 } },
          y: { field: 'p', type: 'quantitative', title: null },
          color: { field: 'layer', type: 'ordinal', scale: { scheme: 'viridis' } } } },
      },
    ],
  };
}

/** MNIST accuracy over depth x sigma_w^2, with the predicted trainable depth 6 xi_c. */
export function trainabilityChart(r: SuiteResults): ChartSpec | null {
  if (!r.trainability) return null;
  const { runs, predictedLine, verdict, steps, sb2 } = r.trainability;
  const maxDepth = Math.max(...runs.map((x) => x.depth)) * 1.5;
  return {
    $schema: SCHEMA,
    title: title(`Trainability on MNIST after ${steps} SGD steps (tanh, σb² = ${sb2}); line: 6 ξ_c (Schoenholz et al. 2017)`, verdict),
    width: 360, height: 240,
    layer: [
      { data: { values: runs }, mark: { type: 'square', size: 400, tooltip: true }, encoding: {
        x: { field: 'sw2', type: 'quantitative', title: 'σw²' }, y: { field: 'depth', type: 'quantitative', scale: { domain: [0, maxDepth] } },
        color: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1], scheme: 'greens' } } } },
      { data: { values: predictedLine.filter((p) => p.depth <= maxDepth) }, mark: { type: 'line', color: 'black', clip: true },
        encoding: { x: { field: 'sw2', type: 'quantitative' }, y: { field: 'depth', type: 'quantitative' } } },
    ],
  };
}


/**
 * What rescues a deep net: per bad initialization, the training loss of each variant against
 * the He reference (black, dashed) and chance, ln 10 (grey); a cross where a run went
 * non-finite. Below, each hidden layer's mean square at initialization, with the closed forms
 * of the plain nets: 2^-l times layer 1's for Var = 1/n, level for He.
 */
export function rescueChart(r: SuiteResults): ChartSpec | null {
  if (!r.rescue) return null;
  const { runs, verdict, depth, width, steps } = r.rescue;
  const he = runs.find((x) => x.init === 'he');
  const bad = [...new Set(runs.filter((x) => x.init !== 'he').map((x) => x.init))];
  const panels = bad.map((i) => RESCUE_INIT_LABELS[i]);
  // Losses above 4 (a badly scaled start) are clipped: the chart is about where the curves end.
  const top = 4;
  const lowest = Math.min(...runs.flatMap((x) => x.curve.map((c) => c.loss ?? Infinity)));
  const bottom = Number.isFinite(lowest) ? Math.max(0, Math.floor(lowest * 2) / 2 - 0.5) : 0;
  const curves = runs.flatMap((x) => (x.init === 'he' ? panels : [RESCUE_INIT_LABELS[x.init]]).flatMap((panel) => [
    ...x.curve.filter((c) => c.loss !== null).map((c) => ({ panel, variant: x.init === 'he' ? 'He reference' : x.variant, step: c.step, loss: c.loss, kind: 'curve' })),
    // Crosses of runs that diverged at the same step are stacked down from the top.
    ...(x.outcome === 'diverged' ? [{ panel, variant: x.init === 'he' ? 'He reference' : x.variant, step: x.curve.at(-1)!.step,
      loss: top - 0.15 * ['He reference', 'plain', 'batchnorm', 'layernorm', 'residual'].indexOf(x.init === 'he' ? 'He reference' : x.variant), kind: 'diverged' }] : []),
  ]));
  const signal = runs.flatMap((x) => (x.init === 'he' ? panels : [RESCUE_INIT_LABELS[x.init]]).flatMap((panel) =>
    x.signal.map((v, l) => ({ panel, variant: x.init === 'he' ? 'He reference' : x.variant, layer: l + 1, value: positive(v), kind: 'measured' })).filter((v) => v.value !== null)));
  const theory = runs.filter((x) => x.variant === 'plain' && (x.init === 'lecun' || x.init === 'he') && x.signal[0] !== null).flatMap((x) =>
    (x.init === 'he' ? panels : [RESCUE_INIT_LABELS[x.init]]).flatMap((panel) => x.signal.map((_, l) => ({
      panel, variant: x.init === 'he' ? 'He: level' : 'plain: 2^-l', layer: l + 1, value: x.signal[0]! * (x.init === 'he' ? 1 : 2 ** -l) }))));
  const variantColor = { field: 'variant', type: 'nominal', title: 'variant',
    scale: { domain: ['He reference', 'plain', 'batchnorm', 'layernorm', 'residual'], range: ['black', '#e45756', '#4c78a8', '#54a24b', '#f58518'] } };
  const dashed = { condition: { test: "datum.variant === 'He reference'", value: [5, 3] }, value: [1, 0] };
  // The sentence is long: one subtitle line per clause.
  const lines = verdict.sentence.split(/(?<=\): |; )/);
  return {
    $schema: SCHEMA,
    title: { ...title(`What rescues a deep net: ReLU, depth ${depth}, width ${width}, MNIST, ${steps} SGD steps${he ? '' : ' (no He reference)'}`, verdict), subtitle: lines },
    resolve: { scale: { color: 'shared' } },
    vconcat: [
      {
        data: { values: curves },
        facet: { column: { field: 'panel', type: 'nominal', title: 'training loss (mean over each stretch of steps, clipped at 4) by bad initialization; black dashed: He init, plain; grey: chance (ln 10); ×: went non-finite', sort: panels } },
        spec: { width: 300, height: 200, layer: [
          { transform: [{ filter: "datum.kind === 'curve'" }], mark: { type: 'line', point: { size: 20 }, tooltip: true, clip: true }, encoding: {
            x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { domain: [bottom, top] } },
            color: variantColor, strokeDash: dashed } },
          { transform: [{ filter: "datum.kind === 'diverged'" }], mark: { type: 'point', shape: 'cross', size: 120, filled: true, tooltip: true }, encoding: {
            x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' }, color: variantColor } },
          { data: { values: [{ chance: Math.log(10) }] }, mark: { type: 'rule', color: 'grey', strokeDash: [2, 2] }, encoding: { y: { field: 'chance', type: 'quantitative' } } },
        ] },
      },
      {
        data: { values: [...signal, ...theory.map((t) => ({ ...t, kind: 'theory' }))] },
        facet: { column: { field: 'panel', type: 'nominal', title: 'mean square of each hidden layer\'s output at initialization (thin grey: the closed forms of the plain nets, 2^-l for Var = 1/n, level for He)', sort: panels } },
        resolve: { scale: { y: 'independent' } },
        spec: { width: 300, height: 180, layer: [
          { transform: [{ filter: "datum.kind === 'theory'" }], mark: { type: 'line', color: 'grey', strokeWidth: 1 }, encoding: {
            x: { field: 'layer', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, detail: { field: 'variant' } } },
          { transform: [{ filter: "datum.kind === 'measured'" }], mark: { type: 'line', point: { size: 15 }, tooltip: true }, encoding: {
            x: { field: 'layer', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'mean square', axis: { format: '.0e' } },
            color: variantColor, strokeDash: dashed } },
        ] },
      },
    ],
  };
}

/** The paper charts with data, by file name. */
export function paperCharts(r: SuiteResults): Record<string, ChartSpec | null> {
  return {
    saxe: saxeChart(r), isometry: isometryChart(r), 'chaos-phase': chaosPhaseChart(r),
    glorot: glorotChart(r), 'chaos-correlation': chaosCorrelationChart(r), trainability: trainabilityChart(r),
    rescue: rescueChart(r),
  };
}
