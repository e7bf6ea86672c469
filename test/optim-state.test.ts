// Optimizer state dicts (src/optim/optimizer.ts): the documented form (PyTorch's keys by
// parameter index; the state tensors hold what the float64 update rule says after one step;
// numbers stored exactly), a round trip through save() and load() into a fresh model and
// optimizer that continues training bit for bit like an uninterrupted run (Adam with per-
// parameter step counts, SGD with Nesterov momentum, two groups each), and bad dicts failing with
// one line that names the key while the optimizer stays as it was.

import { beforeAll, describe, expect, it } from 'vitest';
import { GpugradError, ShapeError, Tensor, load, mean, mseLoss, nn, optim, ready, save, square, tensor, tidy, type StateDict } from '../src/index.ts';
import { makeRng } from './reference/ndarray.ts';
import { expectClose, tol } from './reference/check.ts';
import { bits, parseFile } from './reference/safetensors.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(99);
type Opt = optim.SGD | optim.Adam;

/** An mlp and a side head that joins the loss only from step 2, so its parameters have fewer updates. */
function makeNet(seed: number) {
  const body = nn.mlp({ inputSize: 4, width: 6, depth: 1, outputSize: 2, activation: 'tanh', seed });
  const side = new nn.Linear(4, 1, { seed: seed + 100 });
  return { body, side, all: new nn.Sequential(body, side) };
}
type Net = ReturnType<typeof makeNet>;

const optimizers: [string, (net: Net, other?: boolean) => Opt][] = [
  ['Adam, two groups', ({ body, side }, other) => new optim.Adam(
    [{ params: body.parameters(), lr: other ? 0.5 : 0.02 }, { params: side.parameters(), weightDecay: 0.1, betas: [0.8, 0.95] }], { lr: 0.01 })],
  ['SGD, Nesterov momentum in one group', ({ body, side }, other) => new optim.SGD(
    [{ params: body.parameters(), lr: 0.05, momentum: other ? 0.1 : 0.9, nesterov: true }, { params: side.parameters(), weightDecay: 0.01 }], { lr: 0.1 })],
];

let x: Tensor;
let y: Tensor;
beforeAll(() => { [x, y] = [toTensor(rand([5, 4], rng)), toTensor(rand([5, 2], rng))]; });

function trainStep(net: Net, opt: Opt, step: number): void {
  tidy(() => {
    opt.zeroGrad();
    const loss = mseLoss(net.body.forward(x), y);
    (step >= 2 ? loss.add(mean(square(net.side.forward(x)))) : loss).backward();
    opt.step();
  });
}

const paramBits = async (m: nn.Module) => Promise.all(m.parameters().map(async (p) => bits(await p.data())));
const hyper = (opt: Opt) => JSON.stringify(opt.paramGroups.map(({ params, ...h }) => [params.length, h]));
async function tensorsOf(dict: StateDict): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(dict)) if (v instanceof Tensor) out[k] = bits(await v.data());
  return out;
}

describe('the form', () => {
  it("Adam: 'state.<i>.step', 'exp_avg' = (1 - b1) g and 'exp_avg_sq' = (1 - b2) g² after one step; 'param_groups.<g>.*'", async () => {
    const net = makeNet(1);
    const opt = new optim.Adam([{ params: net.body.parameters() }, { params: net.side.parameters(), lr: 0.02 }]);
    trainStep(net, opt, 1); // the side head has no gradient yet: no state
    const dict = opt.stateDict();
    const perParam = (i: number) => [`state.${i}.step`, `state.${i}.exp_avg`, `state.${i}.exp_avg_sq`];
    const group = (g: number) => ['params', 'lr', 'betas', 'eps', 'weight_decay'].map((k) => `param_groups.${g}.${k}`);
    expect(Object.keys(dict)).toEqual([0, 1, 2, 3].flatMap(perParam).concat(group(0), group(1)));
    expect(dict['state.0.step']).toBe(1);
    expect([0, 1].map((g) => [0, 1, 2, 3, 4].map((k) => dict[group(g)[k]]))).toEqual([
      [[0, 1, 2, 3], 1e-3, [0.9, 0.999], 1e-8, 0], [[4, 5], 0.02, [0.9, 0.999], 1e-8, 0]]);
    const g = Float64Array.from(await net.body.parameters()[2].grad!.data());
    expectClose(await (dict['state.2.exp_avg'] as Tensor).data(), g.map((v) => 0.1 * v), tol(1), 'exp_avg');
    expectClose(await (dict['state.2.exp_avg_sq'] as Tensor).data(), g.map((v) => 0.001 * v * v), tol(1), 'exp_avg_sq');
  });

  it("SGD: 'momentum_buffer' only in the group with momentum, the first gradient after one step; numbers saved exactly", async () => {
    const net = makeNet(2);
    const opt = optimizers[1][1](net);
    trainStep(net, opt, 1);
    trainStep(net, opt, 2);
    const dict = opt.stateDict();
    expect(Object.keys(dict).filter((k) => k.startsWith('state.4') || k.startsWith('state.0'))).toEqual(['state.0.step', 'state.0.momentum_buffer', 'state.4.step']);
    expect([dict['state.0.step'], dict['state.4.step']]).toEqual([2, 1]);
    const values = JSON.parse(parseFile(await save(opt)).header.__metadata__!['gpugrad.values']);
    expect(values).toMatchObject({ 'param_groups.0.lr': 0.05, 'param_groups.0.momentum': 0.9, 'param_groups.0.nesterov': true, 'param_groups.1.weight_decay': 0.01 });
    // One step from a fresh optimizer: the buffer is the first gradient.
    const fresh = makeNet(2);
    const one = optimizers[1][1](fresh);
    trainStep(fresh, one, 1);
    const g = Float64Array.from(await fresh.body.parameters()[0].grad!.data());
    expectClose(await (one.stateDict()['state.0.momentum_buffer'] as Tensor).data(), g, tol(1), 'momentum_buffer');
  });
});

