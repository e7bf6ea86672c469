// Modules (src/nn/): Linear's forward and backward against float64 x·W + b computed from the weights
// read back, its parameters, initializers by name and by function, ownership inside tidy(), the
// mlp() builder's structure, seeding and forward (against test/reference's mlpForward), and errors.

import { beforeAll, describe, expect, it } from 'vitest';
import { getDevice, GpugradError, nn, init, mul, ready, sum, tensor, tidy, type Tensor } from '../src/index.ts';
import { makeRng, nd, type Nd } from './reference/ndarray.ts';
import * as R from './reference/ops.ts';
import { expectClose, tol } from './reference/check.ts';
import { expectMoments, rand, toTensor } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(77);
const read = async (t: Tensor): Promise<Nd> => nd(await t.data(), [...t.shape]);

/** x·W + b in float64 for x of shape [..., in]. */
function affine(x: Nd, w: Nd, b: Nd | null): Nd {
  const [inF, outF] = w.shape;
  const rows = x.data.length / inF;
  const out = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < outF; j++) {
      let s = b ? b.data[j] : 0;
      for (let k = 0; k < inF; k++) s += x.data[r * inF + k] * w.data[k * outF + j];
      out[r * outF + j] = s;
    }
  }
  return nd(out, [...x.shape.slice(0, -1), outF]);
}

