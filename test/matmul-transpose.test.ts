// matmul with operands transposed in place (transposeA / transposeB): forward against the
// float64 reference of the explicitly transposed operands, every kernel variant, awkward
// sizes, batched and shared operands; gradients against their closed form.

import { beforeAll, describe, expect, it } from 'vitest';
import { matmul, ready, sum, mul, type MatmulVariant } from '../src/index.ts';
import { tol, expectClose } from './reference/check.ts';
import { makeRng, type Nd } from './reference/ndarray.ts';
import * as ref from './reference/ops.ts';
import { expectTensor, rand, refMatmul, toTensor } from './helpers.ts';
import { shaders, type Shader } from '../src/device/shaders.ts';
import { dispatchProduct, productParams } from '../src/ops/matmul.ts';
import { Tensor } from '../src/tensor.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

/** The stored form of an operand that is used transposed: its last two axes swapped. */
const stored = (x: Nd, transposed: boolean): Nd => (transposed ? ref.transpose(x) : x);

const cases: { a: number[]; b: number[] }[] = [
  { a: [1, 1], b: [1, 1] },
  { a: [33, 65], b: [65, 17] },
  { a: [8, 12], b: [12, 16] },
  { a: [2, 5, 7], b: [2, 7, 3] },
  { a: [3, 6, 9], b: [9, 5] },
  { a: [6, 9], b: [3, 9, 5] },
  // Sizes where block_vec4 has a kernel for one transposed layout or both (aᵀ·b needs M and N
  // divisible by 4, a·bᵀ needs K), batched and shared, and with rows and columns to clamp.
  { a: [2, 8, 12], b: [2, 12, 4] },
  { a: [8, 12], b: [3, 12, 8] },
  { a: [5, 8], b: [8, 7] },
  { a: [12, 3], b: [3, 20] },
  { a: [4, 7], b: [7, 8] },
  // wide's 8x8 blocks with an odd count of vec4 columns or rows to clamp; tiled's 64x64 tiles
  // with K spanning several 16-wide steps and edges on every side.
  { a: [12, 8], b: [8, 20] },
  { a: [20, 12], b: [12, 12] },
  { a: [70, 36], b: [36, 68] },
];

/** Whether block_vec4, wide and quad have a kernel for this layout and these sizes (see matmul.wgsl). */
function vec4Fits(m: number, k: number, n: number, ta: boolean, tb: boolean): boolean {
  if (ta && tb) return false;
  if (ta) return m % 4 === 0 && n % 4 === 0;
  if (tb) return k % 4 === 0;
  return k % 4 === 0 && n % 4 === 0;
}
const flags = [[false, true], [true, false], [true, true]] as const;

describe('forward', () => {
  for (const { a: as, b: bs } of cases) {
    for (const [ta, tb] of flags) {
      const [m, k] = as.slice(-2);
      const n = bs[bs.length - 1];
      const variants: MatmulVariant[] = ['naive', 'block', 'tiled', 'auto', ...(vec4Fits(m, k, n, ta, tb) ? ['block_vec4', 'wide', 'quad'] as const : [])];
      for (const variant of variants) {
        it(`${as} x ${bs}, transposeA ${ta}, transposeB ${tb}, ${variant}`, async () => {
          const rng = makeRng(as.length * 100 + bs[bs.length - 1]);
          const a = rand(as, rng);
          const b = rand(bs, rng);
          const out = matmul(toTensor(stored(a, ta)), toTensor(stored(b, tb)), { transposeA: ta, transposeB: tb, variant });
          await expectTensor(out, refMatmul(a, b), tol(as[as.length - 1]), 'matmul transposed');
        });
      }
    }
  }

  it('block_vec4 refuses layouts and sizes it has no kernel for, naming them', () => {
    const x = toTensor(rand([4, 4], makeRng(1)));
    expect(() => matmul(x, x, { transposeA: true, transposeB: true, variant: 'block_vec4' }))
      .toThrow('matmul: block_vec4 has no kernel for aᵀ·bᵀ (both operands transposed)');
    const y = toTensor(rand([4, 6], makeRng(3)));
    expect(() => matmul(y, x, { transposeA: true, variant: 'block_vec4' }))
      .toThrow('matmul: block_vec4 for aᵀ·b needs M and N divisible by 4, got M=6, N=4');
  });

  it('shape errors show which operand is transposed', () => {
    const a = toTensor(rand([3, 4], makeRng(2)));
    expect(() => matmul(a, a, { transposeA: false })).toThrow('matmul: inner dimensions differ: [3,4] x [3,4]');
    expect(() => matmul(a, a, { transposeB: true, transposeA: true })).toThrow('matmul: inner dimensions differ: [3,4]ᵀ x [3,4]ᵀ');
  });
});

