// The suite's options: defaults, the quick preset, and one parser/validator shared by the
// command line (--width 256) and the page's form and URL query (?width=256). A bad value
// gives an OptionError naming the option, the value, and what is allowed.

/**
 * The experiments of the suite, in the order they run. The last six reproduce papers (see
 * papers.ts): Saxe et al. 2013 (learning time of deep linear nets), Pennington et al. 2017
 * (Jacobian spectra), Glorot and Bengio 2010 (where gradients die), Poole et al. 2016 and
 * Schoenholz et al. 2017 (the order-to-chaos phase diagram and trainable depth), and what
 * rescues a badly initialized deep ReLU net: batch norm (Ioffe & Szegedy 2015), layer norm
 * (Ba et al. 2016), residual connections (He et al. 2016).
 */
export const EXPERIMENTS = ['signal', 'linear', 'training', 'speed', 'saxe', 'isometry', 'glorot', 'chaos', 'trainability', 'rescue'] as const;
/** The initializations of the Glorot experiment: U[±1/sqrt(n)] and U[±sqrt(6/(n_in + n_out))]. */
export const GLOROT_INITS = ['standard', 'normalized'] as const;
/** The bad initializations of the rescue experiment: Var = 1/n (LeCun; the ReLU signal halves per layer) and N(0,1) (normal). */
export const RESCUE_INITS = ['lecun', 'normal'] as const;
/** How the rescue experiment's initializations (and its He reference) are written in reports and charts. */
export const RESCUE_INIT_LABELS: Record<(typeof RESCUE_INITS)[number] | 'he', string> = { he: 'He, Var = 2/n', lecun: 'Var = 1/n', normal: 'N(0,1)' };
/** What each bad initialization is tried with (rescue); He init, plain, always runs as the reference. */
export const RESCUE_VARIANTS = ['plain', 'batchnorm', 'layernorm', 'residual'] as const;
/** Activations of the signal propagation sweep. */
export const ACTIVATIONS = ['linear', 'tanh', 'relu'] as const;
/** Named initializers of the sweep, besides Var = s/fanIn for each scale s. */
export const NAMED_INITS = ['lecun', 'xavier', 'he', 'N(0,1)', '0.01*N(0,1)'] as const;

/** One named initializer of the sweep and the training runs. */
export type NamedInit = (typeof NAMED_INITS)[number];
/** One experiment's name. */
export type Experiment = (typeof EXPERIMENTS)[number];
/** One sweep activation's name. */
export type SweepActivation = (typeof ACTIVATIONS)[number];

/** Everything that decides what a suite run does; recorded in results.json. */
export interface SuiteOptions {
  experiments: Experiment[];
  depths: number[];
  scales: number[];
  activations: SweepActivation[];
  width: number;
  batch: number;
  /** training steps per run */
  steps: number;
  seed: number;
  /** depths of the Jacobian spectra (isometry) */
  isometryDepths: number[];
  /** depths of the deep linear nets learning a teacher (saxe) */
  saxeDepths: number[];
  /** the most SGD steps a deep linear net gets to reach the loss threshold (saxe) */
  teacherSteps: number;
  /** the sigma_w^2 grid of the edge-of-chaos sweep and of the trainability grid (chaos, trainability) */
  weightVariances: number[];
  /** the sigma_b^2 grid of the edge-of-chaos sweep; biases are drawn N(0, sigma_b^2) (chaos) */
  biasVariances: number[];
  /** depths of the MNIST trainability grid, at sigma_b^2 = 0.05 (trainability) */
  trainDepths: number[];
  /** sigma_w^2 values of the MNIST trainability grid (trainability) */
  trainWeightVariances: number[];
  /** SGD steps of each trainability run (trainability) */
  trainSteps: number;
  /** initializations of the 5-layer tanh nets (glorot) */
  glorotInits: (typeof GLOROT_INITS)[number][];
  /** SGD steps at which the histograms are taken, 0 = at initialization (glorot) */
  glorotSnapshots: number[];
  /** bins of each histogram (glorot) */
  glorotBins: number;
  /** hidden layers of the ReLU nets (rescue) */
  rescueDepth: number;
  /** units per hidden layer (rescue) */
  rescueWidth: number;
  /** examples per SGD step (rescue; batch norm needs at least 2) */
  rescueBatch: number;
  /** SGD steps of each net (rescue) */
  rescueSteps: number;
  /** SGD step size of the rescue nets (momentum 0.9). */
  rescueLr: number;
  /** the bad initializations (rescue) */
  rescueInits: (typeof RESCUE_INITS)[number][];
  /** what each bad initialization is tried with (rescue) */
  rescueVariants: (typeof RESCUE_VARIANTS)[number][];
  /** the preset the options started from */
  preset: 'full' | 'quick';
}

