// Optimizers (src/optim/) against float64 CPU versions of their update rules (test/reference/optim.ts,
// PyTorch's conventions), with one set of options and with parameter groups of their own. The
// gradient of loss = sum(p * g_t) is exactly g_t, so each step's gradient is chosen by the test.
// Also: parameters without a gradient, zeroGrad (which frees the gradients' memory), bad options,
// and fitting y = 3x - 2 with Linear(1, 1).

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setPairedUpdates } from '../src/optim/optimizer.ts';
import { GpugradError, memory, mseLoss, mul, nn, optim, ready, sum, tensor, tidy, type Tensor } from '../src/index.ts';
import { makeRng, randn } from './reference/ndarray.ts';
import { expectClose, tol } from './reference/check.ts';
import { adamRef, sgdRef, type Update } from './reference/optim.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(4242);
const f32rand = (n: number, scale = 1) => Float32Array.from(randn([n], rng).data, (v) => v * scale);

type Optimizer = optim.SGD | optim.Adam;

// A vec4 per invocation, 64 to a workgroup: 527 elements span three workgroups and end in a
// partial vec4, as do 65 and 3.
const SIZES = [[5, 13], [3], [17, 31]];

interface Case { label: string; make: (ps: Tensor[]) => Optimizer; ref: () => Update; gradScale?: number }
const cases: Case[] = [
  { label: 'SGD', make: (ps) => new optim.SGD(ps, { lr: 0.1 }), ref: sgdRef({ lr: 0.1 }) },
  { label: 'SGD weightDecay', make: (ps) => new optim.SGD(ps, { lr: 0.1, weightDecay: 0.05 }), ref: sgdRef({ lr: 0.1, weightDecay: 0.05 }) },
  { label: 'SGD momentum', make: (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), ref: sgdRef({ lr: 0.1, momentum: 0.9 }) },
  {
    label: 'SGD nesterov weightDecay',
    make: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 }),
    ref: sgdRef({ lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 }),
  },
  { label: 'Adam defaults', make: (ps) => new optim.Adam(ps), ref: adamRef({}) },
  { label: 'Adam lr 0.05', make: (ps) => new optim.Adam(ps, { lr: 0.05 }), ref: adamRef({ lr: 0.05 }) },
  {
    // Gradients ~1e-2 against eps 1e-3: where eps goes (outside the sqrt) changes the step by ~10%.
    label: 'Adam betas, eps', gradScale: 0.01,
    make: (ps) => new optim.Adam(ps, { lr: 0.05, betas: [0.8, 0.99], eps: 1e-3 }),
    ref: adamRef({ lr: 0.05, betas: [0.8, 0.99], eps: 1e-3 }),
  },
  {
    label: 'AdamW (weightDecay, decoupled)',
    make: (ps) => new optim.Adam(ps, { lr: 0.05, weightDecay: 0.2 }),
    ref: adamRef({ lr: 0.05, weightDecay: 0.2 }),
  },
];

/** Sets p.grad = g exactly, through loss = sum_k sum(p_k * g_k). */
function setGrads(opt: Optimizer, ps: Tensor[], gs: (Float32Array | null)[]): void {
  opt.zeroGrad();
  tidy(() => {
    const terms = ps.flatMap((p, k) => (gs[k] ? [sum(mul(p, tensor(gs[k]!, p.shape)))] : []));
    terms.reduce((a, b) => a.add(b)).backward();
  });
}

describe('updates against float64 references, 5 steps', () => {
  afterEach(() => setPairedUpdates(null));
  // Paired (one dispatch for parameters 0 and 1, as on GPUs) and one dispatch each (as on CPU adapters).
  for (const [c, paired] of cases.flatMap((c) => [[c, true], [c, false]] as const)) {
    it(`${c.label}${paired ? ', paired updates' : ''}`, async () => {
      setPairedUpdates(paired);
      const init = SIZES.map((s) => f32rand(s.reduce((a, b) => a * b, 1)));
      const ps = init.map((v, k) => tensor(v, SIZES[k], { requiresGrad: true }));
      const want = init.map((v) => Float64Array.from(v));
      const refs = ps.map(() => c.ref());
      const opt = c.make(ps);
      for (let step = 1; step <= 5; step++) {
        const gs = ps.map((p) => f32rand(p.size, c.gradScale));
        setGrads(opt, ps, gs);
        opt.step();
        for (let k = 0; k < ps.length; k++) {
          refs[k](want[k], Float64Array.from(gs[k]));
          expectClose(await ps[k].data(), want[k], tol(step), `${c.label}: parameter ${k} after step ${step}`);
        }
      }
      opt.dispose();
    });
  }
});

