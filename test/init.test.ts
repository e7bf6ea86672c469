// Initializers (src/init/) against independent references: an exact BigInt Philox 4x32-10 checked
// on the published known-answer vectors (so uniform()'s bits are pinned on every adapter), sample
// moments of 1e6 draws within bounds derived from the sample size, supports, orthogonality in
// float64, exact fills, seeding, the deep linear net W = c·I as a closed form, and bad inputs.

import { beforeAll, describe, expect, it } from 'vitest';
import { GpugradError, ShapeError, init, matmul, mul, ready, sum, tensor, type Tensor } from '../src/index.ts';
import { makeRng, randn } from './reference/ndarray.ts';
import { expectClose, tolerance } from './reference/check.ts';
import { expectMoments } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

/** Reads a tensor back once and frees it. */
async function take(t: Tensor): Promise<Float32Array> {
  const data = await t.data();
  t.dispose();
  return data;
}

// ---------------------------------------------------------------- Philox 4x32-10, exact in BigInt

const M32 = 0xffffffffn;
function philox(counter: number[], key: number[]): number[] {
  let c = counter.map(BigInt);
  let k = key.map(BigInt);
  for (let round = 0; round < 10; round++) {
    const p0 = 0xd2511f53n * c[0];
    const p1 = 0xcd9e8d57n * c[2];
    c = [(p1 >> 32n) ^ c[1] ^ k[0], p1 & M32, (p0 >> 32n) ^ c[3] ^ k[1], p0 & M32];
    k = [(k[0] + 0x9e3779b9n) & M32, (k[1] + 0xbb67ae85n) & M32];
  }
  return c.map(Number);
}

