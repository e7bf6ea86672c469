// A TypeScript user of the published package. test/package.test.ts type-checks it against the
// declarations in the packed tarball (strict, no skipLibCheck), under both Node's and a
// bundler's module resolution; in the repo, 'gpugrad' resolves to the sources.
import {
  adapterInfo, init, matmul, memory, mseLoss, nn, noGrad, optim, ready, relu, ShapeError, tensor, tidy,
  type AdapterInfo, type ReadyOptions, type Tensor,
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