describe('parameters without a gradient, zeroGrad', () => {
  for (const c of [cases[2], cases[7]]) {
    it(`${c.label}: a parameter without grad is left unchanged`, async () => {
      const [va, vb] = [f32rand(65), f32rand(3)];
      const a = tensor(va, [65], { requiresGrad: true });
      const b = tensor(vb, [3], { requiresGrad: true });
      const opt = c.make([a, b]);
      for (let step = 0; step < 3; step++) {
        setGrads(opt, [a, b], [f32rand(65), null]);
        expect(b.grad).toBeNull();
        opt.step();
      }
      expect(await b.data()).toEqual(vb);
      expect(Array.from(await a.data())).not.toEqual(Array.from(va));
    });
  }

  // PyTorch counts Adam's step per parameter (state['step']), so a parameter first updated at the
  // optimizer's 4th step uses the bias corrections of t = 1: its moments were updated once.
  it('Adam: a parameter that first gets a gradient later starts its own bias correction', async () => {
    const [va, vb] = [f32rand(4), f32rand(4)];
    const a = tensor(va, [4], { requiresGrad: true });
    const b = tensor(vb, [4], { requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    const [refA, refB] = [adamRef({ lr: 0.1 })(), adamRef({ lr: 0.1 })()];
    const [wantA, wantB] = [Float64Array.from(va), Float64Array.from(vb)];
    for (let step = 1; step <= 5; step++) {
      const [ga, gb] = [f32rand(4), step > 3 ? f32rand(4) : null];
      setGrads(opt, [a, b], [ga, gb]);
      opt.step();
      refA(wantA, Float64Array.from(ga));
      if (gb) refB(wantB, Float64Array.from(gb));
    }
    expectClose(await a.data(), wantA, tol(5), 'a (updated every step)');
    expectClose(await b.data(), wantB, tol(5), 'b (updated from step 4)');
  });

  // Two parameters that follow each other in a group share a dispatch (sgd_pair, ...) when their
  // step counts agree; the values are the references' either way (above and in the cases).
  it('on GPUs a layer\'s weight and bias update in one dispatch, parameters with different step counts in their own; on CPU adapters each its own', () => {
    const dispatchesOf = (f: () => void) => { const before = memory().dispatches; f(); return memory().dispatches - before; };
    const layer = new nn.Linear(6, 4, { seed: 3 });
    const [w, b] = layer.parameters();
    const [x, r] = [tensor(f32rand(30), [5, 6]), tensor(f32rand(20), [5, 4])];
    const backward = (opt: Optimizer) => { opt.zeroGrad(); tidy(() => sum(mul(layer.forward(x), r)).backward()); };
    const opts = { SGD: new optim.SGD([w, b], { lr: 0.1 }), 'SGD momentum': new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 }), Adam: new optim.Adam([w, b]) };
    for (const [name, opt] of Object.entries(opts)) {
      backward(opt);
      opt.step(); // the first step also fills the state buffers with zeros
      backward(opt);
      expect(dispatchesOf(() => opt.step()), `${name}, SwiftShader's default`).toBe(2);
      setPairedUpdates(true); // as on a GPU
      backward(opt);
      expect(dispatchesOf(() => opt.step()), `${name}, paired`).toBe(1);
      setPairedUpdates(null);
      opt.dispose();
    }
    setPairedUpdates(true);
    const adam = new optim.Adam([w, b]);
    backward(adam);
    b.grad!.dispose();
    b.grad = null;
    adam.step();                                     // w: 1 update, b: none
    backward(adam);
    adam.step();                                     // w's 2nd update, b's 1st: apart
    backward(adam);
    expect(dispatchesOf(() => adam.step())).toBe(2); // 3rd and 2nd: still apart
    adam.dispose();
    setPairedUpdates(null);
  });

  it('zeroGrad clears every gradient; a step after it changes nothing', async () => {
    const v = f32rand(7);
    const p = tensor(v, [7], { requiresGrad: true });
    const q = tensor(f32rand(2), [2], { requiresGrad: true });
    const opt = new optim.SGD([p, q], { lr: 0.1, momentum: 0.5 });
    setGrads(opt, [p, q], [f32rand(7), f32rand(2)]);
    expect(p.grad).not.toBeNull();
    expect(q.grad).not.toBeNull();
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(q.grad).toBeNull();
    opt.step();
    expect(await p.data()).toEqual(v);
  });

  it('zeroGrad frees the gradients: their tensors and bytes are released at once', async () => {
    const ps = SIZES.map((s) => tensor(f32rand(s.reduce((a, b) => a * b, 1)), s, { requiresGrad: true }));
    const opt = new optim.Adam(ps);
    setGrads(opt, ps, ps.map((p) => f32rand(p.size)));
    const grads = ps.map((p) => p.grad!);
    const before = memory();
    opt.zeroGrad();
    const after = memory();
    expect(grads.every((g) => g.isDisposed)).toBe(true);
    expect(before.liveTensors - after.liveTensors).toBe(3);
    expect(before.liveBytes - after.liveBytes).toBe((65 + 3 + 527) * 4);
  });

  it('bad options and parameters give clear errors', () => {
    const p = tensor([1, 2], [2], { requiresGrad: true });
    const q = tensor([3], [1], { requiresGrad: true });
    expect(() => new optim.SGD([p], { lr: 0 })).toThrow(/SGD: lr must be positive/);
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => new optim.Adam([p], { lr: -1 })).toThrow(/Adam: lr must be positive/);
    expect(() => new optim.SGD([tensor([1], [1])], { lr: 0.1 })).toThrow(GpugradError);
    expect(() => new optim.Adam([p.mul(2)])).toThrow(/must be a leaf with requiresGrad/);
    expect(() => new optim.SGD([p], { lr: NaN })).toThrow(/^SGD: lr must be positive and finite, got NaN$/);
    expect(() => new optim.SGD([p], { lr: 0.1, momentum: Infinity })).toThrow(/^SGD: momentum must be a finite number >= 0, got Infinity$/);
    expect(() => new optim.SGD([p], { lr: 0.1, weightDecay: -1 })).toThrow(/^SGD: weightDecay must be a finite number >= 0, got -1$/);
    expect(() => new optim.Adam([p], { betas: [0.9, 1] })).toThrow(/^Adam: betas\[1\] must be in \[0, 1\), got 1$/);
    expect(() => new optim.Adam([p], { eps: -1e-8 })).toThrow(/^Adam: eps must be a finite number >= 0/);
    expect(() => new optim.SGD([{ params: [p] }, { params: [q], lr: 0.1 }])).toThrow(/^SGD: paramGroups\[0\].lr must be positive and finite, got undefined$/);
    expect(() => new optim.SGD([{ params: [p], lr: 0.1, nesterov: true }], { lr: 0.1 })).toThrow(/^SGD: nesterov needs momentum > 0 \(paramGroups\[0\].momentum is 0\)$/);
    expect(() => new optim.Adam([{ params: [p] }, { params: [q, p] }])).toThrow(/^Adam: parameter Tensor\(\[2\], requiresGrad\) appears twice \(in paramGroups\[1\]\)$/);
    expect(() => new optim.Adam([p, { params: [q] }] as never)).toThrow(/^Adam: params must be all tensors or all parameter groups/);
    expect(() => new optim.Adam([{ params: 3 }] as never)).toThrow(/^Adam: paramGroups\[0\] must be \{ params: Tensor\[\], \.\.\.options \}/);
    const opt = new optim.SGD([p], { lr: 0.1 });
    expect(() => { opt.lr = -2; }).toThrow(/^SGD: lr must be a finite number >= 0, got -2$/);
  });
});

