// The matmul kernel choice: the defaults per adapter kind, the tuner's measurements and the
// choices it records, saving and loading them, and bad arguments. (Every kernel's values are
// checked against float64 in ops.test.ts and matmul-transpose.test.ts.)

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GpugradError, getDevice, linear, linearProducts, matmul, matmulTuning, mul, ready, setMatmulTuning, sum, tidy, tuneMatmul } from '../src/index.ts';
import { tol } from './reference/check.ts';
import { makeRng } from './reference/ndarray.ts';
import * as ref from './reference/ops.ts';
import { expectTensor, rand, refMatmul, toTensor } from './helpers.ts';
import { autoKernel, candidates, tuningKey } from '../src/ops/matmul-kernels.ts';

beforeAll(async () => { await ready({ verbose: false }); });
afterEach(() => setMatmulTuning(null));

/** Runs `f` as if the adapter had no 'subgroups' feature (as Dawn's other backends and some browsers). */
function withoutSubgroups(f: () => void): void {
  const info = getDevice().info;
  const had = info.subgroups;
  info.subgroups = false;
  try { f(); } finally { info.subgroups = had; }
}

describe('matmul kernel choice', () => {
  it('untuned, a CPU adapter gets the 8x8 register blocks where their vec4 loads fit, else 4x4 blocks', () => {
    // SwiftShader has subgroups (Dawn in Node and Chromium): the 8x8 blocks that share loads in quads.
    expect(getDevice().info.subgroups).toBe(true);
    expect(autoKernel('nn', { m: 256, k: 256, n: 256 })).toBe('quad');
    expect(autoKernel('tn', { m: 6, k: 8, n: 8 })).toBe('block');  // aᵀ·b needs M divisible by 4
    expect(autoKernel('nt', { m: 5, k: 8, n: 7 })).toBe('quad');   // a·bᵀ needs only K
    expect(autoKernel('tt', { m: 8, k: 8, n: 8 })).toBe('block');  // no vec4 kernel for aᵀ·bᵀ
    withoutSubgroups(() => {
      expect(autoKernel('nn', { m: 256, k: 256, n: 256 })).toBe('wide');
      expect(autoKernel('nt', { m: 5, k: 8, n: 7 })).toBe('wide');
      expect(candidates('nn', { m: 8, k: 8, n: 8 })).not.toContain('quad');
    });
  });

  it("quad on an adapter without subgroups says what is missing; the tuner passes over it", () => {
    const x = toTensor(rand([8, 8], makeRng(2)));
    withoutSubgroups(() => {
      expect(() => matmul(x, x, { variant: 'quad' })).toThrow(/^matmul: quad needs the adapter's 'subgroups' feature, which this one \(.+\) lacks; use 'auto' or 'wide'$/);
      setMatmulTuning({ [tuningKey('nn', { m: 8, k: 8, n: 8 })]: 'quad' });
      expect(autoKernel('nn', { m: 8, k: 8, n: 8 })).toBe('wide');
    });
  });

  it('the tuner times every kernel that fits each product and records the fastest', async () => {
    const seen: string[] = [];
    const results = await tuneMatmul(linearProducts(16, 12, 8), { repeats: 1, onProgress: (r) => seen.push(r.layout) });
    expect(seen).toEqual(['nn', 'nt', 'tn']);
    for (const r of results) {
      const dims = { m: r.m, k: r.k, n: r.n };
      expect(Object.keys(r.ms).sort()).toEqual([...candidates(r.layout, dims)].sort());
      const fastest = Object.entries(r.ms).reduce((a, b) => (b[1] < a[1] ? b : a))[0];
      expect(r.choice).toBe(fastest);
      expect(r.key).toBe(tuningKey(r.layout, dims));
      expect(matmulTuning()[r.key]).toBe(r.choice);
      expect(autoKernel(r.layout, dims)).toBe(r.choice);
    }
    // Products of one shape class (dimensions rounded up to powers of two) share the choice.
    expect(tuningKey('nn', { m: 16, k: 12, n: 8 })).toBe(tuningKey('nn', { m: 9, k: 16, n: 3 }));
  });

  it('choices load and override by key, and null forgets them', () => {
    const key = tuningKey('nn', { m: 64, k: 64, n: 64 });
    setMatmulTuning({ [key]: 'tiled' });
    expect(autoKernel('nn', { m: 64, k: 64, n: 64 })).toBe('tiled');
    expect(matmulTuning()).toEqual({ [key]: 'tiled' });
    setMatmulTuning(null);
    expect(autoKernel('nn', { m: 64, k: 64, n: 64 })).toBe('quad');
  });

  it('a choice that cannot run a product is passed over for the default', () => {
    setMatmulTuning({ [tuningKey('tn', { m: 6, k: 8, n: 8 })]: 'wide' });
    expect(autoKernel('tn', { m: 6, k: 8, n: 8 })).toBe('block');
  });

  it('bad arguments fail in one line', async () => {
    expect(() => setMatmulTuning({ k: 'fast' as never })).toThrow("setMatmulTuning: 'fast' for k is not a kernel (naive, block, block_vec4, wide, quad, tiled)");
    await expect(tuneMatmul([{ m: 0, k: 2, n: 2 }])).rejects.toThrow(GpugradError);
    await expect(tuneMatmul([{ m: 2, k: 2, n: 2 }], { repeats: 0 })).rejects.toThrow(/tuneMatmul: repeats/);
    await expect(tuneMatmul('all' as never)).rejects.toThrow('tuneMatmul: shapes must be an array');
  });
});

describe("linear's weight and bias gradients under each choice for dW = xᵀ·dz", () => {
  // loss = Σ linear(x, W, b)·r without an activation: dz = r, so dW = xᵀ·r and db = Σ_rows r.
  for (const kernel of ['quad', 'wide', 'block_vec4', 'tiled', 'block'] as const) {
    it(`${kernel}${kernel === 'tiled' || kernel === 'block' ? ' (bias gradient summed apart)' : ' (bias gradient in the same pass)'}`, async () => {
      const rng = makeRng(5);
      const [x, w, b, r] = [rand([12, 8], rng), rand([8, 16], rng), rand([16], rng), rand([12, 16], rng)];
      setMatmulTuning({ [tuningKey('tn', { m: 8, k: 12, n: 16 })]: kernel });
      const [xt, wt, bt] = [toTensor(x), toTensor(w, true), toTensor(b, true)];
      tidy(() => sum(mul(linear(xt, wt, bt), toTensor(r))).backward());
      await expectTensor(wt.grad!, refMatmul(ref.transpose(x), r), tol(12), 'dW');
      await expectTensor(bt.grad!, ref.sum(r, 0), tol(12), 'db');
    });
  }
});
