// The browser test's page: loads gpugrad straight from src/ (through Vite's dev server) and
// hands test/browser.test.ts a function to call with page.evaluate.

import * as gg from '../../src/index.ts';
import { runMlp, type MlpData, type MlpResult } from './mlp.ts';
import { runInitTrain, type InitTrainResult } from './init-train.ts';
import { runEverydayOps, type OpsInput, type OpsOutput } from './everyday-ops.ts';
import { runSaveLoad, type SaveLoadResult } from './save-load.ts';
import { runTrainingTools, type ToolsResult } from './training-tools.ts';

declare global {
  interface Window {
    gpugradTest: {
      run(data: MlpData): Promise<MlpResult>;
      initTrain(seed: number): Promise<InitTrainResult>;
      everydayOps(input: OpsInput): Promise<OpsOutput>;
      saveLoad(seed: number): Promise<SaveLoadResult>;
      trainingTools(): Promise<ToolsResult>;
    };
  }
}

window.gpugradTest = {
  run: (data) => runMlp(gg, data),
  initTrain: (seed) => runInitTrain(gg, seed),
  everydayOps: (input) => runEverydayOps(gg, input),
  saveLoad: (seed) => runSaveLoad(gg, seed, true),
  trainingTools: () => runTrainingTools(gg),
};
document.body.dataset.ready = 'true';