/**
 * The full suite: width 256, batch 256, depths 5 to 50. Sized to the 40-minute budget on
 * SwiftShader with 2 CPU cores: the progress estimate put depths to 60 with 300 steps for
 * trainability and depth 64 for saxe at about 75 minutes, trainability alone at 62% of it.
 */
export const FULL: SuiteOptions = {
  experiments: [...EXPERIMENTS],
  depths: [5, 10, 20, 30, 50],
  scales: [0.25, 0.5, 1, 2, 4],
  activations: [...ACTIVATIONS],
  width: 256,
  batch: 256,
  steps: 100,
  seed: 1,
  isometryDepths: [1, 2, 4, 8, 16, 32, 64],
  saxeDepths: [1, 2, 4, 8, 16, 32],
  teacherSteps: 400,
  weightVariances: [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4],
  biasVariances: [0, 0.01, 0.05, 0.1, 0.2, 0.3],
  trainDepths: [5, 10, 20, 40],
  trainWeightVariances: [0.5, 1, 1.5, 1.76, 2.5, 4],
  trainSteps: 150,
  glorotInits: [...GLOROT_INITS],
  glorotSnapshots: [0, 100, 1000],
  glorotBins: 40,
  rescueDepth: 50,
  rescueWidth: 64,
  rescueBatch: 32,
  rescueSteps: 300,
  // At depth 50 (seed 1, 300 steps) 0.01 with momentum 0.9 kills even the He net (loss 2.30);
  // 0.002 and 0.005 train it (22.8% and 26.8% held out), and 0.005 takes batch norm furthest.
  rescueLr: 0.005,
  rescueInits: [...RESCUE_INITS],
  rescueVariants: [...RESCUE_VARIANTS],
  preset: 'full',
};

/**
 * Small enough to finish well within 3 minutes on a 2-core CPU adapter, and still show every
 * effect. 150 training steps: at width 64 a 30-layer ReLU net with He init needs about that
 * many to move its loss clearly below ln 10 (60 steps left it just past the line). The rescue
 * nets get the same 150 steps at depth 30: batch norm needs about 120 of them to bring the
 * N(0,1) net from a loss of 7 under the line.
 */
export const QUICK: SuiteOptions = {
  ...FULL,
  depths: [5, 20],
  scales: [0.5, 1, 2],
  width: 64,
  batch: 64,
  steps: 150,
  isometryDepths: [1, 4, 16, 32],
  saxeDepths: [1, 4, 16],
  teacherSteps: 150,
  weightVariances: [0.5, 1, 1.5, 1.75, 2, 3, 4],
  biasVariances: [0, 0.05, 0.2],
  trainDepths: [8, 32],
  trainWeightVariances: [1, 1.76, 4],
  trainSteps: 40,
  glorotSnapshots: [0, 100],
  rescueDepth: 30,
  rescueSteps: 150,
  rescueLr: 0.01,
  preset: 'quick',
};

/** A bad option value; the message starts with the option's name (--width: ...). */
export class OptionError extends Error {
  override name = 'OptionError';
}

/** Options as strings, from the command line or a URL query. */
export type Raw = Record<string, string | undefined>;

const intList = (name: string, value: string, min: number, max: number): number[] => {
  const items = value.split(',').map((s) => s.trim());
  const numbers = items.map(Number);
  if (!items.length || numbers.some((n, i) => items[i] === '' || !Number.isInteger(n) || n < min || n > max)) {
    throw new OptionError(`--${name}: '${value}' must be a comma-separated list of integers from ${min} to ${max}`);
  }
  return numbers;
};

/** A list of numbers in (min, max], or [min, max] when the minimum is allowed. */
const numberList = (name: string, value: string, min: number, max: number, minAllowed: boolean): number[] => {
  const items = value.split(',').map((s) => s.trim());
  const numbers = items.map(Number);
  if (numbers.some((n, i) => items[i] === '' || !Number.isFinite(n) || n < min || (n === min && !minAllowed) || n > max)) {
    throw new OptionError(`--${name}: '${value}' must be a comma-separated list of numbers in ${minAllowed ? '[' : '('}${min}, ${max}]`);
  }
  return numbers;
};

const int = (name: string, value: string, min: number, max: number): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new OptionError(`--${name}: '${value}' must be an integer from ${min} to ${max}`);
  }
  return n;
};

function choices<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (bad.length || !items.length) throw new OptionError(`--${name}: '${bad[0] ?? value}' is not one of ${allowed.join(', ')}`);
  return items as T[];
}

/** The option names accepted by parseOptions (and the CLI, as --name). */
export const OPTION_NAMES = ['quick', 'experiments', 'depths', 'scales', 'activations', 'width', 'batch', 'steps', 'seed',
  'isometryDepths', 'saxeDepths', 'teacherSteps', 'weightVariances', 'biasVariances', 'trainDepths', 'trainWeightVariances', 'trainSteps',
  'glorotInits', 'glorotSnapshots', 'glorotBins', 'rescueDepth', 'rescueWidth', 'rescueBatch', 'rescueSteps', 'rescueLr', 'rescueInits', 'rescueVariants'] as const;