describe('parameter groups, each with its own options, against float64 references', () => {
  const run = async (label: string, opt: Optimizer, ps: Tensor[], init: Float32Array[], refs: Update[]) => {
    const want = init.map((v) => Float64Array.from(v));
    for (let step = 1; step <= 4; step++) {
      const gs = ps.map((p) => f32rand(p.size));
      setGrads(opt, ps, gs);
      opt.step();
      for (let k = 0; k < ps.length; k++) {
        refs[k](want[k], Float64Array.from(gs[k]));
        expectClose(await ps[k].data(), want[k], tol(step), `${label}: parameter ${k} after step ${step}`);
      }
    }
    opt.dispose();
  };
  const make = () => {
    const init = SIZES.map((s) => f32rand(s.reduce((a, b) => a * b, 1)));
    return { init, ps: init.map((v, k) => tensor(v, SIZES[k], { requiresGrad: true })) };
  };

  it('SGD: a group with its own lr and momentum, a group with its own weight decay, defaults for the rest', async () => {
    const { init, ps } = make();
    const opt = new optim.SGD([{ params: [ps[0], ps[1]], lr: 0.1, momentum: 0.9 }, { params: [ps[2]], weightDecay: 0.05 }], { lr: 0.02, nesterov: false });
    expect(opt.paramGroups.map(({ params, ...h }) => [params.length, h])).toEqual([
      [2, { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 }], [1, { lr: 0.02, momentum: 0, nesterov: false, weightDecay: 0.05 }],
    ]);
    expect(opt.params).toEqual(ps);
    const refs = [sgdRef({ lr: 0.1, momentum: 0.9 })(), sgdRef({ lr: 0.1, momentum: 0.9 })(), sgdRef({ lr: 0.02, weightDecay: 0.05 })()];
    await run('SGD groups', opt, ps, init, refs);
  });

  it('Adam: groups with their own lr, betas and weight decay', async () => {
    const { init, ps } = make();
    const opt = new optim.Adam([{ params: [ps[0]], lr: 0.05, betas: [0.8, 0.99] }, { params: [ps[1], ps[2]], weightDecay: 0.1 }], { lr: 0.01 });
    const refs = [adamRef({ lr: 0.05, betas: [0.8, 0.99] })(), adamRef({ lr: 0.01, weightDecay: 0.1 })(), adamRef({ lr: 0.01, weightDecay: 0.1 })()];
    await run('Adam groups', opt, ps, init, refs);
  });

  it("changing a group's lr (as a schedule does) and switching its momentum on take effect at the next step", async () => {
    const { init, ps } = make();
    const opt = new optim.SGD([{ params: [ps[0]] }, { params: [ps[1], ps[2]] }], { lr: 0.1 });
    let rules = [{ lr: 0.1 }, { lr: 0.1 }, { lr: 0.1 }];
    let refs = rules.map((r) => sgdRef(r)());
    const want = init.map((v) => Float64Array.from(v));
    for (let step = 1; step <= 4; step++) {
      if (step === 3) {
        opt.paramGroups[0].lr = 0.3;
        opt.paramGroups[1].momentum = 0.5; // the buffer starts at 0, as PyTorch's starts at the first gradient
        rules = [{ lr: 0.3 }, { lr: 0.1, momentum: 0.5 }, { lr: 0.1, momentum: 0.5 }] as typeof rules;
        refs = rules.map((r) => sgdRef(r)());
      }
      const gs = ps.map((p) => f32rand(p.size));
      setGrads(opt, ps, gs);
      opt.step();
      refs.forEach((ref, k) => ref(want[k], Float64Array.from(gs[k])));
    }
    for (let k = 0; k < 3; k++) expectClose(await ps[k].data(), want[k], tol(4), `parameter ${k}`);
    opt.dispose();
  });
});