describe('Philox bits', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(philox([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const ones = 0xffffffff;
    expect(philox([ones, ones, ones, ones], [ones, ones])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
  });

  // Element 4j+i is word i of philox([j, 0, 0x6770, 0], [seed mod 2^32, floor(seed / 2^32)]), top 24
  // bits times 2^-24: exact in float32, so the GPU result must match bit for bit.
  for (const seed of [0, 123456789, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    it(`uniform(low 0, high 1) is exactly (word >>> 8) * 2^-24, seed ${seed}`, async () => {
      const n = 37 * 29; // not a multiple of 4: the last block is cut
      const got = await take(init.uniform([37, 29], { low: 0, high: 1, seed }));
      const key = [Number(BigInt(seed) & M32), Number(BigInt(seed) >> 32n)];
      const want = new Float32Array(n);
      for (let j = 0; 4 * j < n; j++) {
        const words = philox([j, 0, 0x6770, 0], key);
        for (let i = 0; i < 4 && 4 * j + i < n; i++) want[4 * j + i] = (words[i] >>> 8) * 2 ** -24;
      }
      expect(got).toEqual(want);
    });
  }

  it('a tensor past 65535 workgroups (2-D grid) gets the bits of its own block everywhere', async () => {
    const n = 4100 * 4100; // 4.2M blocks of 4: 65,664 workgroups of 64, so the launch folds into x and y
    const got = await take(init.uniform([4100, 4100], { low: 0, high: 1, seed: 9 }));
    const blocks = n / 4;
    for (let j = 0; j < blocks; j = j < blocks - 3 ? Math.min(j + 1009, blocks - 3) : j + 1) {
      const words = philox([j, 0, 0x6770, 0], [9, 0]);
      expect(Array.from(got.subarray(4 * j, 4 * j + 4)), `block ${j}`).toEqual(words.map((w) => (w >>> 8) * 2 ** -24));
    }
  });
});

// ---------------------------------------------------------------- sample moments

// Moments of a standard normal cut to [-2, 2]. Integrating x^k phi(x) by parts: E[X^2] = 1 - 4 phi(2)/Z,
// E[X^4] = 3 E[X^2] - 16 phi(2)/Z, with Z = P(|N| <= 2) by composite Simpson's rule (error ~1e-15).
const PHI2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
const Z2 = (() => {
  const steps = 20000;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = -2 + (4 * i) / steps;
    sum += (i === 0 || i === steps ? 1 : i % 2 ? 4 : 2) * Math.exp(-x * x / 2);
  }
  return (sum * 4) / steps / 3 / Math.sqrt(2 * Math.PI);
})();
const TRUNC_VAR = 1 - (4 * PHI2) / Z2; // 0.7737413 = 0.8796256610342398^2
const TRUNC_KURT = (3 * TRUNC_VAR - (16 * PHI2) / Z2) / TRUNC_VAR ** 2;
const KURT = { normal: 3, uniform: 9 / 5, truncatedNormal: TRUNC_KURT };
type Dist = keyof typeof KURT;

/**
 * Support of the samples: uniform in [mean - half, mean + half); truncated within 2 sigma of the
 * underlying normal, sigma = std / sqrt(TRUNC_VAR). The ends must also be reached: with 1e6 draws, no
 * sample in the top 0.25% of a uniform's range has probability 0.9975^1e6 ~ e^-2500, and none with
 * |z| in (1.99, 2] of the truncated normal (mass 1.1e-3) about the same.
 */
function expectSupport(x: Float32Array, mean: number, variance: number, dist: Dist, label: string): void {
  if (dist === 'normal') return;
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const half = dist === 'uniform' ? Math.sqrt(3 * variance) : 2 * Math.sqrt(variance / TRUNC_VAR);
  // Bounds exact in float32 are exact limits; others get float32 rounding of the bounds and of a + b·u.
  const exact = [mean - half, mean + half].every((v) => Math.fround(v) === v);
  const slack = exact ? 0 : 1e-6 * (Math.abs(mean) + half);
  expect(lo, `${label}: min`).toBeGreaterThanOrEqual(mean - half - slack);
  expect(dist === 'uniform' ? hi < mean + half + slack : hi <= mean + half + slack, `${label}: max ${hi} vs ${mean + half}`).toBe(true);
  expect(lo, `${label}: min reaches the end`).toBeLessThan(mean - 0.995 * half);
  expect(hi, `${label}: max reaches the end`).toBeGreaterThan(mean + 0.995 * half);
}

const W = [2000, 500]; // fanIn 2000, fanOut 500, average 1250
const WIDE = [500, 2000]; // fanIn 500, fanOut 2000
const gain = { tanh: 5 / 3, relu: Math.SQRT2, leaky02: Math.sqrt(2 / (1 + 0.2 ** 2)), selu: 3 / 4 };
type Case = [label: string, make: (seed: number) => Tensor, mean: number, variance: number, dist: Dist];
const cases: Case[] = [
  ['normal mean 0.5 std 2', (seed) => init.normal([1000, 1000], { mean: 0.5, std: 2, seed }), 0.5, 4, 'normal'],
  ['uniform [-3, 5)', (seed) => init.uniform([1000, 1000], { low: -3, high: 5, seed }), 1, 64 / 12, 'uniform'],
  ['truncatedNormal mean -1 std 0.5', (seed) => init.truncatedNormal([1000, 1000], { mean: -1, std: 0.5, seed }), -1, 0.25, 'truncatedNormal'],
  ...(['normal', 'uniform', 'truncatedNormal'] as const).flatMap((distribution) =>
    ([['fanIn', 2000], ['fanOut', 500], ['fanAvg', 1250]] as const).map(([mode, fan]): Case =>
      [`varianceScaling ${distribution} ${mode} scale 2`, (seed) => init.varianceScaling(W, { scale: 2, mode, distribution, seed }), 0, 2 / fan, distribution])),
  ['lecunNormal', (seed) => init.lecunNormal(W, { seed }), 0, 1 / 2000, 'normal'],
  ['lecunUniform', (seed) => init.lecunUniform(W, { seed }), 0, 1 / 2000, 'uniform'],
  ['xavierNormal gain 5/3', (seed) => init.xavierNormal(W, { gain: gain.tanh, seed }), 0, gain.tanh ** 2 * 2 / 2500, 'normal'],
  ['xavierUniform gain sqrt 2', (seed) => init.xavierUniform(WIDE, { gain: gain.relu, seed }), 0, 2 * 2 / 2500, 'uniform'],
  ['kaimingNormal relu', (seed) => init.kaimingNormal(W, { seed }), 0, 2 / 2000, 'normal'],
  ['kaimingUniform relu', (seed) => init.kaimingUniform(W, { nonlinearity: 'relu', seed }), 0, 2 / 2000, 'uniform'],
  ['kaimingNormal leakyRelu a 0.2', (seed) => init.kaimingNormal(W, { nonlinearity: 'leakyRelu', a: 0.2, seed }), 0, gain.leaky02 ** 2 / 2000, 'normal'],
  ['kaimingUniform leakyRelu a 0.2', (seed) => init.kaimingUniform(W, { nonlinearity: 'leakyRelu', a: 0.2, seed }), 0, gain.leaky02 ** 2 / 2000, 'uniform'],
  ['kaimingNormal tanh fanOut', (seed) => init.kaimingNormal(WIDE, { nonlinearity: 'tanh', mode: 'fanOut', seed }), 0, gain.tanh ** 2 / 2000, 'normal'],
  ['kaimingUniform relu fanOut', (seed) => init.kaimingUniform(WIDE, { mode: 'fanOut', seed }), 0, 2 / 2000, 'uniform'],
  ['kaimingNormal selu', (seed) => init.kaimingNormal(W, { nonlinearity: 'selu', seed }), 0, gain.selu ** 2 / 2000, 'normal'],
  ['glorotNormal', (seed) => init.glorotNormal(W, { seed }), 0, 2 / 2500, 'normal'],
  ['glorotUniform', (seed) => init.glorotUniform(W, { seed }), 0, 2 / 2500, 'uniform'],
  ['heNormal', (seed) => init.heNormal(WIDE, { seed }), 0, 2 / 500, 'normal'],
  ['heUniform', (seed) => init.heUniform(WIDE, { seed }), 0, 2 / 500, 'uniform'],
  // Explicit fans replace the ones from the shape.
  ['kaimingNormal fanIn override 50', (seed) => init.kaimingNormal(W, { fanIn: 50, seed }), 0, 2 / 50, 'normal'],
  ['xavierUniform fans override 100, 300', (seed) => init.xavierUniform(W, { fanIn: 100, fanOut: 300, seed }), 0, 2 / 400, 'uniform'],
  ['varianceScaling fanOut override', (seed) => init.varianceScaling(W, { mode: 'fanOut', fanOut: 10, distribution: 'truncatedNormal', seed }), 0, 1 / 10, 'truncatedNormal'],
];

describe('sample moments of 1e6 draws', () => {
  it('the truncated-normal constants: P(|N| <= 2) and the std of a ±2-truncated standard normal', () => {
    expect(Z2).toBeCloseTo(0.9544997361036416, 13);
    expect(Math.sqrt(TRUNC_VAR)).toBeCloseTo(0.8796256610342398, 12);
  });
  cases.forEach(([label, make, mean, variance, dist], i) => {
    it(label, async () => {
      const x = await take(make(1000 + i));
      expect(x.length).toBe(1e6);
      expectMoments(x, mean, variance, KURT[dist], label);
      expectSupport(x, mean, variance, dist, label);
    });
  });
});

describe('gains and fans', () => {
  it('calculateGain follows the table', () => {
    const table: [init.Nonlinearity, number | undefined, number][] = [['linear', undefined, 1], ['identity', undefined, 1],
      ['sigmoid', undefined, 1], ['tanh', undefined, 5 / 3], ['relu', undefined, Math.sqrt(2)], ['selu', undefined, 3 / 4],
      ['leakyRelu', undefined, Math.sqrt(2 / (1 + 0.01 ** 2))], ['leakyRelu', 0.2, Math.sqrt(2 / (1 + 0.2 ** 2))]];
    for (const [name, param, want] of table) expect(init.calculateGain(name, param), name).toBeCloseTo(want, 15);
    expect(() => init.calculateGain('swish' as never)).toThrow(/unknown nonlinearity 'swish'/);
  });

  it('computeFans: [in, out], [k, k, in, out], 1-D, overrides', () => {
    expect(init.computeFans([30, 20])).toEqual({ fanIn: 30, fanOut: 20 });
    expect(init.computeFans([3, 5, 16, 32])).toEqual({ fanIn: 3 * 5 * 16, fanOut: 3 * 5 * 32 });
    expect(init.computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(init.computeFans([30, 20], { fanIn: 4 })).toEqual({ fanIn: 4, fanOut: 20 });
    expect(init.computeFans([30, 20], { fanIn: 4, fanOut: 9 })).toEqual({ fanIn: 4, fanOut: 9 });
    expect(() => init.computeFans([0, 5])).toThrow(ShapeError);
  });
});

// ---------------------------------------------------------------- orthogonal, identity, fills

/** Gram matrix of the rows (wide) or columns (tall) of a row-major [rows, cols] matrix, in float64. */
function gram(w: Float32Array, rows: number, cols: number): number[][] {
  const tall = rows >= cols;
  const k = tall ? cols : rows;
  const at = (i: number, j: number, r: number) => (tall ? w[r * cols + i] * w[r * cols + j] : w[i * cols + r] * w[j * cols + r]);
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => {
    let s = 0;
    for (let r = 0; r < (tall ? rows : cols); r++) s += at(i, j, r);
    return s;
  }));
}

