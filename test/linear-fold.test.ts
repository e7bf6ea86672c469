// Linear layers in a row. Where a linear layer's output feeds one other linear layer and
// nothing else, backward() has that layer apply the activation derivative in its
// input-gradient product (one dispatch instead of two; src/autograd.ts, src/ops/linear.ts).
// The gradients must be those of the plain composition: checked against central finite
// differences of the float64 forward, with the fold on, and with it off (an output used twice,
// or kept with retainGrad()); and the dispatches of a training step are counted.

import { beforeAll, describe, expect, it } from 'vitest';
import { add, linear, memory, mul, nn, optim, ready, sum, tidy, tensor, type LinearActivation } from '../src/index.ts';
import * as M from './reference/more-ops.ts';
import * as R from './reference/ops.ts';
import { makeRng, type Nd } from './reference/ndarray.ts';
import { expectClose, finiteDiffGrad, tol } from './reference/check.ts';
import { rand, toTensor } from './helpers.ts';
import { setPairedUpdates } from '../src/optim/optimizer.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const total = (v: Nd) => v.data.reduce((s, u) => s + u, 0);

/** Three layers: act1(x·W1 + b1), then tanh(·W2 + b2), then ·W3 + b3; loss = Σ out · r. */
function threeLayers(act: LinearActivation, alpha: number, sizes: number[], seed: number) {
  const rng = makeRng(seed);
  const [n, a, b, c, d] = sizes;
  // Inputs keep clear of relu's kink: |pre-activations| stay far above the finite-difference step.
  const params = [rand([n, a], rng), rand([a, b], rng), rand([b], rng), rand([b, c], rng), rand([c], rng), rand([c, d], rng), rand([d], rng)];
  const r = rand([n, d], rng);
  const ref = ([x, w1, b1, w2, b2, w3, b3]: Nd[]) => {
    const h1 = M.linearLayer(x, w1, b1, act, alpha);
    const h2 = M.linearLayer(h1, w2, b2, 'tanh');
    return M.linearLayer(h2, w3, b3, 'linear');
  };
  const expected = finiteDiffGrad((v) => total(R.mul(ref(v), r)), params);
  return { params, r, expected };
}

