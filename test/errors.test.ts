// Error cases: each throws the right error class with a message naming the op and the shapes,
// synchronously and before any GPU work (no dispatch, no submit, no tensor left behind).
// Last, a GPU validation error (a kernel with invalid WGSL) must surface as a GPUError at the
// next readback instead of yielding zeros, naming the shader and the WGSL line; it poisons the
// device, so it runs last in this file.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { DisposedError, GPUError, GpugradError, ShapeError, getDevice, memory, ready, tensor, tidy } from '../src/index.ts';
import { makeRng } from './reference/ndarray.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(5);
const t = (...shape: number[]) => toTensor(rand(shape, rng));

/**
 * Makes the inputs, then runs fn on them once: it must throw `kind` with a message matching
 * `message`, with no GPU work and no new tensor or GPU memory left behind.
 */
function expectEarlyThrow<A extends unknown[]>(inputs: A, fn: (...args: A) => unknown, kind: typeof GpugradError, message: RegExp): void {
  const before = memory();
  let error: unknown = null;
  try {
    fn(...inputs);
  } catch (e) {
    error = e;
  }
  const after = memory();
  expect(error, 'it throws').toBeInstanceOf(kind);
  expect((error as Error).message).toMatch(message);
  expect(after.dispatches, 'no dispatch').toBe(before.dispatches);
  expect(after.submits, 'no submit').toBe(before.submits);
  expect(after.liveTensors, 'no tensor left behind').toBe(before.liveTensors);
  expect(after.liveBytes, 'no GPU memory left behind').toBe(before.liveBytes);
}