describe('orthogonal, identity, constant fills', () => {
  for (const [shape, g] of [[[64, 64], 1], [[100, 30], 1], [[30, 100], 1], [[100, 30], 1.5], [[4, 3, 5], 2]] as [number[], number][]) {
    it(`orthogonal ${JSON.stringify(shape)} gain ${g}: orthonormal rows or columns`, async () => {
      const rows = shape[0];
      const cols = shape.slice(1).reduce((a, b) => a * b, 1);
      const w = await take(init.orthogonal(shape, { gain: g === 1 ? undefined : g, seed: 5 }));
      const gm = gram(w, rows, cols);
      const worst = Math.max(...gm.flatMap((row, i) => row.map((v, j) => Math.abs(v - (i === j ? g * g : 0)))));
      expect(worst).toBeLessThan(1e-4 * g * g);
      expect(Math.max(...w.map(Math.abs))).toBeLessThan(0.99 * g); // random, not a permuted identity
    });
  }

  it('identity({scale: 1.5}) is exact, square and rectangular', async () => {
    for (const [r, c] of [[5, 5], [3, 7], [7, 3], [1, 300]]) {
      const w = await take(init.identity([r, c], { scale: 1.5 }));
      expect(Array.from(w)).toEqual(Array.from({ length: r * c }, (_, i) => (Math.floor(i / c) === i % c ? 1.5 : 0)));
    }
    expect(Array.from(await take(init.identity([2, 2])))).toEqual([1, 0, 0, 1]);
  });

  it('zeros, ones and constant are exact', async () => {
    expect((await take(init.zeros([7, 9]))).every((v) => v === 0)).toBe(true);
    expect((await take(init.ones([65]))).every((v) => v === 1)).toBe(true);
    expect((await take(init.constant([3, 5, 7], { value: 0.1 }))).every((v) => v === Math.fround(0.1))).toBe(true);
  });
});

