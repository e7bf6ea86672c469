// The results of a suite run: one JSON document, the same from the command line and the
// page. SCHEMA_VERSION changes whenever a field changes meaning; validateResults() checks a
// document against this shape (the tests use it, and the page checks before it renders).

import type { SuiteOptions } from './options.ts';

/** Version of the results document; bumped whenever a field changes meaning. */
export const SCHEMA_VERSION = 4;

/** What happened to the signal and gradients in one run (see theory.ts verdictOf). */
export type Verdict = 'stable' | 'vanishing' | 'exploding' | 'overflow' | 'underflow';

/** Statistics of one Linear layer (1-based `layer`; the output layer is depth + 1). */
export interface LayerStats {
  layer: number;
  /** std of the pre-activations z = a·W + b */
  zStd: number;
  /** std of the activations a = g(z) (equal to zStd for the linear output layer) */
  aStd: number;
  /** ||dL/dW||_F */
  gradNorm: number;
  /** ||dL/dW||_F / ||W||_F: the relative size of an SGD step */
  relGradNorm: number;
  /** std of dL/dz */
  dzStd: number;
}

/** One run of the signal propagation sweep: an activation, an initializer and a depth. */
export interface SignalRun {
  activation: string;
  init: string;
  /** Var(w) · fanIn for the hidden layers */
  scale: number;
  depth: number;
  layers: LayerStats[];
  /** (Var z_L / Var z_1)^(1/(L-1)) over the hidden layers */
  measuredGain: number;
  /** the mean-field prediction of the same quantity */
  meanFieldGain: number;
  /** std(a_L) / std(a_1) */
  forwardStdRatio: number;
  /** log10(||dL/dW_1|| / ||dL/dW_L||) */
  log10GradRatio: number;
  verdict: Verdict;
  /** For overflow: which op and layer first went non-finite. */
  detail: string;
}

/** One run of the deep linear example: W = c·I in every layer. */
export interface LinearRun {
  c: number;
  depth: number;
  /** per layer l = 1..depth: measured ||a_l|| / ||x|| and the closed form c^l */
  activationScale: { layer: number; measured: number; expected: number }[];
  /** ||dL/dx|| / ||dL/da_L|| and c^depth */
  gradientScale: { measured: number; expected: number };
  worstRelativeError: number;
}

/** One MNIST training run: an activation, an initializer and a depth, with its curve. */
export interface TrainingRun {
  activation: string;
  init: string;
  depth: number;
  curve: { step: number; loss: number; accuracy: number }[];
  finalLoss: number;
  /** accuracy on the held-out set after the last step */
  testAccuracy: number;
  /** 'learned' if the training loss fell below 0.95·ln 10 (a uniform guess scores ln 10), 'stalled', or 'diverged' (non-finite loss) */
  outcome: 'learned' | 'stalled' | 'diverged';
}

/** Milliseconds per forward + backward + SGD step at one depth: the median over rounds of the `reps` timed steps. */
export interface SpeedRun { depth: number; msPerStep: number; reps: number }
/** Matmul throughput at one size and kernel variant. */
export interface MatmulRun { size: number; variant: string; ms: number; gflops: number }

/** Whether a paper's finding showed in this run, and one sentence with the figures. */
export interface Reproduction { reproduced: 'yes' | 'partly' | 'no'; sentence: string }

/** How a verdict's sentence opens: 'Reproduced', 'Partly reproduced' or 'Did not reproduce'. */
export const verdictLead = (reproduced: Reproduction['reproduced']): string =>
  ({ yes: 'Reproduced', partly: 'Partly reproduced', no: 'Did not reproduce' })[reproduced];

/** One deep linear net learning the teacher (Saxe et al. 2013). */
export interface SaxeRun {
  init: 'orthogonal' | 'gaussian';
  depth: number;
  /** first step whose relative loss ||y_hat - y||^2 / ||y||^2 fell below the threshold; null if none did */
  stepsToThreshold: number | null;
  curve: { step: number; loss: number | null }[];
}

/** The singular values of one net's input-output Jacobian at initialization (Pennington et al. 2017). */
export interface SpectrumRun {
  activation: 'linear' | 'tanh' | 'relu';
  weights: 'orthogonal' | 'gaussian';
  /** sigma_w^2 (1 for linear and tanh, 2 for ReLU: the critical values) */
  sw2: number;
  depth: number;
  /** descending, float64 SVD of the float32 product */
  singularValues: number[];
  /** mean of lambda = s^2 and Var(lambda) / mean^2, measured and by theory */
  meanLambda: number;
  relativeVariance: number;
  theory: { meanLambda: number; relativeVariance: number };
}