describe('shape errors name the op and the shapes', () => {
  it('matmul', () => {
    expectEarlyThrow([t(32, 64), t(128, 10)], (a, b) => G.matmul(a, b), ShapeError, /^matmul: inner dimensions differ: \[32,64\] x \[128,10\]$/);
    expectEarlyThrow([t(2, 3, 4), t(3, 4, 5)], (a, b) => G.matmul(a, b), ShapeError, /^matmul: batch dimensions cannot broadcast: \[2,3,4\] x \[3,4,5\]/);
    expectEarlyThrow([t(4), t(4, 2)], (a, b) => G.matmul(a, b), ShapeError, /^matmul: operands need at least 2 dimensions: \[4\] x \[4,2\]/);
  });

  it('matmul block_vec4 with K or N not divisible by 4', () => {
    expectEarlyThrow([t(4, 6), t(6, 8)], (a, b) => G.matmul(a, b, 'block_vec4'), ShapeError, /block_vec4 for a·b needs K and N divisible by 4, got K=6, N=8/);
  });

  it('broadcasting: the op and both shapes', () => {
    expectEarlyThrow([t(2, 3), t(4)], (a, b) => G.add(a, b), ShapeError, /^add: shapes cannot broadcast: \[2,3\] and \[4\]/);
    expectEarlyThrow([t(3, 2), t(2, 3)], (a, b) => G.mul(a, b), ShapeError, /^mul: shapes cannot broadcast: \[3,2\] and \[2,3\]/);
    expectEarlyThrow([t(5), t(2, 4)], (a, b) => G.sub(a, b), ShapeError, /^sub: .*\[5\] and \[2,4\]/);
    expectEarlyThrow([t(5), t(6)], (a, b) => G.div(a, b), ShapeError, /^div: .*\[5\] and \[6\]/);
    expectEarlyThrow([t(2, 3)], (a) => G.broadcastTo(a, [3, 3]), ShapeError, /broadcastTo: .*\[2,3\].*\[3,3\]/);
    expectEarlyThrow([t(2, 3)], (a) => G.broadcastTo(a, [3]), ShapeError, /broadcastTo: cannot broadcast \[2,3\] to \[3\]/);
  });

  it('bad axis for sum, max, mean', () => {
    expectEarlyThrow([t(2, 3)], (a) => G.sum(a, 3), ShapeError, /^sum: axis 3 is out of range for shape \[2,3\] \(rank 2; axes run from -2 to 1\)/);
    expectEarlyThrow([t(2, 3)], (a) => G.max(a, -3), ShapeError, /^max: axis -3 is out of range for shape \[2,3\]/);
    expectEarlyThrow([t(2, 3)], (a) => G.mean(a, 2), ShapeError, /^mean: axis 2 is out of range/);
    expectEarlyThrow([t(2, 3)], (a) => G.sum(a, 0.5), ShapeError, /^sum: axis 0.5/);
  });

  it('reshape to a different size, or with two -1', () => {
    expectEarlyThrow([t(2, 3)], (a) => G.reshape(a, [4, 2]), ShapeError, /^reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
    expectEarlyThrow([t(2, 3)], (a) => G.reshape(a, [4, -1]), ShapeError, /^reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,-1\]/);
    expectEarlyThrow([t(2, 3)], (a) => G.reshape(a, [-1, -1]), ShapeError, /^reshape: bad target shape \[-1,-1\]/);
  });

  it('transpose with axes that are not a permutation', () => {
    expectEarlyThrow([t(2, 3, 4)], (a) => G.transpose(a, [0, 0, 1]), ShapeError, /^transpose: axes \[0,0,1\] are not a permutation of the 3 axes of \[2,3,4\]/);
    expectEarlyThrow([t(2, 3, 4)], (a) => G.transpose(a, [0, 1]), ShapeError, /^transpose: axes \[0,1\] are not a permutation/);
    expectEarlyThrow([t(2, 3)], (a) => G.transpose(a, [0, 2]), ShapeError, /^transpose: axes \[0,2\]/);
  });

  it('losses: mseLoss shapes, softmaxCrossEntropy labels', () => {
    expectEarlyThrow([t(3, 2), t(2, 3)], (a, b) => G.mseLoss(a, b), ShapeError, /^mseLoss: pred \[3,2\] and target \[2,3\] differ/);
    expectEarlyThrow([t(2, 5)], (a) => G.softmaxCrossEntropy(a, [0, 5]), ShapeError, /label 5 at row 1 is not a class index in \[0, 5\)/);
    expectEarlyThrow([t(2, 5)], (a) => G.softmaxCrossEntropy(a, [-1, 0]), ShapeError, /label -1 at row 0/);
    expectEarlyThrow([t(2, 5)], (a) => G.softmaxCrossEntropy(a, [1.5, 0]), ShapeError, /label 1.5 at row 0/);
    expectEarlyThrow([t(2, 5)], (a) => G.softmaxCrossEntropy(a, [0, 1, 2]), ShapeError, /3 labels for logits with 2 rows/);
    expectEarlyThrow([t(2, 5), t(2, 4)], (a, b) => G.softmaxCrossEntropy(a, b), ShapeError, /labels \[2,4\] do not match logits \[2,5\]/);
    expectEarlyThrow([t(10)], (a) => G.softmaxCrossEntropy(a, [0]), ShapeError, /logits must be \[N, C\], got \[10\]/);
  });

  it('elementwise ops on a tensor of rank above 8', () => {
    expectEarlyThrow([t(1, 1, 1, 1, 1, 1, 1, 1, 2)], (a) => G.exp(a), ShapeError, /^exp: rank 9 is above the supported 8: \[1,1,1,1,1,1,1,1,2\]/);
  });

  it('softmax of a scalar', () => {
    expectEarlyThrow([t()], (a) => G.softmax(a), ShapeError, /^softmax: needs at least one axis/);
  });
});

describe('making tensors', () => {
  it('data of the wrong length for the shape', () => {
    expectEarlyThrow([], () => tensor([1, 2, 3], [2, 2]), ShapeError, /^tensor: data has 3 values but shape \[2,2\] needs 4$/);
    expectEarlyThrow([], () => tensor(new Float32Array(5), [2, 3]), ShapeError, /data has 5 values but shape \[2,3\] needs 6/);
    expectEarlyThrow([], () => tensor([1, 2], [-1, -2]), ShapeError, /^tensor: shape \[-1,-2\] must hold non-negative integers/);
  });

  it('a ragged nested array', () => {
    expectEarlyThrow([], () => tensor([[1, 2], [3]]), ShapeError, /^tensor: ragged nested array: \[1\] has 1 elements, expected 2/);
    expectEarlyThrow([], () => tensor([[1, 2], 3] as never), ShapeError, /ragged nested array: \[1\] has no elements/);
  });

  it('both operands numbers', () => {
    expectEarlyThrow([], () => G.add(1, 2), G.TypeError, /^add: both operands are numbers/);
  });
});