// ---------------------------------------------------------------- seeds

// Every initializer that takes a seed, on a shape that is not a multiple of the workgroup.
const seeded: [string, (seed: number) => Tensor][] = [
  ['normal', (seed) => init.normal([33, 31], { seed })],
  ['uniform', (seed) => init.uniform([33, 31], { seed })],
  ['truncatedNormal', (seed) => init.truncatedNormal([33, 31], { seed })],
  ['kaimingUniform', (seed) => init.kaimingUniform([33, 31], { seed })],
  ['orthogonal', (seed) => init.orthogonal([33, 31], { seed })],
];

describe('seeds', () => {
  for (const [name, make] of seeded) {
    it(`${name}: same seed, same bits; other seeds differ; no global state`, async () => {
      const a = await take(make(42));
      await take(make(7)); // calls in between must not matter
      await take(init.normal([1000], { seed: 3 }));
      const b = await take(make(42));
      expect(b).toEqual(a);
      for (const other of [43, 42 + 2 ** 32]) {
        const c = await take(make(other));
        const same = c.filter((v, i) => v === a[i]).length;
        expect(same, `${name}: seed ${other} vs 42, equal elements`).toBeLessThan(a.length / 100);
      }
    });
  }
});

// ---------------------------------------------------------------- deep linear net, W = c·I

