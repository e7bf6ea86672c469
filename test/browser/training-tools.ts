// clipGradNorm and a learning-rate schedule run in the page and in Node on the same numbers
// (test/browser.test.ts checks both against closed forms). The library comes in as an argument.

import type * as Gpugrad from '../../src/index.ts';

export interface ToolsResult { norm: number; clipped: number[]; lrs: number[] }

/** Gradients 3·c of w·c for c = [1, 2, 2] (norm 9), clipped to 1.5; StepLR(2, 0.5) over 5 steps of SGD. */
export async function runTrainingTools(gg: typeof Gpugrad): Promise<ToolsResult> {
  await gg.ready({ verbose: false });
  const w = gg.tensor([0.5, -1, 2], { requiresGrad: true });
  gg.sum(gg.mul(w, gg.tensor([3, 6, 6]))).backward();
  const norm = gg.optim.clipGradNorm([w], 1.5);
  const result = { norm: await norm.item(), clipped: Array.from(await w.grad!.data()), lrs: [] as number[] };
  const opt = new gg.optim.SGD([w], { lr: 0.8 });
  const schedule = new gg.optim.StepLR(opt, 2, 0.5);
  for (let i = 0; i < 5; i++) {
    result.lrs.push(schedule.getLastLr()[0]);
    opt.step();
    schedule.step();
  }
  [w, norm].forEach((t) => t.dispose());
  return result;
}
