// Training tools (src/optim/schedulers.ts, clip.ts): each learning-rate schedule's sequence
// against values worked out by hand from its closed form, composed warmups, an optimizer
// stepping with the scheduled rates against a float64 reference, and clipGradNorm against float64
// norms and scaled gradients for p = 1, 2, 3 and infinity, with no readback; bad arguments.

import { beforeAll, describe, expect, it } from 'vitest';
import { GpugradError, memory, mul, optim, ready, sum, tensor, tidy, type Tensor } from '../src/index.ts';
import { makeRng, randn } from './reference/ndarray.ts';
import { expectClose, tol } from './reference/check.ts';
import { bits } from './reference/safetensors.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(515);
const param = () => tensor([0], [1], { requiresGrad: true });
const sgd = (...lrs: number[]) => new optim.SGD(lrs.map((lr) => ({ params: [param()], lr })));

/** The lr of each group after t = 0, 1, ..., steps - 1 calls of step(). */
function sequence(scheduler: optim.LRScheduler, steps: number): number[][] {
  const seen: number[][] = [];
  for (let t = 0; t < steps; t++) {
    expect(scheduler.getLastLr()).toEqual(scheduler.optimizer.paramGroups.map((g) => g.lr));
    expect(scheduler.lastEpoch).toBe(t);
    seen.push(scheduler.getLastLr());
    scheduler.step();
  }
  return seen;
}
const close = (actual: number[][], expected: number[][]) => expectClose(actual.flat(), expected.flat(), { atol: 1e-15, rtol: 1e-12 }, 'lr sequence');

describe('learning-rate schedules: the rates, t = 0, 1, 2, ...', () => {
  it('StepLR(3, 0.5), two groups with base lr 0.1 and 1', () => {
    expect(sequence(new optim.StepLR(sgd(0.1, 1), 3, 0.5), 8)).toEqual(
      [[0.1, 1], [0.1, 1], [0.1, 1], [0.05, 0.5], [0.05, 0.5], [0.05, 0.5], [0.025, 0.25], [0.025, 0.25]]);
  });

  it('ExponentialLR(0.9) from 0.2: 0.2 · 0.9^t', () => {
    close(sequence(new optim.ExponentialLR(sgd(0.2), 0.9), 5), [[0.2], [0.18], [0.162], [0.1458], [0.13122]]);
  });

  it('CosineAnnealingLR(4) from 1, and with etaMin 0.1: (1 + cos(πt/4)) / 2, rising again past tMax', () => {
    const c = (1 + Math.SQRT1_2) / 2; // t = 1: (1 + cos(π/4)) / 2
    close(sequence(new optim.CosineAnnealingLR(sgd(1), 4), 7), [[1], [c], [0.5], [1 - c], [0], [1 - c], [0.5]]);
    close(sequence(new optim.CosineAnnealingLR(sgd(1), 4, 0.1), 5), [[1], [0.1 + 0.9 * c], [0.55], [0.1 + 0.9 * (1 - c)], [0.1]]);
  });

  it('LinearWarmup(4) from 0 and from half the base lr, then the base lr', () => {
    close(sequence(new optim.LinearWarmup(sgd(0.4), 4), 6), [[0], [0.1], [0.2], [0.3], [0.4], [0.4]]);
    close(sequence(new optim.LinearWarmup(sgd(0.4), 4, { startFactor: 0.5 }), 6), [[0.2], [0.25], [0.3], [0.35], [0.4], [0.4]]);
  });

  it('LinearWarmup hands over to another schedule, started afresh; a warmup of a warmup keeps the real base lr', () => {
    const a = sgd(1);
    close(sequence(new optim.LinearWarmup(a, 2, { then: new optim.CosineAnnealingLR(a, 2) }), 6), [[0], [0.5], [1], [0.5], [0], [0.5]]);
    const b = sgd(1);
    close(sequence(new optim.LinearWarmup(b, 2, { then: new optim.LinearWarmup(b, 2, { startFactor: 0.5 }) }), 6), [[0], [0.5], [0.5], [0.75], [1], [1]]);
  });

  it('SGD steps with the scheduled rates: p_t = p_(t-1) - lr_t g (float64 reference)', async () => {
    const p = tensor([1, -2, 3], [3], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.3 });
    const scheduler = new optim.StepLR(opt, 2, 0.1);
    const g = [0.5, 1, -1.5];
    const want = [1, -2, 3];
    for (let t = 0; t < 5; t++) {
      const lr = 0.3 * 0.1 ** Math.floor(t / 2);
      tidy(() => {
        opt.zeroGrad();
        sum(mul(p, tensor(g))).backward();
        opt.step();
      });
      scheduler.step();
      g.forEach((gi, i) => { want[i] -= lr * gi; });
    }
    expectClose(await p.data(), want, tol(5), 'p after 5 scheduled steps');
  });

  it('bad arguments name the schedule and the argument', () => {
    const opt = sgd(0.1);
    expect(() => new optim.StepLR(opt, 0)).toThrow(/^StepLR: stepSize must be an integer >= 1, got 0$/);
    expect(() => new optim.StepLR(opt, 2, -1)).toThrow(/^StepLR: gamma must be positive and finite, got -1$/);
    expect(() => new optim.ExponentialLR(opt, NaN)).toThrow(/^ExponentialLR: gamma must be positive and finite, got NaN$/);
    expect(() => new optim.CosineAnnealingLR(opt, 2.5)).toThrow(/^CosineAnnealingLR: tMax must be an integer >= 1, got 2.5$/);
    expect(() => new optim.CosineAnnealingLR(opt, 10, -1)).toThrow(/^CosineAnnealingLR: etaMin must be a finite number >= 0, got -1$/);
    expect(() => new optim.LinearWarmup(opt, 5, { startFactor: 2 })).toThrow(/^LinearWarmup: startFactor must be in \[0, 1\], got 2$/);
    expect(() => new optim.LinearWarmup(opt, 5, { then: new optim.StepLR(sgd(1), 2) })).toThrow(/^LinearWarmup: then must be a scheduler made on the same optimizer/);
    expect(() => new optim.StepLR({} as never, 2)).toThrow(/^StepLR: optimizer must be an optimizer \(with paramGroups\)/);
  });
});

