// The computation the browser test runs twice, in headless Chromium and in Node: a two-layer
// MLP, forward and backward, from fixed data. One module, given the library as an argument,
// so both sides run exactly the same calls (the page imports src/ through Vite, Node directly).

import type * as Gpugrad from '../../src/index.ts';

export interface MlpDims { batch: number; inputs: number; hidden: number; outputs: number }

/** Row-major float32 values (as plain numbers, so they cross page.evaluate unchanged). */
export interface MlpData {
  dims: MlpDims;
  x: number[];
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
  target: number[];
}

export const PARAMS = ['x', 'w1', 'b1', 'w2', 'b2'] as const;
export type Param = (typeof PARAMS)[number];

export interface MlpResult {
  loss: number;
  /** d loss / d each input, row-major. */
  grads: Record<Param, number[]>;
  adapter: Gpugrad.AdapterInfo;
}

/** loss = mse(relu(tanh(x W1 + b1) W2 + b2), target), then backward() to every input. */
export async function runMlp(gg: typeof Gpugrad, data: MlpData): Promise<MlpResult> {
  await gg.ready({ verbose: false });
  const { batch, inputs, hidden, outputs } = data.dims;
  const shapes: Record<Param, number[]> = { x: [batch, inputs], w1: [inputs, hidden], b1: [hidden], w2: [hidden, outputs], b2: [outputs] };
  const leaves = Object.fromEntries(PARAMS.map((p) => [p, gg.tensor(data[p], shapes[p], { requiresGrad: true })])) as Record<Param, Gpugrad.Tensor>;
  const target = gg.tensor(data.target, [batch, outputs]);
  const { x, w1, b1, w2, b2 } = leaves;
  const loss = gg.tidy(() => {
    const h = gg.tanh(gg.add(gg.matmul(x, w1), b1));
    const y = gg.relu(gg.add(gg.matmul(h, w2), b2));
    const l = gg.mseLoss(y, target);
    l.backward();
    return l;
  });
  const grads = {} as Record<Param, number[]>;
  for (const p of PARAMS) {
    const g = leaves[p].grad;
    if (!g) throw new Error(`runMlp: ${p} has no gradient after backward()`);
    grads[p] = Array.from(await g.data());
  }
  const result = { loss: await loss.item(), grads, adapter: gg.adapterInfo() };
  for (const t of [...Object.values(leaves), target, loss]) t.dispose();
  return result;
}