describe('save at step 3, load into a fresh model and optimizer, continue: bitwise the uninterrupted run', () => {
  for (const [label, make] of optimizers) {
    it(label, async () => {
      const straight = makeNet(1);
      const straightOpt = make(straight);
      for (let step = 1; step <= 6; step++) trainStep(straight, straightOpt, step);

      const first = makeNet(1);
      const firstOpt = make(first);
      for (let step = 1; step <= 3; step++) trainStep(first, firstOpt, step);
      const [modelBytes, optBytes] = await Promise.all([save(first.all), save(firstOpt)]);

      const resumed = makeNet(7); // other weights, other hyperparameters: the files decide
      const resumedOpt = make(resumed, true);
      tidy(() => {
        resumed.all.loadStateDict(load(modelBytes));
        resumedOpt.loadStateDict(load(optBytes));
      });
      expect(hyper(resumedOpt)).toBe(hyper(firstOpt));
      for (let step = 4; step <= 6; step++) trainStep(resumed, resumedOpt, step);
      expect(await paramBits(resumed.all)).toEqual(await paramBits(straight.all));
      expect(await tensorsOf(resumedOpt.stateDict())).toEqual(await tensorsOf(straightOpt.stateDict()));
      expect(Object.entries(resumedOpt.stateDict()).filter(([k]) => k.endsWith('.step')))
        .toEqual(Object.entries(straightOpt.stateDict()).filter(([k]) => k.endsWith('.step')));
      for (const o of [straightOpt, firstOpt, resumedOpt]) o.dispose();
    });
  }

  it("loading an optimizer's own state dict into it changes nothing", async () => {
    const net = makeNet(3);
    const opt = optimizers[0][1](net);
    for (let step = 1; step <= 2; step++) trainStep(net, opt, step);
    const before = await tensorsOf(opt.stateDict());
    opt.loadStateDict(opt.stateDict());
    expect(await tensorsOf(opt.stateDict())).toEqual(before);
  });
});

describe('bad state dicts: one line naming the key, and the optimizer unchanged', () => {
  let net: Net;
  let opt: optim.Adam;
  beforeAll(() => {
    net = makeNet(4);
    opt = optimizers[0][1](net) as optim.Adam;
    for (let step = 1; step <= 2; step++) trainStep(net, opt, step);
  });
  const edit = (change: (d: StateDict) => void) => () => { const d = { ...opt.stateDict() }; change(d); return d; };
  const cases: [string, () => StateDict, typeof GpugradError, RegExp][] = [
    ['a missing state tensor', edit((d) => delete d['state.0.exp_avg']), GpugradError, /^Adam.loadStateDict: missing key 'state.0.exp_avg' \(a tensor of shape \[4,6\]\)$/],
    ['a missing hyperparameter', edit((d) => delete d['param_groups.1.lr']), GpugradError, /^Adam.loadStateDict: missing key 'param_groups.1.lr'$/],
    ['an unexpected key', edit((d) => { d['state.0.momentum_buffer'] = 1; }), GpugradError, /^Adam.loadStateDict: unexpected key 'state.0.momentum_buffer'/],
    ['a group of other parameters', edit((d) => { d['param_groups.0.params'] = [0, 1]; }), GpugradError,
      /^Adam.loadStateDict: 'param_groups.0.params' is \[0,1\], but this optimizer's group 0 holds parameters \[0,1,2,3\]$/],
    ['a shape mismatch', edit((d) => { d['state.1.exp_avg'] = tensor([1, 2]); }), ShapeError, /^Adam.loadStateDict: 'state.1.exp_avg' has shape \[2\], expected \[6\]$/],
    ['a step that is not a count', edit((d) => { d['state.3.step'] = 1.5; }), GpugradError, /^Adam.loadStateDict: 'state.3.step' must be an integer >= 0, got 1.5$/],
    ['a negative lr', edit((d) => { d['param_groups.0.lr'] = -1; }), GpugradError, /^Adam.loadStateDict: 'param_groups.0.lr' must be a finite number >= 0, got -1$/],
    ['one beta', edit((d) => { d['param_groups.1.betas'] = [0.9]; }), GpugradError, /^Adam.loadStateDict: 'param_groups.1.betas' must be \[beta1, beta2\], got \[0.9\]$/],
    ["an SGD optimizer's dict", () => new optim.SGD([{ params: net.body.parameters() }, { params: net.side.parameters() }], { lr: 0.1 }).stateDict(),
      GpugradError, /^Adam.loadStateDict: missing key 'param_groups.0.betas'$/],
  ];
  for (const [label, make, kind, message] of cases) {
    it(label, async () => {
      const [groups, state] = [hyper(opt), await tensorsOf(opt.stateDict())];
      const dict = make();
      expect(() => opt.loadStateDict(dict)).toThrow(kind);
      expect(() => opt.loadStateDict(dict)).toThrow(message);
      expect(hyper(opt)).toBe(groups);
      expect(await tensorsOf(opt.stateDict())).toEqual(state);
    });
  }
});
