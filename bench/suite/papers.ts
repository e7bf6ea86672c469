// The paper experiments as data: each names its key in the results document, its cost (for
// the progress estimate) and its runner, and whether it needs MNIST. runSuite runs the chosen
// ones in this order; a new experiment is one more entry here, one field in schema.ts and a
// chart in charts.ts.

import type { Context } from './context.ts';
import { chaosCost, chaosExperiment } from './experiments/chaos.ts';
import { glorotCost, glorotExperiment } from './experiments/glorot.ts';
import { isometryCost, isometryExperiment, saxeCost, saxeExperiment } from './experiments/isometry.ts';
import { rescueCost, rescueExperiment } from './experiments/rescue.ts';
import { trainabilityCost, trainabilityExperiment } from './experiments/trainability.ts';
import type { PAPER_KEYS, SuiteResults } from './schema.ts';

type PaperKey = (typeof PAPER_KEYS)[number];

/** One paper experiment: how to cost it and run it. */
export interface PaperExperiment<K extends PaperKey = PaperKey> {
  key: K;
  cost(ctx: Context): number;
  run(ctx: Context): Promise<NonNullable<SuiteResults[K]>>;
  /** Trains on MNIST: skipped with a note when the `mnist` package is missing. */
  needsMnist: boolean;
}

export const PAPERS: PaperExperiment[] = [
  { key: 'saxe', cost: saxeCost, run: saxeExperiment, needsMnist: false },
  { key: 'isometry', cost: isometryCost, run: isometryExperiment, needsMnist: false },
  { key: 'glorot', cost: glorotCost, run: glorotExperiment, needsMnist: true },
  { key: 'chaos', cost: chaosCost, run: chaosExperiment, needsMnist: false },
  { key: 'trainability', cost: trainabilityCost, run: trainabilityExperiment, needsMnist: true },
  { key: 'rescue', cost: rescueCost, run: rescueExperiment, needsMnist: true },
];