/**
 * The gradients of sum(op(A)·op(B) ∘ r) in closed form (the loss is linear in each operand):
 * d op(A) = r·op(B)ᵀ and d op(B) = op(A)ᵀ·r, summed over the batch for a shared 2-D operand,
 * and transposed back to the stored layout.
 */
function exactGrads(a: Nd, b: Nd, r: Nd, ta: boolean, tb: boolean): [Nd, Nd] {
  const [opA, opB] = [stored(a, ta), stored(b, tb)];
  const overBatch = (g: Nd, rank: number) => (g.shape.length > rank ? ref.sum(g, 0) : g);
  const dA = overBatch(refMatmul(r, ref.transpose(opB)), a.shape.length);
  const dB = overBatch(refMatmul(ref.transpose(opA), r), b.shape.length);
  return [stored(dA, ta), stored(dB, tb)];
}

describe('gradients', () => {
  for (const { a: as, b: bs } of cases.slice(1)) {
    for (const [ta, tb] of flags) {
      it(`${as} x ${bs}, transposeA ${ta}, transposeB ${tb}`, async () => {
        const rng = makeRng(7 + as.length + bs.length);
        const a = stored(rand(as, rng), ta);
        const b = stored(rand(bs, rng), tb);
        const outShape = refMatmul(stored(a, ta), stored(b, tb)).shape;
        const r = rand(outShape, rng);
        const [ga, gb] = exactGrads(a, b, r, ta, tb);
        const ta_ = toTensor(a, true);
        const tb_ = toTensor(b, true);
        sum(mul(matmul(ta_, tb_, { transposeA: ta, transposeB: tb }), toTensor(r))).backward();
        const k = as[as.length - 1];
        expectClose(await ta_.grad!.data(), ga.data, tol(k * 4), 'dA');
        expectClose(await tb_.grad!.data(), gb.data, tol(k * 4), 'dB');
      });
    }
  }
});

// quad's kernels check that the four invocations of each subgroup quad compute the same rows;
// where they do not (an adapter may group invocations otherwise) the subgroup runs wide's
// loops. SwiftShader's quads always line up, so QUADS = 0 forces that path here.
describe("quad where a subgroup's quads do not line up (wide's loops, forced by QUADS = 0)", () => {
  const unlined = (shader: Shader) => ({ shader, constants: { QUADS: 0 } });
  for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
    it(`[12,8] x [8,20] batched by 2, transposeA ${ta}, transposeB ${tb}`, async () => {
      const rng = makeRng(11);
      const [a, b] = [rand([2, 12, 8], rng), rand([2, 8, 20], rng)];
      const [at, bt] = [toTensor(stored(a, ta)), toTensor(stored(b, tb))];
      const product = productParams(at, bt, ta, tb);
      const out = Tensor.empty([2, 12, 20]);
      dispatchProduct('matmul', 'quad', product, unlined(shaders.matmul), [at, bt], [out], { batch: 2 });
      await expectTensor(out, refMatmul(a, b), tol(8), 'matmul');
    });
  }

  it("linear's input gradient with the layer before's tanh derivative applied as it stores", async () => {
    const rng = makeRng(13);
    const [dz, w, y] = [rand([12, 20], rng), rand([8, 20], rng), rand([12, 8], rng)];
    const [dzt, wt, yt] = [toTensor(dz), toTensor(w), toTensor(y)];
    const out = Tensor.empty([12, 8]);
    dispatchProduct('linear', 'quad', productParams(dzt, wt, false, true), { shader: shaders.linearDx, constants: { QUADS: 0, ACT: 3 } }, [dzt, wt, yt], [out]);
    const product = refMatmul(dz, ref.transpose(w));
    const want = { ...product, data: product.data.map((v, i) => v * (1 - y.data[i] ** 2)) };
    await expectTensor(out, want, tol(20), 'dz·Wᵀ ⊙ (1 - y²)');
  });

  it("linear's weight gradient and the bias gradient summed in the same pass", async () => {
    const rng = makeRng(12);
    const [x, dz] = [rand([12, 8], rng), rand([12, 20], rng)];
    const [xt, dzt] = [toTensor(x), toTensor(dz)];
    const [dw, db] = [Tensor.empty([8, 20]), Tensor.empty([20])];
    dispatchProduct('linear', 'quad', productParams(xt, dzt, true, false), unlined(shaders.linearGrad), [xt, dzt], [dw, db]);
    await expectTensor(dw, refMatmul(ref.transpose(x), dz), tol(12), 'dW');
    await expectTensor(db, ref.sum(dz, 0), tol(12), 'db');
  });
});
