// A TypeScript user of the published package. test/package.test.ts type-checks it against the
// declarations in the packed tarball (strict, no skipLibCheck), under both Node's and a
// bundler's module resolution; in the repo, 'gpugrad' resolves to the sources.
import {
  adapterInfo, init, load, matmul, memory, mseLoss, nn, noGrad, optim, ready, relu, save, ShapeError, tensor, tidy,
  type AdapterInfo, type ReadyOptions, type StateDict, type Tensor,
} from 'gpugrad';
import { markdownReport, parseOptions, runSuite, type SuiteOptions, type SuiteResults } from 'gpugrad/bench';

export async function train(gpu?: GPU): Promise<number[]> {
  const options: ReadyOptions = { gpu, powerPreference: 'high-performance', verbose: false };
  await ready(options);
  const info: AdapterInfo = adapterInfo();
  const model = new nn.Sequential(new nn.Linear(3, 4, { init: 'kaimingNormal', seed: 1 }), new nn.ReLU(), new nn.Linear(4, 1));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const x: Tensor = init.normal([8, 3], { seed: 2 });
  const y = tensor(new Float32Array(8), [8, 1]);
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = mseLoss(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  const h = noGrad(() => relu(matmul(x, init.xavierUniform([3, 5], { seed: 3 }))));
  const values: Float32Array = await h.data();
  try {
    matmul(x, x);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
  }
  console.log(info.description, values.length, memory().liveTensors);
  return losses;
}

export async function benchmark(): Promise<string> {
  const options: SuiteOptions = parseOptions({ quick: '1', experiments: 'linear' });
  const results: SuiteResults = await runSuite(options, { onProgress: (p) => console.log(p.label) });
  return markdownReport(results);
}

/** Saving and loading, schedules and clipping, as a page would use them (a Blob to download). */
export async function checkpoint(model: nn.Sequential, opt: optim.Adam): Promise<Blob> {
  const bytes = await save(model, { layout: 'torch', metadata: { step: '1' } });
  tidy(() => model.loadStateDict(load(bytes), { layout: 'torch' }));
  const state: StateDict = opt.stateDict();
  opt.loadStateDict(state);
  const norm: Tensor = optim.clipGradNorm(model.parameters(), 1, { normType: 2 });
  new optim.LinearWarmup(opt, 10, { then: new optim.CosineAnnealingLR(opt, 100) }).step();
  norm.dispose();
  return new Blob([bytes, await save(opt)]);
}