describe('linear after linear: gradients with the activation derivative folded into the next product', () => {
  const cases: [LinearActivation, number, number[]][] = [
    ['relu', 0.01, [6, 8, 12, 8, 4]],        // vec4 sizes: the quad kernels
    ['leakyRelu', 0.2, [6, 8, 12, 8, 4]],
    ['tanh', 0.01, [5, 7, 9, 6, 3]],         // odd sizes: the 4x4 block kernels
    ['sigmoid', 0.01, [6, 8, 12, 8, 4]],
  ];
  for (const [act, alpha, sizes] of cases) {
    it(`${act} ${sizes.join('-')}`, async () => {
      const { params, r, expected } = threeLayers(act, alpha, sizes, 3);
      const ts = params.map((p) => toTensor(p, true));
      const [x, w1, b1, w2, b2, w3, b3] = ts;
      tidy(() => {
        const h1 = linear(x, w1, b1, { activation: act, alpha });
        const h2 = linear(h1, w2, b2, { activation: 'tanh' });
        sum(mul(linear(h2, w3, b3), toTensor(r))).backward();
      });
      for (const [i, t] of ts.entries()) expectClose(await t.grad!.data(), expected[i].data, tol(64), `input ${i}`);
    });
  }

  it('with retainGraph, a second backward() through the folded layers adds the same gradients again', async () => {
    const { params, r, expected } = threeLayers('relu', 0.01, [6, 8, 12, 8, 4], 4);
    const ts = params.map((p) => toTensor(p, true));
    const [x, w1, b1, w2, b2, w3, b3] = ts;
    tidy(() => {
      const h2 = linear(linear(x, w1, b1, { activation: 'relu' }), w2, b2, { activation: 'tanh' });
      const loss = sum(mul(linear(h2, w3, b3), toTensor(r)));
      loss.backward({ retainGraph: true });
      loss.backward();
    });
    for (const [i, t] of ts.entries()) expectClose(await t.grad!.data(), expected[i].data.map((v) => 2 * v), tol(64), `input ${i}, twice`);
  });

  it('an output that also feeds the loss directly is not folded: both paths add up', async () => {
    const rng = makeRng(9);
    const [x, w1, b1, w2, b2] = [rand([6, 8], rng), rand([8, 8], rng), rand([8], rng), rand([8, 4], rng), rand([4], rng)];
    const [r1, r2] = [rand([6, 8], rng), rand([6, 4], rng)];
    const ref = ([xv, w1v]: Nd[]) => {
      const h = M.linearLayer(xv, w1v, b1, 'tanh');
      return total(R.mul(h, r1)) + total(R.mul(M.linearLayer(h, w2, b2, 'relu'), r2));
    };
    const expected = finiteDiffGrad(ref, [x, w1]);
    const [xt, w1t] = [toTensor(x, true), toTensor(w1, true)];
    tidy(() => {
      const h = linear(xt, w1t, toTensor(b1), { activation: 'tanh' });
      add(sum(mul(h, toTensor(r1))), sum(mul(linear(h, toTensor(w2), toTensor(b2), { activation: 'relu' }), toTensor(r2)))).backward();
    });
    expectClose(await xt.grad!.data(), expected[0].data, tol(64), 'dx');
    expectClose(await w1t.grad!.data(), expected[1].data, tol(64), 'dW1');
  });

  it('an output kept with retainGrad() gets dL/dy, not the folded dL/dz', async () => {
    const rng = makeRng(10);
    const [x, w1, w2, r] = [rand([4, 8], rng), rand([8, 8], rng), rand([8, 4], rng), rand([4, 4], rng)];
    // dL/dh = r·W2ᵀ for loss = Σ (h·W2) · r.
    const want = R.transpose(M.matmulBroadcast(w2, R.transpose(r)));
    const xt = toTensor(x, true);
    const h = tidy(() => { // kept: disposing h would take its .grad along
      const hidden = linear(xt, toTensor(w1), null, { activation: 'sigmoid' }).retainGrad();
      sum(mul(linear(hidden, toTensor(w2)), toTensor(r))).backward();
      return hidden;
    });
    expectClose(await h.grad!.data(), want.data, tol(16), 'dL/dh');
    const ref = ([xv]: Nd[]) => total(R.mul(M.matmulBroadcast(M.linearLayer(xv, w1, null, 'sigmoid'), w2), r));
    expectClose(await xt.grad!.data(), finiteDiffGrad(ref, [x])[0].data, tol(64), 'dx');
  });
});

describe('dispatches of a training step', () => {
  // Per hidden layer: forward 1 (product, bias, activation), backward 2 (dz·Wᵀ ⊙ act' of the
  // layer before; dW with db), SGD 1 (weight and bias together, on GPUs): 4, the math's
  // minimum; on CPU adapters the optimizer updates weight and bias apart (optimizer.ts): 5.
  const dispatchesPerStep = (depth: number) => {
    const model = nn.mlp({ inputSize: 16, width: 16, depth, outputSize: 4, activation: 'relu', seed: 1 });
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const [x, y] = [tensor(new Float32Array(8 * 16).fill(0.5), [8, 16]), tensor(new Float32Array(8 * 4).fill(0.1), [8, 4])];
    const step = () => tidy(() => { opt.zeroGrad(); const loss = sum(mul(model.forward(x), y)); loss.backward(); opt.step(); });
    step(); // the first step also compiles and allocates
    const before = memory().dispatches;
    step();
    const count = memory().dispatches - before;
    opt.dispose();
    model.dispose();
    return count;
  };
  it('each hidden layer of an MLP adds 4 with paired updates (GPUs), 5 without (CPU adapters)', () => {
    expect(dispatchesPerStep(6) - dispatchesPerStep(3)).toBe(5 * 3);
    setPairedUpdates(true);
    try {
      expect(dispatchesPerStep(6) - dispatchesPerStep(3)).toBe(4 * 3);
    } finally {
      setPairedUpdates(null);
    }
  });
});
