/**
 * Tests of the float64 CPU references themselves (ndarray.ts, ops.ts, check.ts, safetensors.ts),
 * against closed forms worked out by hand. These run on the CPU only and never
 * touch the library: if a reference were wrong, every GPU test built on it
 * would be checking against the wrong answer.
 */
import { describe, it, expect } from 'vitest';
import { makeRng, nd, randn, sizeOf, stridesOf, uniform, type Nd } from './ndarray.ts';
import * as op from './ops.ts';
import * as M from './more-ops.ts';
import { expectClose, finiteDiffGrad, tol, tolerance } from './check.ts';
import { bits, handWritten, parseFile, valuesOf } from './safetensors.ts';

const exact = { atol: 1e-12, rtol: 1e-12 };
const arr = (x: Nd): number[] => Array.from(x.data);

describe('ndarray', () => {
  it('sizes and row-major strides', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([2, 0])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
    expect(() => nd([1, 2, 3], [2, 2])).toThrow(/length 3/);
  });

  it('seeded RNG is deterministic and in [0,1); randn has mean 0, variance 1', () => {
    const a = makeRng(42);
    const b = makeRng(42);
    const xs = Array.from({ length: 1000 }, a);
    expect(xs).toEqual(Array.from({ length: 1000 }, b));
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(makeRng(43)()).not.toBe(xs[0]);
    const z = randn([20001], makeRng(7)); // odd length exercises the unpaired last sample
    const m = op.mean(z).data[0];
    const v = op.mean(op.square(op.sub(z, nd([m], [])))).data[0];
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.04);
    expect(z.data.every(Number.isFinite)).toBe(true);
    const u = uniform([1000], -2, 3, makeRng(1));
    expect(u.data.every((t) => t >= -2 && t < 3)).toBe(true);
  });
});

describe('broadcasting binary ops', () => {
  it('broadcastShape follows NumPy rules', () => {
    expect(op.broadcastShape([3, 1], [1, 4])).toEqual([3, 4]);
    expect(op.broadcastShape([], [2, 3])).toEqual([2, 3]);
    expect(op.broadcastShape([2, 3], [3])).toEqual([2, 3]);
    expect(op.broadcastShape([5, 1, 3], [4, 1])).toEqual([5, 4, 3]);
    expect(op.broadcastShape([1], [0])).toEqual([0]);
    expect(() => op.broadcastShape([2, 3], [4])).toThrow();
  });

  it('[3,1] + [1,4] is the outer sum; sub/mul/div with a scalar and a row', () => {
    const a = nd([1, 2, 3], [3, 1]);
    const b = nd([10, 20, 30, 40], [1, 4]);
    const s = op.add(a, b);
    expect(s.shape).toEqual([3, 4]);
    expect(arr(s)).toEqual([11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43]);
    const x = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(arr(op.sub(nd([10], []), x))).toEqual([9, 8, 7, 6, 5, 4]);
    expect(arr(op.mul(x, nd([1, 0, -1], [3])))).toEqual([1, 0, -3, 4, 0, -6]);
    expect(arr(op.div(x, nd([2], [1])))).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(op.add(nd([1], []), nd([2], [])).shape).toEqual([]);
  });
});