/** One (sigma_w^2, sigma_b^2) of the edge-of-chaos sweep: theory and one net's measurement. */
export interface ChaosPoint {
  sw2: number;
  sb2: number;
  theory: { qStar: number; chi1: number; cStar: number; xiQ: number | null; xiC: number | null };
  /** exp(-slope) of ln Var(dL/dz_l) against l, fitted over layers CHAOS_FIT_FROM..depth */
  measuredChi1: number;
  /** per layer: q and c of the pre-activations measured and by theory, and Var(dL/dz) */
  layers: { layer: number; q: number; c: number; qTheory: number; cTheory: number; gradVar: number }[];
}

/** One MNIST run of the trainability grid (Schoenholz et al. 2017). */
export interface TrainabilityRun { sw2: number; depth: number; accuracy: number; loss: number | null; predictedDepth: number | null }

/** One layer of a Glorot snapshot: spreads, and histograms of the activations over [-1, 1] and of dL/dz over ±gradRange. */
export interface GlorotLayer {
  layer: number;
  activationStd: number;
  /** Var(dL/dz_l) over the probe batch */
  gradVar: number;
  /** the mean-field expectation, from the top hidden layer's measured variance down (at step 0 only, else null) */
  gradVarExpected: number | null;
  /** counts per bin (values outside the range are left out) */
  activations: number[];
  gradients: number[];
}

/** One net of the Glorot experiment: its snapshots, step 0 being initialization. */
export interface GlorotRun {
  init: 'standard' | 'normalized';
  snapshots: { step: number; /** the gradient histograms span [-gradRange, gradRange] */ gradRange: number; layers: GlorotLayer[] }[];
}

/** One net of the rescue experiment: a ReLU MLP with an initialization and a variant, trained on MNIST. */
export interface RescueRun {
  /** 'he' is the reference (Var = 2/n, plain); the others are the bad initializations */
  init: 'he' | 'lecun' | 'normal';
  variant: 'plain' | 'batchnorm' | 'layernorm' | 'residual';
  /** mean square of each hidden layer's output at initialization over the probe batch, layer 1..depth (null: not finite in float32) */
  signal: (number | null)[];
  /** mean training loss over each stretch of steps, at its last step; null once it went non-finite (the run stops there) */
  curve: { step: number; loss: number | null }[];
  /** the curve's last point: the mean loss over the last stretch (null: diverged) */
  finalLoss: number | null;
  /** held-out accuracy after the last step (null: diverged) */
  testAccuracy: number | null;
  /** 'trained': finite and close to the He reference (see rescue.ts); 'stalled'; 'diverged': the loss went non-finite */
  outcome: 'trained' | 'stalled' | 'diverged';
}

/** The whole results document (results.json), the same from the command line and the page. */
export interface SuiteResults {
  schemaVersion: number;
  createdAt: string;
  adapter: { vendor: string; architecture: string; description: string; isFallback: boolean; source: string };
  environment: { runtime: string; gpugrad: string };
  options: SuiteOptions;
  durationSeconds: number;
  signal: SignalRun[];
  linear: LinearRun[];
  training: { runs: TrainingRun[]; heReproduced: 'yes' | 'no' | 'not run'; note: string } | null;
  speed: { steps: SpeedRun[]; msPerLayer: number; r2: number; matmul: MatmulRun[] } | null;
  saxe: { threshold: number; learningRate: number; width: number; runs: SaxeRun[]; verdict: Reproduction } | null;
  isometry: { width: number; runs: SpectrumRun[]; verdict: Reproduction } | null;
  chaos: { depth: number; width: number; points: ChaosPoint[]; criticalLine: { sb2: number; sw2: number }[];
    /** slope of measured against predicted ln chi_1 (1 when they agree) */ slope: number; verdict: Reproduction } | null;
  glorot: { depth: number; width: number; bins: number; batch: number; probe: number;
    /** gradient histograms span ±gradSpan times the snapshot's largest per-layer std */ gradSpan: number; runs: GlorotRun[]; verdict: Reproduction } | null;
  trainability: { sb2: number; steps: number; width: number; runs: TrainabilityRun[];
    /** 6 xi_c on a fine sigma_w^2 grid, for the chart (depths past 1000 left out) */ predictedLine: { sw2: number; depth: number }[]; verdict: Reproduction } | null;
  rescue: { depth: number; width: number; batch: number; steps: number; learningRate: number; momentum: number;
    /** a run counts as trained when its held-out accuracy is at least chance + this share of the He reference's gain over chance */ heShare: number;
    runs: RescueRun[]; verdict: Reproduction } | null;
  notes: string[];
}

/** The paper experiments: their key in the document (each null until it ran). */
export const PAPER_KEYS = ['saxe', 'isometry', 'glorot', 'chaos', 'trainability', 'rescue'] as const;