describe('values and lifetimes', () => {
  it('item() on a tensor with more than one element', async () => {
    await expect(t(2).item()).rejects.toThrow(ShapeError);
    await expect(t(2, 3).item()).rejects.toThrow(/^item: tensor has shape \[2,3\], not one element$/);
  });

  it('using a disposed tensor throws DisposedError naming the op', async () => {
    const a = t(3);
    const b = t(3);
    a.dispose();
    a.dispose(); // a second dispose is harmless
    expectEarlyThrow([], () => G.add(a, b), DisposedError, /^add: tensor #\d+ of shape \[3\] was disposed/);
    expectEarlyThrow([], () => G.add(b, a), DisposedError, /^add: tensor #\d+ of shape \[3\] was disposed/);
    expectEarlyThrow([], () => G.exp(a), DisposedError, /^exp: .*disposed/);
    expectEarlyThrow([G.reshape(b, [1, 3])], (v) => G.matmul(v, a), DisposedError, /^matmul: /);
    expectEarlyThrow([], () => G.reshape(a, [1, 3]), DisposedError, /^reshape: /);
    expectEarlyThrow([], () => a.detach(), DisposedError, /^detach: /);
    await expect(a.data()).rejects.toThrow(DisposedError);
    await expect(a.data()).rejects.toThrow(/^data: tensor #\d+ of shape \[3\] was disposed.*tidy/);
  });

  it('a tensor freed by tidy() is disposed outside it', () => {
    let inner: G.Tensor | null = null;
    const kept = tidy(() => {
      inner = G.mul(t(2), 2);
      return G.add(inner, 1);
    });
    expect(kept.isDisposed).toBe(false);
    expectEarlyThrow([], () => G.neg(inner!), DisposedError, /^neg: .*was disposed \(by dispose\(\) or by the tidy\(\) that made it\)/);
  });

  it('backward after an input of the graph was disposed', () => {
    const x = toTensor(rand([3], rng), true);
    const y = G.tanh(x);
    const loss = G.sum(G.mul(y, y));
    y.dispose();
    expect(() => loss.backward()).toThrow(/^backward: an input of 'mul' \(shape \[3\]\) was disposed before backward\(\)/);
  });

  it('tidy with an async function', () => {
    expect(() => tidy(async () => 1)).toThrow(/^tidy: the function returned a Promise/);
  });
});

describe('GPU errors surface, once', () => {
  let surfaced: unknown = null;

  it('a kernel with invalid WGSL makes the next readback reject with GPUError, not return zeros', async () => {
    const out = G.zeros([4]);
    try {
      const broken = { name: 'broken', code: 'fn main( {', layout: null, constants: {}, locate: (line: number) => `broken.wgsl:${line}` };
      getDevice().dispatch({ shader: broken }, [], [out.buffer()], null, [1, 1, 1]);
      await out.data().then((data) => expect.fail(`the readback returned [${Array.from(data)}]`));
    } catch (e) {
      surfaced = e; // the dispatch itself, or the readback
    }
    expect(surfaced).toBeInstanceOf(GPUError);
    expect((surfaced as Error).message).toMatch(/broken/);
    // Reported once: the device stays usable (test/containment.test.ts checks the values after).
    expect(() => G.add(out, 1)).not.toThrow();
  });

  it("the GPUError is the compile error: it names the shader and the WGSL line and the .wgsl file's own line", () => {
    expect(surfaced).toBeInstanceOf(GPUError);
    expect((surfaced as Error).message).toMatch(/shader 'broken' failed to compile[\s\S]*broken\.wgsl:1:/);
  });
});
