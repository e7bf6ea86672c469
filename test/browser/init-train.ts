// The second computation run both in headless Chromium and in Node: seeded initializers and a
// few optimizer steps of a small nn.mlp. Given the library as an argument, so both sides make
// exactly the same calls. Results travel as the float32 bit patterns (plain numbers).

import type * as Gpugrad from '../../src/index.ts';

export interface InitTrainResult {
  /** Initializer name -> the uint32 bits of every weight. */
  bits: Record<string, number[]>;
  /** Loss after each of the optimizer steps, and the final parameters' bits. */
  losses: number[];
  params: number[][];
}

const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

export async function runInitTrain(gg: typeof Gpugrad, seed: number): Promise<InitTrainResult> {
  await gg.ready({ verbose: false });
  const { init, nn, optim } = gg;
  const made: Record<string, Gpugrad.Tensor> = {
    uniform: init.uniform([37, 11], { low: -2, high: 3, seed }),
    normal: init.normal([37, 11], { mean: 0.5, std: 2, seed }),
    truncatedNormal: init.truncatedNormal([37, 11], { seed }),
    kaimingNormal: init.kaimingNormal([64, 32], { seed }),
    xavierUniform: init.xavierUniform([64, 32], { seed }),
    orthogonal: init.orthogonal([20, 12], { seed }),
    identity: init.identity([5, 7], { scale: 1.5 }),
  };
  const bits: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(made)) {
    bits[name] = bitsOf(await t.data());
    t.dispose();
  }
  const model = nn.mlp({ inputSize: 6, width: 8, depth: 3, outputSize: 2, activation: 'tanh', init: 'xavierNormal', seed });
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = init.normal([10, 6], { seed: seed + 1 });
  const y = init.normal([10, 2], { seed: seed + 2 });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = gg.tidy(() => {
      opt.zeroGrad();
      const l = gg.mseLoss(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  const params: number[][] = [];
  for (const p of model.parameters()) params.push(bitsOf(await p.data()));
  opt.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return { bits, losses, params };
}