describe('Linear', () => {
  for (const [shape, bias] of [[[4, 7], true], [[1, 7], true], [[2, 3, 7], true], [[5, 7], false]] as [number[], boolean][]) {
    it(`forward of [${shape}] ${bias ? 'with' : 'without'} bias is x·W + b`, async () => {
      const layer = new nn.Linear(7, 5, { seed: 3, bias, biasInit: 'normal' });
      const x = rand(shape, rng);
      const y = layer.forward(toTensor(x));
      expect(y.shape).toEqual([...shape.slice(0, -1), 5]);
      const want = affine(x, await read(layer.weight), layer.bias ? await read(layer.bias) : null);
      expectClose(await y.data(), want.data, tol(7), 'Linear forward');
    });
  }

  it('backward: dW = xᵀ·r, db = column sums of r, dx = r·Wᵀ', async () => {
    const layer = new nn.Linear(6, 3, { seed: 8, biasInit: 'uniform' });
    const [x, r] = [rand([5, 6], rng), rand([5, 3], rng)];
    const xt = toTensor(x, true);
    sum(mul(layer.forward(xt), toTensor(r))).backward();
    const w = await read(layer.weight);
    expectClose(await layer.weight.grad!.data(), R.matmul(R.transpose(x), r).data, tol(5), 'dW');
    expectClose(await layer.bias!.grad!.data(), Array.from({ length: 3 }, (_, j) => [0, 1, 2, 3, 4].reduce((s, i) => s + r.data[i * 3 + j], 0)), tol(5), 'db');
    expectClose(await xt.grad!.data(), R.matmul(r, R.transpose(w)).data, tol(3), 'dx');
  });

  it('parameters(): [weight [in, out], bias [out]] that require grad; no bias when bias: false', () => {
    const layer = new nn.Linear(4, 9, { seed: 1 });
    expect(layer.parameters()).toEqual([layer.weight, layer.bias]);
    expect(layer.weight.shape).toEqual([4, 9]);
    expect(layer.bias!.shape).toEqual([9]);
    for (const p of layer.parameters()) expect(p.requiresGrad && p.isLeaf).toBe(true);
    const noBias = new nn.Linear(4, 9, { seed: 1, bias: false });
    expect(noBias.bias).toBeNull();
    expect(noBias.parameters()).toEqual([noBias.weight]);
  });

  it('the default bias is zeros', async () => {
    expect(Array.from(await new nn.Linear(3, 6, { seed: 2 }).bias!.data())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('init by name: identity and ones are exact', async () => {
    const eye = new nn.Linear(3, 4, { init: 'identity', biasInit: 'ones', seed: 1 });
    expect(Array.from(await eye.weight.data())).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(await eye.bias!.data())).toEqual([1, 1, 1, 1]);
  });

  it('init by name: kaimingNormal has mean 0 and variance 2/fanIn', async () => {
    const w = await new nn.Linear(300, 200, { init: 'kaimingNormal', seed: 4 }).weight.data();
    expectMoments(w, 0, 2 / 300, 3, 'kaimingNormal [300,200]');
  });

  it('init by function gets the weight shape and a seed, and its tensor is used as is', async () => {
    const calls: [number[], number | undefined][] = [];
    const ramp = (shape: number[], o: { seed?: number }) => {
      calls.push([shape, o.seed]);
      const size = shape.reduce((a, b) => a * b, 1);
      return tensor(Array.from({ length: size }, (_, i) => i / 4), shape);
    };
    const layer = new nn.Linear(2, 3, { init: ramp, biasInit: ramp, seed: 10 });
    expect(calls).toEqual([[[2, 3], 10], [[3], 11]]);
    expect(Array.from(await layer.weight.data())).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect(Array.from(await layer.bias!.data())).toEqual([0, 0.25, 0.5]);
  });

  it('errors: wrong input feature count, unknown initializer', () => {
    const layer = new nn.Linear(7, 5, { seed: 3 });
    expect(() => layer.forward(init.zeros([4, 6]))).toThrow(GpugradError);
    expect(() => layer.forward(init.zeros([4, 6]))).toThrow(/Linear\(7, 5\): input \[4,6\] has 6 features, expected 7/);
    expect(() => new nn.Linear(2, 2, { init: 'nope' as never })).toThrow(/unknown initializer 'nope'/);
  });

  it('a Linear made inside tidy() keeps its parameters', async () => {
    const layer = tidy(() => new nn.Linear(3, 2, { seed: 5, biasInit: 'ones' }));
    const out = tidy(() => {
      const inner = new nn.Linear(2, 2, { seed: 6, init: 'identity' });
      const y = inner.forward(layer.forward(init.ones([1, 3])));
      return { inner, y };
    });
    for (const p of [...layer.parameters(), ...out.inner.parameters()]) expect(p.isDisposed).toBe(false);
    const w = await read(layer.weight);
    const want = [0, 1].map((j) => 1 + w.data[j] + w.data[2 + j] + w.data[4 + j]); // ones·W + 1, then ·I + 0
    expectClose(await out.y.data(), want, tol(3), 'forward after tidy');
    expect(Array.from(await out.inner.weight.data())).toEqual([1, 0, 0, 1]);
  });
});

describe('mlp', () => {
  const options = { inputSize: 6, width: 8, depth: 3, outputSize: 2, activation: 'tanh' as const, init: 'xavierNormal' as const, seed: 11 };

  it('depth hidden Linear + activation pairs, then an output Linear; shapes', () => {
    const model = nn.mlp(options);
    expect(model.layers.length).toBe(2 * 3 + 1);
    model.layers.forEach((layer, i) => {
      if (i % 2) expect(layer).toBeInstanceOf(nn.Activation);
      else expect(layer).toBeInstanceOf(nn.Linear);
    });
    expect((model.layers[1] as nn.Activation).name).toBe('tanh');
    expect(model.parameters().map((p) => p.shape)).toEqual([[6, 8], [8], [8, 8], [8], [8, 8], [8], [8, 2], [2]]);
  });

  it('forward equals the float64 reference MLP on the read-back weights', async () => {
    const model = nn.mlp({ ...options, biasInit: 'normal' });
    const x = rand([5, 6], rng);
    const y = model.forward(toTensor(x));
    const linears = model.layers.filter((l): l is nn.Linear => l instanceof nn.Linear);
    const layers: R.MlpLayer[] = [];
    for (const [i, l] of linears.entries()) {
      layers.push({ w: await read(l.weight), b: await read(l.bias!), act: i < linears.length - 1 ? 'tanh' : 'linear' });
    }
    expect(y.shape).toEqual([5, 2]);
    expectClose(await y.data(), R.mlpForward(x, layers).data, tol(8, 2), 'mlp forward');
  });

  it('the same seed gives the same weights; another seed and other layers differ', async () => {
    const dump = async (m: nn.Sequential) => Promise.all(m.parameters().filter((p) => p.rank === 2).map((p) => p.data()));
    const [a, b, c] = await Promise.all([dump(nn.mlp(options)), dump(nn.mlp(options)), dump(nn.mlp({ ...options, seed: 12 }))]);
    expect(b).toEqual(a);
    for (let i = 0; i < a.length; i++) expect(Array.from(c[i])).not.toEqual(Array.from(a[i]));
    expect(Array.from(a[2])).not.toEqual(Array.from(a[1])); // layers get their own seeds
  });

  it('rejects depth < 1', () => {
    expect(() => nn.mlp({ ...options, depth: 0 })).toThrow(/depth must be an integer >= 1/);
  });
});

describe('Sequential runs Linear then Activation as one linear() op', () => {
  it('one dispatch, the float64 values of relu(x·W + b), and a subclass with its own forward left alone', async () => {
    const rng = makeRng(31);
    const [x, w, b] = [rand([5, 8], rng), rand([8, 12], rng), rand([12], rng)];
    const layer = new nn.Linear(8, 12, { seed: 1 });
    tidy(() => layer.loadStateDict({ weight: toTensor(w), bias: toTensor(b) }));
    const before = getDevice().stats.dispatches;
    const y = new nn.Sequential(layer, new nn.ReLU()).forward(toTensor(x));
    expect(getDevice().stats.dispatches - before, 'dispatches').toBe(1);
    expect(y.node?.op).toBe('linear');
    expectClose(await y.data(), R.relu(R.add(R.matmul(x, w), b)).data, tol(8), 'relu(x·W + b)');
    class Doubled extends nn.Activation {
      constructor() { super('relu'); }
      override forward(h: Tensor): Tensor { return mul(super.forward(h), 2); }
    }
    const z = new nn.Sequential(layer, new Doubled()).forward(toTensor(x));
    expectClose(await z.data(), R.relu(R.add(R.matmul(x, w), b)).data.map((v) => 2 * v), tol(8), '2·relu(x·W + b)');
  });
});