/** Checks the shape of a results document; returns the list of problems (empty when valid). */
export function validateResults(doc: unknown): string[] {
  const problems: string[] = [];
  const r = doc as Partial<SuiteResults>;
  const need = (cond: boolean, what: string) => { if (!cond) problems.push(what); };
  need(typeof doc === 'object' && doc !== null, 'not an object');
  if (problems.length) return problems;
  need(r.schemaVersion === SCHEMA_VERSION, `schemaVersion must be ${SCHEMA_VERSION}`);
  need(typeof r.createdAt === 'string', 'createdAt missing');
  need(typeof r.adapter?.description === 'string' && typeof r.adapter?.isFallback === 'boolean', 'adapter missing');
  need(typeof r.options === 'object' && r.options !== null && typeof r.options.seed === 'number', 'options missing');
  need(Array.isArray(r.signal), 'signal must be an array');
  for (const [i, run] of (r.signal ?? []).entries()) {
    need(['stable', 'vanishing', 'exploding', 'overflow', 'underflow'].includes(run.verdict), `signal[${i}].verdict invalid`);
    need(Array.isArray(run.layers) && run.layers.length === run.depth + 1, `signal[${i}].layers must have depth + 1 entries`);
    for (const key of ['zStd', 'aStd', 'gradNorm', 'relGradNorm', 'dzStd'] as const) {
      need(run.layers?.every((l) => typeof l[key] === 'number' || l[key] === null), `signal[${i}].layers.${key} must be numbers`);
    }
  }
  need(Array.isArray(r.linear), 'linear must be an array');
  for (const [i, run] of (r.linear ?? []).entries()) {
    need(run.activationScale?.length === run.depth, `linear[${i}].activationScale must have depth entries`);
    need(typeof run.worstRelativeError === 'number', `linear[${i}].worstRelativeError missing`);
  }
  if (r.training) {
    for (const [i, run] of r.training.runs.entries()) {
      need(Array.isArray(run.curve) && run.curve.length > 0, `training.runs[${i}].curve empty`);
      need(['learned', 'stalled', 'diverged'].includes(run.outcome), `training.runs[${i}].outcome invalid`);
    }
    need(['yes', 'no', 'not run'].includes(r.training.heReproduced), 'training.heReproduced invalid');
  }
  if (r.speed) {
    need(r.speed.steps.every((s) => s.msPerStep > 0), 'speed.steps.msPerStep must be positive');
    need(r.speed.matmul.every((m) => m.gflops > 0), 'speed.matmul.gflops must be positive');
  }
  for (const key of PAPER_KEYS) {
    const section = r[key] as { verdict?: Reproduction; runs?: unknown[]; points?: unknown[] } | null | undefined;
    need(section !== undefined, `${key} missing (null when not run)`);
    if (!section) continue;
    need(['yes', 'partly', 'no'].includes(section.verdict?.reproduced ?? '') && typeof section.verdict?.sentence === 'string', `${key}.verdict invalid`);
    need(Array.isArray(section.runs ?? section.points), `${key} must list its runs`);
  }
  for (const [i, run] of (r.isometry?.runs ?? []).entries()) {
    need(run.singularValues.every((s, j) => s >= 0 && (j === 0 || s <= run.singularValues[j - 1])), `isometry.runs[${i}].singularValues must be descending and non-negative`);
  }
  for (const [i, p] of (r.chaos?.points ?? []).entries()) {
    need(p.layers.every((l) => l.c === null || Math.abs(l.c) <= 1 + 1e-9), `chaos.points[${i}].layers.c must be correlations`);
  }
  for (const [i, run] of (r.glorot?.runs ?? []).entries()) {
    for (const [j, snap] of run.snapshots.entries()) {
      need(snap.layers.length === r.glorot!.depth, `glorot.runs[${i}].snapshots[${j}] must have depth layers`);
      need(snap.layers.every((l) => l.activations.length === r.glorot!.bins && l.gradients.length === r.glorot!.bins &&
        [...l.activations, ...l.gradients].every((c) => Number.isInteger(c) && c >= 0)), `glorot.runs[${i}].snapshots[${j}] histograms must be bins counts`);
    }
  }
  for (const [i, run] of (r.rescue?.runs ?? []).entries()) {
    need(run.signal.length === r.rescue!.depth && run.signal.every((v) => v === null || (typeof v === 'number' && v >= 0)),
      `rescue.runs[${i}].signal must have depth non-negative entries`);
    need(run.curve.length > 0 && run.curve.every((c) => c.loss === null || Number.isFinite(c.loss)), `rescue.runs[${i}].curve must hold finite losses or null`);
    need(['trained', 'stalled', 'diverged'].includes(run.outcome) && (run.outcome === 'diverged') === (run.finalLoss === null),
      `rescue.runs[${i}].outcome invalid`);
  }
  need(!r.rescue || r.rescue.runs.some((run) => run.init === 'he'), 'rescue must hold the He reference');
  need(Array.isArray(r.notes), 'notes must be an array');
  return problems;
}
