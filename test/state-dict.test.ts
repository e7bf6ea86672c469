// Module state dicts (src/nn/module.ts, src/io/): PyTorch's names, a trained model saved and
// loaded into a fresh one giving bitwise-identical outputs, bad dicts failing with one line that
// names the key while the model stays as it was, and PyTorch's layout: Linear weights written as
// [out, in] (against a transposition by hand) and a PyTorch-layout file written by hand loading
// into a model whose forward matches the float64 reference.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  DisposedError, GpugradError, Tensor, ShapeError, load, memory, mseLoss, nn, optim, ready, save, tensor, tidy, type StateDict,
} from '../src/index.ts';
import { makeRng, nd } from './reference/ndarray.ts';
import * as R from './reference/ops.ts';
import { expectClose, tol } from './reference/check.ts';
import { bits, handWritten, parseFile, valuesOf } from './reference/safetensors.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(2024);
const options = { inputSize: 5, width: 7, depth: 2, outputSize: 3, activation: 'tanh' as const };
const paramBits = async (m: nn.Module) => Promise.all(m.parameters().map(async (p) => bits(await p.data())));
const output = async (m: nn.Module, x: Tensor) => bits(await tidy(() => m.forward(x)).data());
const dispose = (dict: StateDict) => Object.values(dict).forEach((v) => v instanceof Tensor && v.dispose());