describe('deep linear net with W = c·I', () => {
  for (const c of [0.5, 1.5]) {
    for (const depth of [10, 30]) {
      it(`c = ${c}, L = ${depth}: activations are c^l x, dL/dx = c^L r`, async () => {
        const rng = makeRng(depth * 10 + c * 2);
        const [batch, n] = [5, 19];
        const x0 = Float32Array.from(randn([batch * n], rng).data);
        const r0 = Float32Array.from(randn([batch * n], rng).data);
        const x = tensor(x0, [batch, n], { requiresGrad: true });
        const w = init.identity([n, n], { scale: c });
        const acts: Tensor[] = [];
        let h = x;
        for (let l = 0; l < depth; l++) acts.push((h = matmul(h, w)));
        sum(mul(h, tensor(r0, [batch, n]))).backward();
        // Each layer rounds c·x to float32 once (the other terms of the dot product are exact zeros).
        for (let l = 1; l <= depth; l++) {
          expectClose(await acts[l - 1].data(), Array.from(x0, (v) => c ** l * v), { atol: 0, rtol: l * tolerance(n) }, `layer ${l}`);
        }
        expectClose(await x.grad!.data(), Array.from(r0, (v) => c ** depth * v), { atol: 0, rtol: depth * tolerance(n) }, 'dL/dx');
      });
    }
  }
});

// ---------------------------------------------------------------- bad inputs

describe('bad inputs give clear errors', () => {
  it('identity of a 3-D shape, orthogonal of a 1-D shape', () => {
    expect(() => init.identity([2, 2, 2])).toThrow(ShapeError);
    expect(() => init.identity([2, 2, 2])).toThrow(/identity: needs a 2-D shape, got \[2,2,2\]/);
    expect(() => init.orthogonal([5])).toThrow(ShapeError);
    expect(() => init.orthogonal([5])).toThrow(/orthogonal: needs at least 2 dimensions/);
  });

  it('scale <= 0 and an unknown distribution', () => {
    for (const scale of [0, -1]) expect(() => init.varianceScaling([3, 3], { scale, seed: 1 })).toThrow(/scale must be positive/);
    expect(() => init.varianceScaling([3, 3], { distribution: 'cauchy' as never, seed: 1 })).toThrow(/^init.varianceScaling: distribution must be one of 'normal', 'truncatedNormal', 'uniform', got a string "cauchy"$/);
  });

  for (const [name, make] of seeded) {
    it(`${name}: a negative, fractional or unsafe seed`, () => {
      for (const seed of [-1, 1.5, 2 ** 53]) {
        expect(() => make(seed), `${name} seed ${seed}`).toThrow(GpugradError);
        expect(() => make(seed), `${name} seed ${seed}`).toThrow(/seed must be a non-negative integer/);
      }
    });
  }
});