describe('unary ops', () => {
  const x = nd([-2, -0.5, 0, 0.5, 2], [5]);
  it('closed forms', () => {
    expect(arr(op.neg(x))).toEqual([2, 0.5, -0, -0.5, -2]);
    expect(arr(op.relu(x))).toEqual([0, 0, 0, 0.5, 2]);
    expect(arr(op.leakyRelu(x, 0.1))).toEqual([-0.2, -0.05, 0, 0.5, 2]);
    expect(arr(op.abs(x))).toEqual([2, 0.5, 0, 0.5, 2]);
    expect(arr(op.square(x))).toEqual([4, 0.25, 0, 0.25, 4]);
    expectClose(op.pow(nd([2, 9, 3], [3]), 0.5).data, [Math.SQRT2, 3, Math.sqrt(3)], exact, 'pow');
    expect(arr(op.sqrt(nd([4, 9], [2])))).toEqual([2, 3]);
    expectClose(op.log(op.exp(x)).data, x.data, exact, 'log(exp(x))');
    expectClose(op.sigmoid(nd([0, 1000, -1000, Math.log(3)], [4])).data, [0.5, 1, 0, 0.75], exact, 'sigmoid');
    expectClose(op.tanh(nd([0, Math.log(2)], [2])).data, [0, 0.6], exact, 'tanh'); // (4-1)/(4+1)
  });
  it('gelu (tanh form)', () => {
    // gelu(1) = 0.5 * (1 + tanh(sqrt(2/pi) * 1.044715)), worked out to 0.841191990...
    const g = op.gelu(nd([0, 1, -1, 10, -10], [5])).data;
    expect(g[0]).toBe(0);
    expect(g[1]).toBeCloseTo(0.84119199, 7);
    expect(g[2]).toBeCloseTo(0.84119199 - 1, 7); // gelu(-x) = gelu(x) - x
    expect(g[3]).toBeCloseTo(10, 12);
    expect(g[4]).toBeCloseTo(0, 12);
  });
});

describe('matmul, transpose, reshape', () => {
  it('2D products of known matrices', () => {
    const a = nd([1, 2, 3, 4], [2, 2]);
    const b = nd([5, 6, 7, 8], [2, 2]);
    expect(arr(op.matmul(a, b))).toEqual([19, 22, 43, 50]);
    const c = op.matmul(nd([1, 2, 3, 4, 5, 6], [2, 3]), nd([7, 8, 9, 10, 11, 12], [3, 2]));
    expect(c.shape).toEqual([2, 2]);
    expect(arr(c)).toEqual([58, 64, 139, 154]);
    expect(() => op.matmul(a, nd([1, 2, 3], [3, 1]))).toThrow();
  });
  it('batched 3D x 3D and 3D x shared 2D', () => {
    const a = nd([1, 2, 3, 4, /* batch 1 */ 0, 1, 1, 0], [2, 2, 2]);
    const b = nd([5, 6, 7, 8, /* batch 1 */ 1, 2, 3, 4], [2, 2, 2]);
    const c = op.matmul(a, b);
    expect(c.shape).toEqual([2, 2, 2]);
    expect(arr(c)).toEqual([19, 22, 43, 50, 3, 4, 1, 2]);
    const w = nd([5, 6, 7, 8], [2, 2]);
    expect(arr(op.matmul(a, w))).toEqual([19, 22, 43, 50, 7, 8, 5, 6]);
  });
  it('transpose: default swaps the last two axes; general permutation', () => {
    const x = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    const t = op.transpose(x);
    expect(t.shape).toEqual([3, 2]);
    expect(arr(t)).toEqual([1, 4, 2, 5, 3, 6]);
    const y = nd(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]); // y[i,j,k] = 12i + 4j + k
    const p = op.transpose(y, [2, 0, 1]); // p[k,i,j] = y[i,j,k]
    expect(p.shape).toEqual([4, 2, 3]);
    for (let k = 0; k < 4; k++)
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(p.data[k * 6 + i * 3 + j]).toBe(12 * i + 4 * j + k);
    expect(arr(op.transpose(op.transpose(y, [2, 0, 1]), [1, 2, 0]))).toEqual(arr(y));
    expect(op.transpose(y).shape).toEqual([2, 4, 3]);
    expect(() => op.transpose(y, [0, 0, 1])).toThrow();
  });
  it('reshape with -1', () => {
    const y = nd(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    expect(op.reshape(y, [4, -1]).shape).toEqual([4, 6]);
    expect(arr(op.reshape(y, [-1]))).toEqual(arr(y));
    expect(() => op.reshape(y, [5, -1])).toThrow();
    expect(() => op.reshape(y, [-1, -1])).toThrow();
  });
});