describe('names', () => {
  it("an mlp: '0.weight', '0.bias', '2.weight', ...: activations keep their index; the entries are the parameters", () => {
    const model = nn.mlp({ ...options, seed: 1 });
    const dict = model.stateDict();
    expect(Object.keys(dict)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(Object.values(dict)).toEqual(model.parameters());
    Object.values(dict).forEach((t, i) => expect(t).toBe(model.parameters()[i]));
  });

  it('nested Sequentials, a Linear without bias, a Sequential of activations only', () => {
    const model = new nn.Sequential(new nn.Sequential(new nn.Linear(2, 3, { seed: 1 }), new nn.ReLU()), new nn.Linear(3, 1, { bias: false, seed: 2 }));
    expect(Object.keys(model.stateDict())).toEqual(['0.0.weight', '0.0.bias', '1.weight']);
    expect(Object.keys(new nn.Linear(2, 2, { seed: 3 }).stateDict())).toEqual(['weight', 'bias']);
    expect(new nn.Sequential(new nn.ReLU(), new nn.Tanh()).stateDict()).toEqual({});
  });
});

describe('save, then load into a fresh model', () => {
  it('after three Adam steps: the fresh model (another seed) gives bitwise-identical outputs', async () => {
    const model = nn.mlp({ ...options, seed: 10 });
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const [x, y] = [toTensor(rand([6, 5], rng)), toTensor(rand([6, 3], rng))];
    for (let step = 0; step < 3; step++) {
      tidy(() => {
        opt.zeroGrad();
        mseLoss(model.forward(x), y).backward();
        opt.step();
      });
    }
    const bytes = await save(model);
    const fresh = nn.mlp({ ...options, seed: 99 });
    const weights = fresh.parameters();
    expect(await output(fresh, x)).not.toEqual(await output(model, x));
    const live = memory().liveTensors;
    tidy(() => fresh.loadStateDict(load(bytes)));
    expect(memory().liveTensors, 'the loaded tensors were freed').toBe(live);
    expect(await output(fresh, x)).toEqual(await output(model, x));
    expect(await paramBits(fresh)).toEqual(await paramBits(model));
    expect(fresh.parameters(), 'the same parameter tensors, loaded in place').toEqual(weights);
    opt.dispose();
  });

  it('a model loaded right after it is made (its initializers still unsubmitted) holds the loaded values', async () => {
    const source = nn.mlp({ ...options, seed: 3, init: 'normal', biasInit: 'uniform' });
    const bytes = await save(source.stateDict());
    const fresh = nn.mlp({ ...options, seed: 4, init: 'normal', biasInit: 'uniform' });
    tidy(() => fresh.loadStateDict(load(bytes)));
    expect(await paramBits(fresh)).toEqual(await paramBits(source));
  });

  it("loading a model's own state dict into itself changes nothing", async () => {
    const model = nn.mlp({ ...options, seed: 5 });
    const before = await paramBits(model);
    model.loadStateDict(model.stateDict());
    expect(await paramBits(model)).toEqual(before);
  });
});

describe('bad state dicts: one line naming the key, and the model unchanged', () => {
  let model: nn.Sequential;
  let gone: Tensor;
  beforeAll(() => {
    model = nn.mlp({ ...options, seed: 6 });
    gone = tensor([1, 2, 3]);
    gone.dispose();
  });
  const good = () => tidy(() => Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.add(1)])));
  const cases: [string, () => unknown, typeof GpugradError, RegExp][] = [
    ['a missing key', () => { const d = good(); delete d['2.bias']; return d; }, GpugradError, /^loadStateDict: missing key '2.bias' \(a tensor of shape \[7\]\)$/],
    ['an extra key', () => ({ ...good(), '6.weight': tensor([1]) }), GpugradError, /^loadStateDict: unexpected key '6.weight'/],
    ['a shape mismatch', () => ({ ...good(), '4.bias': tensor([1, 2]) }), ShapeError, /^loadStateDict: '4.bias' has shape \[2\], expected \[3\]$/],
    ['a PyTorch-layout weight', () => ({ ...good(), '0.weight': tensor(new Float32Array(35), [7, 5]) }), ShapeError,
      /^loadStateDict: '0.weight' has shape \[7,5\], expected \[5,7\] \(PyTorch's \[out, in\] layout\? pass \{ layout: 'torch' \}\)$/],
    ['a number for a tensor', () => ({ ...good(), '0.bias': 3 }), GpugradError, /^loadStateDict: '0.bias' is a number, expected a tensor of shape \[7\]$/],
    ['a disposed tensor', () => ({ ...good(), '0.bias': gone }), DisposedError, /^loadStateDict: '0.bias' was disposed$/],
    ['not a dict', () => [1, 2], GpugradError, /^loadStateDict: expected a state dict \(an object of named tensors\), got \[1,2\]$/],
  ];
  for (const [label, make, kind, message] of cases) {
    it(label, async () => {
      const before = await paramBits(model);
      const dict = make() as StateDict;
      expect(() => model.loadStateDict(dict)).toThrow(kind);
      expect(() => model.loadStateDict(dict)).toThrow(message);
      expect(await paramBits(model)).toEqual(before);
      if (!Array.isArray(dict)) dispose(dict);
    });
  }

  it('a bad layout; a gpugrad-layout dict loaded as torch says so', async () => {
    const before = await paramBits(model);
    expect(() => model.loadStateDict(model.stateDict(), { layout: 'tf' as never })).toThrow(/^loadStateDict: layout must be 'gpugrad' or 'torch', got 'tf'$/);
    expect(() => model.loadStateDict(model.stateDict(), { layout: 'torch' }))
      .toThrow(/^loadStateDict: '0.weight' has shape \[5,7\], expected \[7,5\] \(gpugrad's \[in, out\] layout\? leave out layout: 'torch'\)$/);
    expect(await paramBits(model)).toEqual(before);
  });
});

describe("layout: 'torch'", () => {
  it('writes Linear weights as [out, in] (a transposition by hand), biases as they are, and format pt', async () => {
    const model = nn.mlp({ ...options, seed: 7, biasInit: 'normal' });
    const file = parseFile(await save(model, { layout: 'torch', metadata: { by: 'test' } }));
    expect(file.header.__metadata__).toEqual({ by: 'test', format: 'pt' });
    for (const [i, layer] of model.layers.entries()) {
      if (!(layer instanceof nn.Linear)) continue;
      const [inF, outF] = [layer.inFeatures, layer.outFeatures];
      const w = Array.from(await layer.weight.data()); // [in, out], row-major
      const byHand = Array.from({ length: outF * inF }, (_, k) => w[(k % inF) * outF + Math.floor(k / inF)]);
      expect(file.header[`${i}.weight`].shape).toEqual([outF, inF]);
      expect(bits(valuesOf(file, `${i}.weight`))).toEqual(bits(byHand));
      expect(bits(valuesOf(file, `${i}.bias`))).toEqual(bits(await layer.bias!.data()));
    }
  });

  it('round trip: saved as torch, loaded as torch into a fresh model, bitwise identical', async () => {
    const model = nn.mlp({ ...options, seed: 8 });
    const bytes = await save(model, { layout: 'torch' });
    const fresh = nn.mlp({ ...options, seed: 9 });
    tidy(() => fresh.loadStateDict(load(bytes), { layout: 'torch' }));
    expect(await paramBits(fresh)).toEqual(await paramBits(model));
  });

  it('a PyTorch state_dict written by hand (nn.Linear(3, 2) weight [2, 3]) loads and computes relu(x Wᵀ + b)', async () => {
    const wTorch = [1, -2, 0.5, 0.25, 3, -1]; // [[1, -2, 0.5], [0.25, 3, -1]]: [out, in]
    const b = [0.5, -0.25];
    const file = handWritten({
      '0.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] }, '0.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
    }, [...wTorch, ...b]);
    const model = new nn.Sequential(new nn.Linear(3, 2, { seed: 1 }), new nn.ReLU());
    tidy(() => model.loadStateDict(load(file), { layout: 'torch' }));
    const x = rand([4, 3], rng);
    const want = R.mlpForward(x, [{ w: R.transpose(nd(wTorch, [2, 3])), b: nd(b, [2]), act: 'relu' }]);
    expectClose(await tidy(() => model.forward(toTensor(x))).data(), want.data, tol(3), 'forward of the loaded PyTorch weights');
  });

  it('an optimizer has no Linear weights to transpose: torch layout needs a module', async () => {
    const p = tensor([1, 2], [2], { requiresGrad: true });
    await expect(save(new optim.SGD([p], { lr: 0.1 }), { layout: 'torch' })).rejects.toThrow(/^save: layout 'torch' needs the model itself/);
  });
});