/** Whether a raw `quick` value picks the quick preset (present, and not 'false' or '0'). */
export const isQuick = (value: string | undefined): boolean => value !== undefined && value !== 'false' && value !== '0';

/**
 * Builds options from raw strings (the CLI's --name value pairs or a URL query). `quick`
 * picks the preset; every other key overrides one field. Unknown keys are errors.
 */
export function parseOptions(raw: Raw): SuiteOptions {
  for (const key of Object.keys(raw)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new OptionError(`unknown option --${key} (options: ${OPTION_NAMES.map((n) => '--' + n).join(', ')})`);
    }
  }
  const o: SuiteOptions = structuredClone(isQuick(raw.quick) ? QUICK : FULL);
  if (raw.experiments !== undefined) o.experiments = choices('experiments', raw.experiments, EXPERIMENTS);
  if (raw.activations !== undefined) o.activations = choices('activations', raw.activations, ACTIVATIONS);
  if (raw.depths !== undefined) o.depths = intList('depths', raw.depths, 2, 200);
  if (raw.scales !== undefined) o.scales = numberList('scales', raw.scales, 0, 1000, false);
  if (raw.isometryDepths !== undefined) o.isometryDepths = intList('isometryDepths', raw.isometryDepths, 1, 256);
  if (raw.saxeDepths !== undefined) o.saxeDepths = intList('saxeDepths', raw.saxeDepths, 1, 256);
  if (raw.teacherSteps !== undefined) o.teacherSteps = int('teacherSteps', raw.teacherSteps, 10, 100000);
  // sigma_w^2 = 0 would make every layer's output its bias alone: nothing propagates.
  if (raw.weightVariances !== undefined) o.weightVariances = numberList('weightVariances', raw.weightVariances, 0, 16, false);
  if (raw.biasVariances !== undefined) o.biasVariances = numberList('biasVariances', raw.biasVariances, 0, 4, true);
  if (raw.trainDepths !== undefined) o.trainDepths = intList('trainDepths', raw.trainDepths, 1, 200);
  if (raw.trainWeightVariances !== undefined) o.trainWeightVariances = numberList('trainWeightVariances', raw.trainWeightVariances, 0, 16, false);
  if (raw.trainSteps !== undefined) o.trainSteps = int('trainSteps', raw.trainSteps, 1, 100000);
  if (raw.glorotInits !== undefined) o.glorotInits = choices('glorotInits', raw.glorotInits, GLOROT_INITS);
  if (raw.glorotSnapshots !== undefined) o.glorotSnapshots = intList('glorotSnapshots', raw.glorotSnapshots, 0, 100000);
  if (raw.glorotBins !== undefined) o.glorotBins = int('glorotBins', raw.glorotBins, 4, 256);
  if (raw.rescueDepth !== undefined) o.rescueDepth = int('rescueDepth', raw.rescueDepth, 1, 200);
  if (raw.rescueWidth !== undefined) o.rescueWidth = int('rescueWidth', raw.rescueWidth, 4, 4096);
  if (raw.rescueBatch !== undefined) o.rescueBatch = int('rescueBatch', raw.rescueBatch, 2, 4096);
  if (raw.rescueSteps !== undefined) o.rescueSteps = int('rescueSteps', raw.rescueSteps, 1, 100000);
  if (raw.rescueLr !== undefined) {
    const [lr, ...more] = numberList('rescueLr', raw.rescueLr, 0, 10, false);
    if (more.length) throw new OptionError(`--rescueLr: '${raw.rescueLr}' must be one number in (0, 10]`);
    o.rescueLr = lr;
  }
  if (raw.rescueInits !== undefined) o.rescueInits = choices('rescueInits', raw.rescueInits, RESCUE_INITS);
  if (raw.rescueVariants !== undefined) o.rescueVariants = choices('rescueVariants', raw.rescueVariants, RESCUE_VARIANTS);
  if (raw.width !== undefined) o.width = int('width', raw.width, 4, 4096);
  if (raw.batch !== undefined) o.batch = int('batch', raw.batch, 2, 4096);
  if (raw.steps !== undefined) o.steps = int('steps', raw.steps, 1, 100000);
  if (raw.seed !== undefined) o.seed = int('seed', raw.seed, 0, 2 ** 31 - 1);
  return o;
}

/** The raw form of options that differ from their preset (for a shareable URL). */
export function toQuery(o: SuiteOptions): Raw {
  const base = o.preset === 'quick' ? QUICK : FULL;
  const raw: Raw = o.preset === 'quick' ? { quick: '1' } : {};
  for (const key of OPTION_NAMES) {
    if (key === 'quick') continue;
    const value = o[key];
    if (JSON.stringify(value) !== JSON.stringify(base[key])) raw[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return raw;
}