describe('reductions', () => {
  const x = nd([1, 2, 3, 4, 5, 6], [2, 3]);
  it('over all elements and over one axis, with keepDims and negative axes', () => {
    expect(op.sum(x).shape).toEqual([]);
    expect(arr(op.sum(x))).toEqual([21]);
    expect(arr(op.mean(x))).toEqual([3.5]);
    expect(arr(op.max(x))).toEqual([6]);
    expect(op.sum(x, undefined, true).shape).toEqual([1, 1]);
    expect(arr(op.sum(x, 0))).toEqual([5, 7, 9]);
    expect(arr(op.sum(x, 1))).toEqual([6, 15]);
    expect(arr(op.mean(x, -1))).toEqual([2, 5]);
    expect(op.mean(x, -1, true).shape).toEqual([2, 1]);
    expect(arr(op.max(nd([3, -1, 7, 2], [2, 2]), 0))).toEqual([7, 2]);
    const y = nd(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const s1 = op.sum(y, 1, true); // s1[i,0,k] = sum_j (12i + 4j + k) = 36i + 12 + 3k
    expect(s1.shape).toEqual([2, 1, 4]);
    expect(arr(s1)).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    expect(() => op.sum(y, 3)).toThrow();
  });
});

describe('softmax and losses', () => {
  const logits = randn([4, 5], makeRng(3));
  it('softmax rows sum to 1, are shift-invariant and stable; logSoftmax = log(softmax)', () => {
    const s = op.softmax(logits);
    expectClose(op.sum(s, -1).data, [1, 1, 1, 1], exact, 'row sums');
    expectClose(op.softmax(op.add(logits, nd([100], []))).data, s.data, exact, 'shift');
    expectClose(op.logSoftmax(logits).data, op.log(s).data, exact, 'logSoftmax');
    expect(arr(op.softmax(nd([1000, 1000], [2])))).toEqual([0.5, 0.5]);
    expectClose(op.logSoftmax(nd([0, 1000], [2])).data, [-1000, 0], exact, 'stable logSoftmax');
  });
  it('mseLoss and softmaxCrossEntropy closed forms', () => {
    const l = op.mseLoss(nd([1, 2, 3], [3]), nd([1, 0, 0], [3]));
    expect(l.shape).toEqual([]);
    expect(l.data[0]).toBeCloseTo(13 / 3, 14);
    expect(() => op.mseLoss(nd([1, 2], [2]), nd([1], [1]))).toThrow();
    // equal logits: loss is log(C) whatever the labels
    expect(op.softmaxCrossEntropy(nd(new Array(6).fill(0.3), [2, 3]), [0, 2]).data[0]).toBeCloseTo(Math.log(3), 14);
    const labels = [1, 4, 0, 2];
    const oneHot = nd(Array.from({ length: 20 }, (_, i) => (labels[Math.floor(i / 5)] === i % 5 ? 1 : 0)), [4, 5]);
    const fromIdx = op.softmaxCrossEntropy(logits, labels).data[0];
    expect(op.softmaxCrossEntropy(logits, oneHot).data[0]).toBeCloseTo(fromIdx, 14);
    const ls = op.logSoftmax(logits).data;
    expect(fromIdx).toBeCloseTo(-(ls[1] + ls[9] + ls[10] + ls[17]) / 4, 14);
  });
  it('mlpForward is act(x W + b) per layer', () => {
    const x = nd([1, 2], [1, 2]);
    const w1 = nd([1, -1, 0.5, 2], [2, 2]); // x W = [2, 3]
    const b1 = nd([-3, 1], [2]); // -> [-1, 4]
    const w2 = nd([1, 1], [2, 1]);
    const b2 = nd([0.5], [1]);
    expect(arr(op.mlpForward(x, [{ w: w1, b: b1, act: 'relu' }, { w: w2, b: b2, act: 'linear' }]))).toEqual([4.5]);
    const t = op.mlpForward(x, [{ w: w1, b: b1, act: 'tanh' }]);
    expect(t.shape).toEqual([1, 2]);
    expectClose(t.data, [Math.tanh(-1), Math.tanh(4)], exact, 'tanh layer');
  });
});

describe('finiteDiffGrad', () => {
  it('d/dx sum(x^3) = 3x^2 and d/d(a,b) sum(a*b) = (b, a), without touching the inputs', () => {
    const x = nd([-1.5, 0, 0.3, 2], [2, 2]);
    const before = arr(x);
    const [g] = finiteDiffGrad(([v]) => op.sum(op.pow(v, 3)).data[0], [x]);
    expect(g.shape).toEqual([2, 2]);
    expectClose(g.data, before.map((v) => 3 * v * v), { atol: 1e-8, rtol: 1e-8 }, 'd x^3');
    expect(arr(x)).toEqual(before);
    const a = randn([3], makeRng(5));
    const b = randn([3], makeRng(6));
    const [ga, gb] = finiteDiffGrad(([p, q]) => op.sum(op.mul(p, q)).data[0], [a, b]);
    expectClose(ga.data, b.data, { atol: 1e-8, rtol: 1e-8 }, 'd/da');
    expectClose(gb.data, a.data, { atol: 1e-8, rtol: 1e-8 }, 'd/db');
  });
  it('gradient of softmax cross-entropy is (softmax - onehot) / N', () => {
    const logits = randn([3, 4], makeRng(9));
    const labels = [2, 0, 3];
    const [g] = finiteDiffGrad(([z]) => op.softmaxCrossEntropy(z, labels).data[0], [logits]);
    const expected = arr(op.softmax(logits)).map((p, i) => (p - (labels[Math.floor(i / 4)] === i % 4 ? 1 : 0)) / 3);
    expectClose(g.data, expected, { atol: 1e-8, rtol: 1e-8 }, 'dCE');
  });
});

describe('tolerance model and expectClose', () => {
  it('grows with n; passes float32 accumulation, fails a 1e-3 relative error', () => {
    expect(tolerance(1)).toBeLessThan(tolerance(1024));
    expect(tolerance(4096)).toBeLessThan(1e-3);
    expect(tolerance(10, 4)).toBeCloseTo(4 * tolerance(10), 18);
    const rng = makeRng(11);
    for (const n of [1, 7, 64, 1024, 4096]) {
      const M = 32; // 32 independent dot products of length n, summed sequentially in float32
      const A = randn([M, n], rng);
      const B = randn([n, 1], rng);
      const exact64 = arr(op.matmul(A, B));
      const f32 = exact64.map((_, r) => {
        let s = 0;
        for (let k = 0; k < n; k++) s = Math.fround(s + Math.fround(Math.fround(A.data[r * n + k]) * Math.fround(B.data[k])));
        return s;
      });
      expectClose(f32, exact64, tol(n), `float32 dot n=${n}`);
      const wrong = exact64.map((v) => v * (1 + 1e-3));
      expect(() => expectClose(wrong, exact64, tol(n), `wrong n=${n}`)).toThrow(/wrong n=/);
    }
  });
  it('reports label, worst index and values; catches NaN and length mismatch', () => {
    const t = { atol: 1e-6, rtol: 1e-6 };
    expect(() => expectClose([1, 2, 3], [1, 2, 3 + 1e-9], t, 'ok')).not.toThrow();
    expect(() => expectClose([1, 2.5, 3.01], [1, 2, 3], t, 'myop')).toThrow(
      /myop: 2 of 3 .*worst at index 1: actual=2\.5, expected=2/,
    );
    expect(() => expectClose([1, NaN], [1, 2], t, 'nan')).toThrow(/nan: .*index 1: actual=NaN/);
    expect(() => expectClose([Infinity], [1], t, 'inf')).toThrow(/inf/);
    expect(() => expectClose([NaN, Infinity], [NaN, Infinity], t, 'same')).not.toThrow();
    expect(() => expectClose([1], [NaN], t, 'nanexp')).toThrow(/nanexp/);
    expect(() => expectClose([1, 2], [1], t, 'len')).toThrow(/len: length mismatch/);
  });
});

describe('more-ops references, against values worked out by hand', () => {
  const x = nd([1, 5, 2, 8, 3, 0], [2, 3]);
  it('comparisons, where, clamp, maximum with NaN', () => {
    expect(arr(M.greater(x, nd([2], [])))).toEqual([0, 1, 0, 1, 1, 0]);
    expect(arr(M.where(nd([1, 0], [2, 1]), x, nd([-1], [])))).toEqual([1, 5, 2, -1, -1, -1]);
    expect(arr(M.clamp(x, 1, 4))).toEqual([1, 4, 2, 4, 3, 1]);
    expect(arr(M.maximum(nd([1, NaN], [2]), nd([2, 0], [2])))).toEqual([2, NaN]);
  });
  it('reductions over several axes, arg extremes, variance, logSumExp', () => {
    expect(arr(M.sumAxes(x, [0, 1]))).toEqual([19]);
    expect(arr(M.maxAxes(x, 0, true))).toEqual([8, 5, 2]);
    expect(arr(M.argmax(x, 1))).toEqual([1, 0]);
    expect(arr(M.argmin(nd([3, 1, 1], [3])))).toEqual([1]);
    expect(arr(M.variance(nd([1, 2, 3, 4], [4])))).toEqual([5 / 3]);
    expect(arr(M.variance(nd([1, 2, 3, 4], [4]), undefined, 0))).toEqual([1.25]);
    expectClose(arr(M.logSumExp(nd([0, Math.log(3)], [2]))), [Math.log(4)], exact, 'log(1 + 3)');
  });
  it('slice, concat, stack, indexSelect, gather, oneHot', () => {
    expect(arr(M.slice(x, [1, -2]))).toEqual([3, 0]);
    expect(M.concat([x, x], 1).shape).toEqual([2, 6]);
    expect(arr(M.concat([x, nd([9, 9, 9], [1, 3])], 0))).toEqual([1, 5, 2, 8, 3, 0, 9, 9, 9]);
    expect(M.stack([x, x], 1).shape).toEqual([2, 2, 3]);
    expect(arr(M.indexSelect(x, [2, 2, 0], 1))).toEqual([2, 2, 1, 0, 0, 8]);
    expect(arr(M.gather(x, nd([2, 0, 1, 1], [2, 2]), 1))).toEqual([2, 1, 3, 3]);
    expect(arr(M.oneHot([1, 0], 2))).toEqual([0, 1, 1, 0]);
  });
  it('batched matmul with broadcasting, and the losses', () => {
    const a = nd([1, 2, 3, 4], [1, 2, 2]);
    const b = nd([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    expect(arr(M.matmulBroadcast(a, b))).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
    expect(arr(M.huberLoss(nd([0.5, 3], [2]), nd([0, 0], [2]), 1, 'none'))).toEqual([0.125, 2.5]);
    expectClose(arr(M.binaryCrossEntropyWithLogits(nd([0], [1]), nd([1], [1]))), [Math.log(2)], exact, 'bce at 0');
    expectClose(arr(M.crossEntropyIndices(nd([0, 0, 0, 0], [2, 2]), [0, 1])), [Math.log(2)], exact, 'uniform over 2 classes');
  });
});

describe('safetensors by hand', () => {
  it('writes the bytes the format describes, and takes them apart again', () => {
    const header = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 characters, padded to 56
    const bytes = handWritten(header, [1, -2]);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([56, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8, 64))).toBe(`${json}  `);
    // 1 = 0x3f800000 and -2 = 0xc0000000, little-endian
    expect(Array.from(bytes.subarray(64))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(handWritten(header, [1, -2], { pad: false })[0]).toBe(54);
    const file = parseFile(bytes);
    expect(file.headerLength).toBe(56);
    expect(file.header).toEqual(header);
    expect(valuesOf(file, 'a')).toEqual([1, -2]);
    expect(bits([1, -2])).toEqual([0x3f800000, 0xc0000000]);
  });
});
