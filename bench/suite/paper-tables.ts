// Markdown of the paper experiments: per experiment a heading, the verdict sentence, and a
// compact table of theory next to measurement. Part of the report the command line prints
// and report.html and the page show.

import { RESCUE_INIT_LABELS } from './options.ts';
import type { SuiteResults } from './schema.ts';

const f = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined ? 'n/a' : !Number.isFinite(x) ? String(x) : Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(digits - 1) : x.toPrecision(digits);

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The paper sections of the report, in run order (empty strings for those not run). */
export function paperSections(r: SuiteResults): string[] {
  const parts: string[] = [];
  if (r.saxe) {
    const depths = [...new Set(r.saxe.runs.map((x) => x.depth))];
    const cell = (init: string, d: number) => {
      const run = r.saxe!.runs.find((x) => x.init === init && x.depth === d);
      return run ? run.stepsToThreshold ?? `>${run.curve.at(-1)?.step}` : '';
    };
    parts.push('## Deep linear nets learning a teacher (Saxe et al. 2013)', r.saxe.verdict.sentence,
      table(['init', ...depths.map((d) => `L=${d}`)], ['orthogonal', 'gaussian'].map((i) => [i, ...depths.map((d) => cell(i, d))])));
  }
  if (r.isometry) {
    parts.push('## Jacobian spectra at initialization (Pennington et al. 2017)', r.isometry.verdict.sentence,
      table(['activation', 'weights', 'depth', 'mean λ', 'theory', 'Var(λ)/mean²', 'theory', 's_max', 's_min'],
        r.isometry.runs.map((x) => [x.activation, x.weights, x.depth, f(x.meanLambda), f(x.theory.meanLambda), f(x.relativeVariance),
          f(x.theory.relativeVariance), f(x.singularValues[0]), f(x.singularValues.at(-1))])));
  }
  if (r.glorot) {
    const { runs, depth } = r.glorot;
    parts.push('## Where the gradients die (Glorot and Bengio 2010)', r.glorot.verdict.sentence,
      table(['init', 'step', ...Array.from({ length: depth }, (_, l) => `Var dz_${l + 1}`), 'mean field at layer 1', 'std a_1', `std a_${depth}`],
        runs.flatMap((run) => run.snapshots.map((s) => [run.init, s.step, ...s.layers.map((l) => f(l.gradVar)),
          f(s.layers[0].gradVarExpected), f(s.layers[0].activationStd), f(s.layers[depth - 1].activationStd)]))));
  }
  if (r.chaos) {
    parts.push('## The edge of chaos (Poole et al. 2016; Schoenholz et al. 2017)', r.chaos.verdict.sentence,
      table(['σw²', 'σb²', 'q*', 'χ₁ theory', 'χ₁ measured', 'c*', `c at layer ${r.chaos.depth}`, 'ξ_c'],
        r.chaos.points.map((p) => [p.sw2, p.sb2, f(p.theory.qStar), f(p.theory.chi1), f(p.measuredChi1), f(p.theory.cStar),
          f(p.layers.at(-1)?.c), f(p.theory.xiC)])),
      `Critical line χ₁ = 1: ${r.chaos.criticalLine.map((c) => `σb² ${c.sb2} → σw² ${c.sw2.toFixed(3)}`).join('; ')}.`);
  }
  if (r.trainability) {
    parts.push('## Trainability at the edge of chaos (Schoenholz et al. 2017)', r.trainability.verdict.sentence,
      table(['σw²', 'depth', '6 ξ_c', 'test accuracy', 'final loss'], r.trainability.runs.map((x) =>
        [x.sw2, x.depth, f(x.predictedDepth), `${(x.accuracy * 100).toFixed(1)}%`, f(x.loss)])));
  }
  if (r.rescue) {
    const { depth } = r.rescue;
    parts.push('## What rescues a deep net (Ioffe & Szegedy 2015; Ba et al. 2016; He et al. 2016)', r.rescue.verdict.sentence,
      table(['init', 'variant', 'first loss', 'final loss', 'test accuracy', 'outcome', 'mean square at layer 1', `at layer ${depth}`],
        r.rescue.runs.map((x) => [RESCUE_INIT_LABELS[x.init], x.variant, f(x.curve[0].loss), f(x.finalLoss),
          x.testAccuracy === null ? 'n/a' : `${(x.testAccuracy * 100).toFixed(1)}%`, x.outcome + (x.outcome === 'diverged' ? ` by step ${x.curve.at(-1)!.step}` : ''),
          f(x.signal[0]), f(x.signal[depth - 1])])));
  }
  return parts;
}
