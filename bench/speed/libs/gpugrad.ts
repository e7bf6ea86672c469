// gpugrad through its public API, the way a user builds and trains the model: nn.mlp (so any
// improvement to the layers it is made of, such as a fused linear + activation, shows up here
// without changes), mseLoss, optim.SGD, tidy() around each step, loadStateDict for the weights.

import '../../../src/ops/methods.ts';
import { adapterInfo, matmul, memory, mseLoss, nn, noGrad, opTable, optim, ready, tensor, tidy, type Tensor } from '../../../src/index.ts';
import type { MlpData } from '../reference.ts';
import type { MatmulTask, MlpTask, Runner } from './types.ts';

// The op table names every op as src/ops/table.ts loads, and src/ops/methods.ts attaches the
// Tensor methods (backward() among them): side effects both. The page's production bundle,
// whose gpugrad chunk imports only functions from src/index.ts, dropped both, although
// package.json's sideEffects lists methods.ts: every op threw 'an op ran before the op table
// named it', then loss.backward was not a function. Using the table and importing methods.ts
// for its effect (above) keeps them.
const OPS = Object.keys(opTable).length;

async function read(t: Tensor): Promise<Float32Array> {
  try {
    return await t.data(); // a fresh array already: no second copy inside the timed region
  } finally {
    t.dispose();
  }
}

export function gpugradRunner(): Runner {
  return {
    id: 'gpugrad',
    async init() {
      if (OPS === 0) throw new Error('gpugrad: the op table is empty');
      await ready({ verbose: false });
      const info = adapterInfo();
      return `gpugrad on ${[info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter'} (${info.source})`;
    },
    async matmul(aValues, bValues, n): Promise<MatmulTask> {
      const a = tensor(aValues, [n, n]);
      const b = tensor(bValues, [n, n]);
      return {
        run: () => read(matmul(a, b)),
        dispose: () => { a.dispose(); b.dispose(); },
      };
    },
    async mlp(data: MlpData, lr: number): Promise<MlpTask> {
      const { spec } = data;
      const model = nn.mlp({ inputSize: spec.inputs, width: spec.width, depth: spec.depth, outputSize: spec.outputs, activation: spec.activation, seed: 0 });
      // The state dict lists each Linear's weight [in, out] then bias, layer by layer.
      const names = Object.keys(model.stateDict());
      tidy(() => model.loadStateDict(Object.fromEntries(names.map((name, i) => {
        const layer = data.layers[i >> 1];
        return [name, i % 2 === 0 ? tensor(layer.w, [layer.in, layer.out]) : tensor(layer.b, [layer.out])];
      }))));
      const x = tensor(data.x, [spec.batch, spec.inputs]);
      const y = tensor(data.y, [spec.batch, spec.outputs]);
      const opt = new optim.SGD(model.parameters(), { lr });
      return {
        async train() {
          const loss = tidy(() => {
            opt.zeroGrad();
            const l = mseLoss(model.forward(x), y);
            l.backward();
            opt.step();
            return l;
          });
          return (await read(loss))[0];
        },
        forward: () => read(tidy(() => noGrad(() => model.forward(x)))),
        dispose() {
          opt.dispose();
          model.dispose(); // the parameters and their gradients
          x.dispose();
          y.dispose();
        },
      };
    },
    dispatches: () => memory().dispatches,
    liveTensors: () => memory().liveTensors,
  };
}