describe('fitting y = 3x - 2 with Linear(1, 1)', () => {
  const xs = Array.from({ length: 32 }, (_, i) => -1 + (2 * i) / 31);
  const fits: [string, (ps: Tensor[]) => Optimizer, number, number][] = [
    ['SGD lr 0.3', (ps) => new optim.SGD(ps, { lr: 0.3 }), 100, 1e-6],
    ['SGD momentum 0.9', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 }), 200, 1e-6],
    ['Adam lr 0.05', (ps) => new optim.Adam(ps, { lr: 0.05 }), 400, 1e-6],
  ];
  for (const [label, make, steps, threshold] of fits) {
    it(`${label}: loss below ${threshold} in ${steps} steps`, async () => {
      const model = new nn.Linear(1, 1, { seed: 3, init: 'normal' });
      const x = tensor(xs, [32, 1]);
      const y = tensor(xs.map((v) => 3 * v - 2), [32, 1]);
      const opt = make(model.parameters());
      const initial = await tidy(() => mseLoss(model.forward(x), y)).item();
      for (let s = 0; s < steps; s++) {
        tidy(() => {
          opt.zeroGrad();
          mseLoss(model.forward(x), y).backward();
          opt.step();
        });
      }
      const final = await tidy(() => mseLoss(model.forward(x), y)).item();
      expect(initial).toBeGreaterThan(1);
      expect(final, `${label}: final loss (initial ${initial})`).toBeLessThan(threshold);
      expect((await model.weight.data())[0]).toBeCloseTo(3, 2);
      expect((await model.bias!.data())[0]).toBeCloseTo(-2, 2);
    });
  }
});
