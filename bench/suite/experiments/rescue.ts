// What rescues a deep net: a ReLU MLP too deep for its initialization, trained on MNIST as it
// is (plain), with batch normalization after each hidden Linear (Ioffe & Szegedy 2015), with
// layer normalization there instead (Ba et al. 2016), and with a skip connection around each
// hidden layer (He et al. 2016), next to He init (Var = 2/n, plain) as the reference. Every
// net has the same seed, batches and SGD. The bad initializations: Var = 1/n, where each ReLU
// layer halves the signal's mean square (2^-L at depth L), and N(0,1), where each multiplies it
// by n/2 (32^50 ~ 1e75 at width 64: float32's edge). Before training, a probe batch goes through an identically
// seeded twin of each net and every hidden layer's mean square is recorded: the signal the
// normalizations restore.

import { init, moments, MOMENT, nn, noGrad, optim, readAll, readScalars, tidy, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import { accuracy, batchOf, loadMnist, shuffled, trainingStep, type Dataset } from '../data.ts';
import { RESCUE_INIT_LABELS, RESCUE_VARIANTS, type RESCUE_INITS } from '../options.ts';
import { verdictLead, type Reproduction, type RescueRun, type SuiteResults } from '../schema.ts';

export type RescueInit = (typeof RESCUE_INITS)[number] | 'he';
export type RescueVariant = (typeof RESCUE_VARIANTS)[number];

const MOMENTUM = 0.9;
/** Held-out digits of the final accuracy, and of the probe of the signal at initialization. */
const EVAL_SIZE = 500;
const PROBE = 256;
/** Points of each training curve (each the mean loss over its stretch of steps). */
const CURVE_POINTS = 10;
/**
 * A run trained when its final loss is below LEARNED_LOSS and its held-out accuracy reached
 * chance (10%) plus this share of the He reference's gain over chance.
 */
export const HE_SHARE = 0.75;
const CHANCE = 0.1;
/** A net learned when its final loss fell clearly below ln 10, the loss of a uniform guess. */
const LEARNED_LOSS = 0.95 * Math.log(10);

const initializers: Record<RescueInit, nn.Initializer> = {
  he: (shape, o) => init.normal(shape, { ...o, std: Math.sqrt(2 / shape[0]) }),
  lecun: (shape, o) => init.normal(shape, { ...o, std: Math.sqrt(1 / shape[0]) }),
  normal: (shape, o) => init.normal(shape, { ...o, std: 1 }),
};

export interface RescueShape { depth: number; width: number; batch: number; steps: number; lr: number; seed: number }

function build(initName: RescueInit, variant: RescueVariant, o: RescueShape, data: Dataset): nn.Sequential {
  return nn.mlp({
    inputSize: data.features, width: o.width, depth: o.depth, outputSize: data.classes, activation: 'relu',
    init: initializers[initName], biasInit: 'zeros', seed: o.seed,
    norm: variant === 'batchnorm' ? 'batch' : variant === 'layernorm' ? 'layer' : undefined, residual: variant === 'residual',
  });
}

/**
 * Mean square of every hidden layer's output on the probe batch, for a fresh net (training
 * mode, so batch norm uses the batch's statistics). The top-level modules of mlp() other than
 * a Linear end a hidden layer: its Activation (plain), its Sequential (norm) or its Residual.
 */
export async function initialSignal(model: nn.Sequential, x: Tensor): Promise<(number | null)[]> {
  const sizes: number[] = [];
  const stats = tidy(() => noGrad(() => {
    const out: Tensor[] = [];
    let h = x;
    for (const layer of model.layers.slice(0, -1)) {
      h = layer.forward(h);
      if (layer instanceof nn.Linear) continue;
      out.push(moments(h));
      sizes.push(h.size);
    }
    return out;
  }));
  try {
    return (await readAll(stats)).map((m, l) => {
      const meanSquare = m[MOMENT.norm] ** 2 / sizes[l];
      return Number.isFinite(meanSquare) ? meanSquare : null;
    });
  } finally {
    for (const s of stats) s.dispose();
  }
}

/**
 * One net: its signal at initialization (on a twin from the same seed, so the probe leaves
 * the trained net's batch-norm statistics alone), then `steps` SGD steps on MNIST, stopping
 * when the loss goes non-finite.
 */
export async function rescueRun(initName: RescueInit, variant: RescueVariant, o: RescueShape, data: Dataset,
  onStep: () => Promise<void> = async () => {}): Promise<Omit<RescueRun, 'outcome'>> {
  const twin = build(initName, variant, o, data);
  const probe = batchOf(data.test, Array.from({ length: Math.min(PROBE, data.test.count) }, (_, i) => i));
  let signal: (number | null)[];
  try {
    signal = await initialSignal(twin, probe.x);
  } finally {
    probe.x.dispose();
    twin.dispose();
  }
  const model = build(initName, variant, o, data);
  const opt = new optim.SGD(model.parameters(), { lr: o.lr, momentum: MOMENTUM });
  const order = shuffled(data.train.count, o.seed);
  const every = Math.max(1, Math.floor(o.steps / CURVE_POINTS));
  const curve: RescueRun['curve'] = [];
  // Losses stay on the GPU until a curve point: reading each back would stall the GPU every step.
  let pending: Tensor[] = [];
  try {
    for (let step = 1; step <= o.steps; step++) {
      pending.push(trainingStep(model, opt, data.train, order, step, o.batch));
      await onStep();
      if (step % every !== 0 && step !== o.steps) continue;
      const losses = Array.from(await readScalars(pending));
      for (const l of pending) l.dispose();
      pending = [];
      const loss = losses.reduce((a, b) => a + b, 0) / losses.length;
      curve.push({ step, loss: Number.isFinite(loss) ? loss : null });
      if (!Number.isFinite(loss)) break;
    }
    const finalLoss = curve.at(-1)!.loss;
    model.eval();
    const testAccuracy = finalLoss === null ? null : await accuracy(model, data.test, EVAL_SIZE);
    return { init: initName, variant, signal, curve, finalLoss, testAccuracy };
  } finally {
    // Also on cancel (onStep throws): the run's GPU memory goes back either way.
    for (const l of pending) l.dispose();
    opt.dispose();
    model.dispose();
  }
}

/** Progress cost of one step: batch and layer norm add a dozen small dispatches per layer (measured on SwiftShader). */
const COST_FACTOR: Record<RescueVariant, number> = { plain: 1.6, batchnorm: 5, layernorm: 6, residual: 2.5 };
const rescueStepCost = (variant: RescueVariant, o: { rescueDepth: number; rescueWidth: number; rescueBatch: number }) =>
  stepCost(o.rescueDepth, o.rescueWidth, o.rescueBatch) * COST_FACTOR[variant];

/** The runs of the grid: He first (the reference), then each bad initialization with each variant. */
const grid = (o: Context['options']): [RescueInit, RescueVariant][] =>
  [['he', 'plain'], ...o.rescueInits.flatMap((i) => o.rescueVariants.map((v) => [i, v] as [RescueInit, RescueVariant]))];

export function rescueCost(ctx: Context): number {
  return grid(ctx.options).reduce((s, [, v]) => s + ctx.options.rescueSteps * rescueStepCost(v, ctx.options), 0);
}

/** The outcome of each run against the He reference: see HE_SHARE. */
export function outcomes(runs: Omit<RescueRun, 'outcome'>[]): RescueRun[] {
  const he = runs.find((r) => r.init === 'he');
  const bar = CHANCE + HE_SHARE * Math.max(0, (he?.testAccuracy ?? CHANCE) - CHANCE);
  return runs.map((r) => ({
    ...r,
    outcome: r.finalLoss === null ? 'diverged' : r.finalLoss < LEARNED_LOSS && r.testAccuracy! >= bar ? 'trained' : 'stalled',
  }));
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const VARIANT_WORDS: Record<RescueVariant, string> = { plain: 'plain', batchnorm: 'batch norm', layernorm: 'layer norm', residual: 'residual connections' };

/**
 * The expected finding: He trains; each bad initialization, plain, fails (Var = 1/n stalls,
 * N(0,1) diverges); batch norm, and maybe layer norm or residual connections, let it train.
 * 'yes' when He trained, every plain bad net failed and every bad initialization was rescued by
 * some variant, batch norm among them when it ran; 'partly' when only some were.
 */
export function rescueVerdict(runs: RescueRun[], depth: number, steps: number): Reproduction {
  const he = runs.find((r) => r.init === 'he')!;
  const bad = [...new Set(runs.filter((r) => r.init !== 'he').map((r) => r.init))];
  const heLearned = he.finalLoss !== null && he.finalLoss < LEARNED_LOSS;
  const plainFailed = runs.filter((r) => r.init !== 'he' && r.variant === 'plain').every((r) => r.outcome !== 'trained');
  const rescuers = (i: RescueInit) => runs.filter((r) => r.init === i && r.variant !== 'plain' && r.outcome === 'trained');
  const batchRan = runs.some((r) => r.variant === 'batchnorm');
  const everyRescued = bad.length > 0 && bad.every((i) => rescuers(i).length > 0 && (!batchRan || rescuers(i).some((r) => r.variant === 'batchnorm')));
  const someRescued = bad.some((i) => rescuers(i).length > 0);
  const reproduced = heLearned && plainFailed && everyRescued ? 'yes' : heLearned && plainFailed && someRescued ? 'partly' : 'no';
  const figures = (r: RescueRun) => r.outcome === 'diverged' ? `diverged by step ${r.curve.at(-1)!.step}`
    : `${r.outcome === 'stalled' ? 'stalled, ' : ''}${pct(r.testAccuracy)}, loss ${r.finalLoss!.toFixed(2)}`;
  const list = (rs: RescueRun[]) => rs.map((r) => `${RESCUE_INIT_LABELS[r.init]} (${figures(r)})`).join(' and ');
  const variants = RESCUE_VARIANTS.filter((v) => v !== 'plain' && runs.some((r) => r.init !== 'he' && r.variant === v));
  const byVariant = (v: RescueVariant) => {
    const these = runs.filter((r) => r.init !== 'he' && r.variant === v);
    const [won, lost] = [these.filter((r) => r.outcome === 'trained'), these.filter((r) => r.outcome !== 'trained')];
    return `${VARIANT_WORDS[v]} ${won.length ? `rescued ${list(won)}${lost.length ? ` but not ${list(lost)}` : ''}` : `did not rescue ${list(lost)}`}`;
  };
  const plain = runs.filter((r) => r.init !== 'he' && r.variant === 'plain');
  const lead = verdictLead(reproduced);
  return {
    reproduced,
    sentence: `${lead} what rescues a badly initialized deep ReLU net (depth ${depth}, ${steps} SGD steps, figures: held-out accuracy and final loss): ` +
      `He init ${heLearned ? 'trained' : 'did not train'} (${figures(he)})` +
      (plain.length ? `; plain, ${plain.map((r) => `${RESCUE_INIT_LABELS[r.init]} ${r.outcome === 'trained' ? `trained (${figures(r)})` : figures(r).replace(/^stalled, (.*)/, 'stalled ($1)')}`).join(' and ')}` : '') +
      variants.map((v) => `; ${byVariant(v)}`).join('') + '.',
  };
}

export async function rescueExperiment(ctx: Context): Promise<NonNullable<SuiteResults['rescue']>> {
  const o = ctx.options;
  const shape: RescueShape = { depth: o.rescueDepth, width: o.rescueWidth, batch: o.rescueBatch, steps: o.rescueSteps, lr: o.rescueLr, seed: o.seed };
  const data = await loadMnist();
  const finished: Omit<RescueRun, 'outcome'>[] = [];
  for (const [initName, variant] of grid(o)) {
    const label = `rescue: ${RESCUE_INIT_LABELS[initName]}, ${variant}, depth ${shape.depth}`;
    const cost = rescueStepCost(variant, o);
    const run = await rescueRun(initName, variant, shape, data, () => ctx.advance(label, cost));
    // A diverged run stops early: count its remaining steps as done.
    const last = run.curve.at(-1)!.step;
    if (last < shape.steps) await ctx.advance(label, cost * (shape.steps - last));
    finished.push(run);
  }
  const runs = outcomes(finished);
  const result = {
    depth: shape.depth, width: shape.width, batch: shape.batch, steps: shape.steps, learningRate: shape.lr, momentum: MOMENTUM,
    heShare: HE_SHARE, runs, verdict: rescueVerdict(runs, shape.depth, shape.steps),
  } satisfies NonNullable<SuiteResults['rescue']>;
  ctx.emit('rescue', result);
  return result;
}
