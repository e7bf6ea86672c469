// The autograd engine's rules, checked against closed forms in float64: a value used twice
// gets the summed gradient, an unused input gets none, broadcasting is summed back,
// backward() accumulates until zeroGrad(), noGrad() and detach() stop recording, a
// non-scalar output needs an explicit seed, and a leaf's gradient outlives the tidy() that
// ran backward().

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { GpugradError, ShapeError, noGrad, isGradEnabled, ready, tidy, zeroGrad, type Tensor } from '../src/index.ts';
import { makeRng, nd, type Nd } from './reference/ndarray.ts';
import { expectClose, tol } from './reference/check.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(99);
const map = (x: Nd, fn: (v: number, i: number) => number): number[] => Array.from(x.data, fn);

async function expectGrad(t: Tensor, expected: ArrayLike<number>, label: string, shape = t.shape): Promise<void> {
  expect(t.grad, `${label}: has a gradient`).not.toBeNull();
  expect(t.grad!.shape, `${label}: gradient shape`).toEqual(shape);
  expectClose(await t.grad!.data(), expected, tol(8), label);
}

describe('a value used more than once', () => {
  it('x * x gets 2x', async () => {
    const x = rand([2, 3], rng);
    const t = toTensor(x, true);
    G.sum(G.mul(t, t)).backward();
    await expectGrad(t, map(x, (v) => 2 * v), 'd sum(x*x)');
  });

  it('x feeding two branches gets the sum: d sum(tanh(x) + exp(x)) = 1 - tanh² + exp', async () => {
    const x = rand([7], rng);
    const t = toTensor(x, true);
    G.sum(G.add(G.tanh(t), G.exp(t))).backward();
    await expectGrad(t, map(x, (v) => 1 - Math.tanh(v) ** 2 + Math.exp(v)), 'two branches');
  });

  it('an intermediate used twice: d sum(z·z + z), z = tanh(x), is (2z + 1)(1 - z²)', async () => {
    const x = rand([5], rng);
    const t = toTensor(x, true);
    const z = G.tanh(t);
    G.sum(G.add(G.mul(z, z), z)).backward();
    await expectGrad(t, map(x, (v) => (2 * Math.tanh(v) + 1) * (1 - Math.tanh(v) ** 2)), 'intermediate used twice');
  });
});

describe('which inputs get gradients', () => {
  it('an input the loss does not depend on gets none (null)', async () => {
    const a = toTensor(rand([3], rng), true);
    const b = toTensor(rand([3], rng), true);
    const c = G.mul(b, 5); // made from b, but not part of the loss
    G.sum(G.mul(a, 2)).backward();
    await expectGrad(a, [2, 2, 2], 'used input');
    expect(b.grad).toBeNull();
    expect(c.grad).toBeNull();
  });

  it('an input without requiresGrad gets none; the other input still does', async () => {
    const x = rand([4], rng);
    const a = toTensor(rand([4], rng), true);
    const c = toTensor(x);
    G.sum(G.mul(a, c)).backward();
    await expectGrad(a, x.data, 'd sum(a*c)/da = c');
    expect(c.grad).toBeNull();
  });

  it('gradients are plain tensors: not recorded, not requiring grad', async () => {
    const t = toTensor(rand([3], rng), true);
    G.sum(G.square(t)).backward();
    expect(t.grad!.requiresGrad).toBe(false);
    expect(t.grad!.isLeaf).toBe(true);
  });
});

describe('broadcasting is summed back to each input shape', () => {
  it('[3,1] * [1,4]: da = row sums of b, db = column sums of a', async () => {
    const a = rand([3, 1], rng);
    const b = rand([1, 4], rng);
    const [ta, tb] = [toTensor(a, true), toTensor(b, true)];
    G.sum(G.mul(ta, tb)).backward();
    const sumOf = (x: Nd) => x.data.reduce((s, v) => s + v, 0);
    await expectGrad(ta, [sumOf(b), sumOf(b), sumOf(b)], 'd/da');
    await expectGrad(tb, [0, 1, 2, 3].map(() => sumOf(a)), 'd/db');
  });

  it('[] + [2,3] gives the scalar 6; [5] + [2,5] gives 2 per element', async () => {
    const s = toTensor(nd([0.5], []), true);
    const m = toTensor(rand([2, 3], rng), true);
    G.sum(G.add(s, m)).backward();
    await expectGrad(s, [6], 'scalar', []);
    const v = toTensor(rand([5], rng), true);
    G.sum(G.add(v, toTensor(rand([2, 5], rng)))).backward();
    await expectGrad(v, [2, 2, 2, 2, 2], 'row');
  });
});

