// Markdown tables of a results document: what the command line prints and report.html shows.

import type { SuiteResults } from './schema.ts';
import { stepTimeFit } from './theory.ts';
import { paperSections } from './paper-tables.ts';

const fmt = (x: number | null | undefined, digits = 3): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return x === null || x === undefined ? 'n/a' : String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(digits - 1) : x.toPrecision(digits);
};

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Markdown: one row per signal-propagation run with gains, ratios and the verdict. */
export function signalTable(r: SuiteResults): string {
  return table(
    ['activation', 'init', 's', 'depth', 'gain measured', 'gain mean-field', 'std ratio a_L/a_1', 'log10 ‖dW_1‖/‖dW_L‖', '‖dW_1‖', 'verdict'],
    r.signal.map((s) => [s.activation, s.init, fmt(s.scale), s.depth, fmt(s.measuredGain), fmt(s.meanFieldGain),
      fmt(s.forwardStdRatio), fmt(s.log10GradRatio), fmt(s.layers[0].gradNorm), s.verdict + (s.detail ? ` (${s.detail})` : '')]),
  );
}

/** Verdicts as a grid: one row per activation and initializer, one column per depth. */
export function verdictGrid(r: SuiteResults): string {
  const depths = [...new Set(r.signal.map((s) => s.depth))].sort((a, b) => a - b);
  const keys = [...new Set(r.signal.map((s) => `${s.activation}|${s.init}`))];
  const short = { stable: 'stable', vanishing: 'VANISH', exploding: 'EXPLODE', overflow: 'OVERFLOW', underflow: 'UNDERFLOW' } as const;
  return table(['activation', 'init', ...depths.map((d) => `L=${d}`)], keys.map((key) => {
    const [activation, init] = key.split('|');
    return [activation, init, ...depths.map((d) => {
      const run = r.signal.find((s) => s.activation === activation && s.init === init && s.depth === d);
      return run ? short[run.verdict] : '';
    })];
  }));
}

/** Markdown: the deep linear example, measured scales next to c^L. */
export function linearTable(r: SuiteResults): string {
  return table(['c', 'depth', '‖a_L‖/‖x‖', 'c^L', '‖dL/dx‖/‖dL/da_L‖', 'closed form c^L', 'worst rel. error'],
    r.linear.map((l) => [l.c, l.depth, fmt(l.activationScale[l.depth - 1].measured, 5), fmt(l.activationScale[l.depth - 1].expected, 5),
      fmt(l.gradientScale.measured, 5), fmt(l.gradientScale.expected, 5), fmt(l.worstRelativeError, 2)]));
}

/** Markdown: one row per training run (first and final loss, accuracy, outcome). */
export function trainingTable(r: SuiteResults): string {
  if (!r.training) return '';
  return table(['activation', 'depth', 'init', 'first loss', 'final loss', 'test accuracy', 'outcome'],
    r.training.runs.map((t) => [t.activation, t.depth, t.init, fmt(t.curve[0].loss), fmt(t.finalLoss),
      `${(t.testAccuracy * 100).toFixed(1)}%`, t.outcome]));
}

/** Markdown: step time by depth with its linear fit, and matmul GFLOP/s by size and variant. */
export function speedTables(r: SuiteResults): string {
  const parts: string[] = [];
  if (r.speed?.steps.length) {
    const fit = stepTimeFit(r.speed.steps);
    parts.push(table(['depth', 'ms / step'], r.speed.steps.map((s) => [s.depth, fmt(s.msPerStep, 4)])),
      `Linear fit: ${fmt(fit.slope, 3)} ms per layer, R² = ${fmt(fit.r2, 4)}`);
  }
  if (r.speed?.matmul.length) {
    const runs = r.speed.matmul;
    const sizes = [...new Set(runs.map((m) => m.size))];
    const variants = [...new Set(runs.map((m) => m.variant))];
    parts.push(table(['size', ...variants.map((v) => `${v} GFLOP/s`)], sizes.map((n) =>
      [n, ...variants.map((v) => fmt(runs.find((m) => m.size === n && m.variant === v)?.gflops, 3))])));
  }
  return parts.join('\n\n');
}

/** The whole report as markdown sections. */
export function markdownReport(r: SuiteResults): string {
  const a = r.adapter;
  const parts = [
    `# gpugrad benchmark suite`,
    `Adapter: ${a.description || a.architecture} (${a.vendor}, ${a.isFallback ? 'CPU fallback' : 'GPU'}, via ${a.source}); ` +
      `${r.environment.runtime}; preset ${r.options.preset}, width ${r.options.width}, batch ${r.options.batch}, seed ${r.options.seed}; ` +
      `${r.durationSeconds.toFixed(0)} s.`,
  ];
  if (r.signal.length) {
    parts.push('## Signal propagation: verdicts', verdictGrid(r), '## Signal propagation: per run', signalTable(r), ...r.notes.map((n) => `Note: ${n}`));
  }
  if (r.linear.length) parts.push('## Deep linear example (W = c·I)', linearTable(r));
  if (r.training) parts.push('## Training on MNIST', trainingTable(r), r.training.note);
  if (r.speed) parts.push('## Speed', speedTables(r));
  parts.push(...paperSections(r));
  if (r.notes.length && !r.signal.length) parts.push(...r.notes.map((n) => `Note: ${n}`));
  return parts.join('\n\n') + '\n';
}