describe('clipGradNorm', () => {
  const SHAPES = [[7, 5], [3], [33]];
  /** Parameters whose gradients are exactly gs (loss = sum_k sum(p_k * g_k)). */
  function withGrads(gs: Float32Array[]): Tensor[] {
    const ps = SHAPES.map((s, k) => tensor(new Float32Array(gs[k].length), s, { requiresGrad: true }));
    tidy(() => ps.map((p, k) => sum(mul(p, tensor(gs[k], p.shape)))).reduce((a, b) => a.add(b)).backward());
    return ps;
  }
  const draw = () => SHAPES.map((s) => Float32Array.from(randn([s.reduce((a, b) => a * b, 1)], rng).data));
  const norm64 = (gs: Float32Array[], p: number) => {
    const all = gs.flatMap((g) => Array.from(g, Math.abs));
    return p === Infinity ? Math.max(...all) : all.reduce((s, v) => s + v ** p, 0) ** (1 / p);
  };

  for (const p of [2, 1, 3, Infinity]) {
    it(`p = ${p}: returns the total norm and scales every gradient by maxNorm / (norm + 1e-6), with no readback`, async () => {
      const gs = draw();
      const ps = withGrads(gs);
      const total = norm64(gs, p);
      const maxNorm = total / 3;
      const before = memory();
      const norm = optim.clipGradNorm(ps, maxNorm, { normType: p });
      expect(memory().readbacks).toBe(before.readbacks);
      expect(norm.shape).toEqual([]);
      expectClose([await norm.item()], [total], tol(73, 4), `norm p = ${p}`);
      const scale = maxNorm / (total + 1e-6);
      for (let k = 0; k < ps.length; k++) expectClose(await ps[k].grad!.data(), gs[k].map((v) => v * scale), tol(73, 4), `gradient ${k}`);
    });
  }

  it('below maxNorm the gradients stay bit for bit; parameters without a gradient are skipped; grads outlive a tidy()', async () => {
    const gs = draw();
    const ps = [...withGrads(gs), tensor([1, 2], [2], { requiresGrad: true })];
    const norm = tidy(() => optim.clipGradNorm(ps, 100 * norm64(gs, 2)));
    for (let k = 0; k < 3; k++) expect(bits(await ps[k].grad!.data())).toEqual(bits(gs[k]));
    expect(ps[3].grad).toBeNull();
    expectClose([await norm.item()], [norm64(gs, 2)], tol(73, 4), 'norm');
  });

  it('no gradients at all: a norm of 0', async () => {
    expect(await optim.clipGradNorm([param()], 1).item()).toBe(0);
  });

  it('bad arguments name clipGradNorm and the argument', () => {
    const ps = [param()];
    expect(() => optim.clipGradNorm(ps, 0)).toThrow(/^clipGradNorm: maxNorm must be positive and finite, got 0$/);
    expect(() => optim.clipGradNorm(ps, NaN)).toThrow(/^clipGradNorm: maxNorm must be positive and finite, got NaN$/);
    expect(() => optim.clipGradNorm(ps, 1, { normType: -2 })).toThrow(/^clipGradNorm: normType must be positive and finite, got -2$/);
    expect(() => optim.clipGradNorm([3] as never, 1)).toThrow(/^clipGradNorm: params must be tensors, got 3$/);
    expect(() => optim.clipGradNorm(ps, 1, { normType: 'fro' as never })).toThrow(GpugradError);
  });
});