describe('max', () => {
  it('routes the gradient to the maximum of each slice, and to every tied maximum', async () => {
    const t = toTensor(nd([1, 3, 3, -2, 5, 0], [2, 3]), true);
    G.sum(G.mul(G.max(t, 1), toTensor(nd([2, 7], [2])))).backward();
    await expectGrad(t, [0, 2, 2, 0, 7, 0], 'd max over rows');
  });
});

describe('accumulation', () => {
  it('backward twice (two forward passes) adds into .grad; zeroGrad clears it', async () => {
    const x = rand([4], rng);
    const t = toTensor(x, true);
    G.sum(G.mul(t, 3)).backward();
    G.sum(G.square(t)).backward();
    await expectGrad(t, map(x, (v) => 3 + 2 * v), 'accumulated');
    zeroGrad([t]);
    expect(t.grad).toBeNull();
    G.sum(G.mul(t, 3)).backward();
    await expectGrad(t, [3, 3, 3, 3], 'fresh after zeroGrad');
  });

  it('backward twice on the same loss, the first with retainGraph, adds the same gradient twice', async () => {
    const x = rand([4], rng);
    const t = toTensor(x, true);
    const loss = G.sum(G.mul(G.tanh(t), t));
    loss.backward({ retainGraph: true });
    loss.backward();
    await expectGrad(t, map(x, (v) => 2 * (Math.tanh(v) + v * (1 - Math.tanh(v) ** 2))), 'same loss twice');
  });

  it('a second backward through a freed graph throws, as in PyTorch, and leaves .grad as the first left it', async () => {
    const x = rand([4], rng);
    const t = toTensor(x, true);
    const loss = G.sum(G.square(t));
    loss.backward();
    expect(() => loss.backward()).toThrow(/^backward: the graph through 'sum' \(shape \[\]\) was freed by an earlier backward\(\); pass \{ retainGraph: true \}/);
    await expectGrad(t, map(x, (v) => 2 * v), 'after the refused second backward');
  });

  it('backward takes a seed and options together', async () => {
    const x = rand([3], rng);
    const t = toTensor(x, true);
    const y = G.mul(t, 3);
    y.backward(G.ones([3]), { retainGraph: true });
    y.backward(G.ones([3]));
    await expectGrad(t, map(x, () => 6), 'seed + retainGraph');
  });

  it("a leaf's gradient outlives the tidy() that ran backward", async () => {
    const x = rand([3], rng);
    const t = toTensor(x, true);
    tidy(() => G.sum(G.square(t)).backward());
    expect(t.grad!.isDisposed).toBe(false);
    await expectGrad(t, map(x, (v) => 2 * v), 'after tidy');
  });
});

describe('turning recording off', () => {
  it('noGrad records nothing and restores the previous state, even after a throw', () => {
    const t = toTensor(rand([3], rng), true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return G.mul(t, 2);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => noGrad(() => { throw new Error('inside'); })).toThrow('inside');
    expect(isGradEnabled()).toBe(true);
    expect(G.mul(t, 2).requiresGrad).toBe(true);
  });

  it('detach stops the gradient: d sum(x · detach(x)) = x, not 2x', async () => {
    const x = rand([5], rng);
    const t = toTensor(x, true);
    const d = t.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    G.sum(G.mul(t, d)).backward();
    await expectGrad(t, x.data, 'through detach');
    expect(d.grad).toBeNull();
  });
});

describe('seeds', () => {
  it('a non-scalar output without a seed throws a ShapeError naming its shape', () => {
    const y = G.mul(toTensor(rand([2, 3], rng), true), 2);
    expect(() => y.backward()).toThrow(ShapeError);
    expect(() => y.backward()).toThrow(/\[2,3\].*seed/);
  });

  it('an explicit seed gives seed-weighted gradients: d(x·x) with seed s is 2·x·s', async () => {
    const [x, seed] = [rand([2, 3], rng), rand([2, 3], rng)];
    const t = toTensor(x, true);
    G.mul(t, t).backward(toTensor(seed));
    await expectGrad(t, map(x, (v, i) => 2 * v * seed.data[i]), 'seeded');
  });

  it('a seed of the wrong shape throws a ShapeError naming both shapes', () => {
    const y = G.mul(toTensor(rand([2, 3], rng), true), 2);
    expect(() => y.backward(toTensor(rand([3, 2], rng)))).toThrow(/seed has shape \[3,2\], output has \[2,3\]/);
  });

  it('backward on a one-element leaf gives 1; on a tensor that does not require grad it throws', async () => {
    const leaf = toTensor(nd([4], [1]), true);
    leaf.backward();
    await expectGrad(leaf, [1], 'leaf');
    const plain = G.mul(toTensor(rand([1], rng)), 2);
    expect(() => plain.backward()).toThrow(GpugradError);
    expect(() => plain.backward()).toThrow(/does not require grad/);
  });
});
