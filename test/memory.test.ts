// Device and memory behaviour: 500 training steps of a small MLP inside tidy() keep live
// tensors and bytes flat, stop compiling pipelines after warm-up and stop creating GPU
// buffers once the pool has seen every phase of the 128-dispatch batches; tidy() keeps what it
// returns and frees the rest, also when it throws; batched submission (one submit at the
// readback) and immediate submission (a flush after every op) give bitwise-equal results; a
// write into a buffer lands after the recorded work that writes or reads that buffer.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { getDevice, keep, memory, noGrad, ready, tidy, type MemoryInfo, type Tensor } from '../src/index.ts';
import { makeRng } from './reference/ndarray.ts';
import { expectClose, tol } from './reference/check.ts';
import { rand, toTensor, values } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });

const rng = makeRng(31);

describe('500 training steps of a small MLP (forward, backward, noGrad update, in tidy)', () => {
  const snapshots = new Map<number, MemoryInfo & { buffersCreated: number; loss: number }>();
  let liveBeforeTraining = 0;

  beforeAll(async () => {
    liveBeforeTraining = memory().liveTensors;
    const sizes = [8, 16, 16, 4];
    let params: Tensor[] = [0, 1, 2].flatMap((l) => [
      toTensor(rand([sizes[l], sizes[l + 1]], rng, { range: [-0.4, 0.4] }), true),
      toTensor(rand([sizes[l + 1]], rng, { range: [-0.1, 0.1] }), true),
    ]);
    const x = toTensor(rand([5, 8], rng));
    const target = toTensor(rand([5, 4], rng));
    const step = (): Tensor => {
      const [loss, next] = tidy(() => {
        let a = x;
        for (let l = 0; l < 3; l++) {
          const z = G.add(G.matmul(a, params[2 * l]), params[2 * l + 1]);
          a = l === 0 ? G.tanh(z) : l === 1 ? G.relu(z) : z;
        }
        const loss = G.mseLoss(a, target);
        loss.backward();
        const next = noGrad(() => params.map((p) => G.sub(p, G.mul(p.grad!, 0.05))));
        return [loss.detach(), next] as const;
      });
      params.forEach((p) => p.dispose()); // also frees p.grad
      next.forEach((p) => { p.requiresGrad = true; });
      params = next;
      return loss;
    };
    for (let i = 1; i <= 500; i++) {
      const loss = step();
      if (i === 1 || i === 10 || i === 250 || i === 500) {
        const value = await loss.item(); // a readback: everything recorded so far is submitted
        snapshots.set(i, { ...memory(), buffersCreated: getDevice().pool.created, loss: value });
      }
      loss.dispose();
    }
    [...params, x, target].forEach((t) => t.dispose());
  }, 300_000);

  it('live tensors and live bytes after step 10 equal those after step 500', () => {
    const [ten, end] = [snapshots.get(10)!, snapshots.get(500)!];
    expect(end.liveTensors).toBe(ten.liveTensors);
    expect(end.liveBytes).toBe(ten.liveBytes);
    // At a snapshot, only the six parameters, x, target and the step's detached loss are alive.
    expect(end.liveTensors).toBe(liveBeforeTraining + 9);
    expect(memory().liveTensors).toBe(liveBeforeTraining);
  });

  it('pipelines hit the cache after warm-up: no compile after step 10', () => {
    const [ten, end] = [snapshots.get(10)!, snapshots.get(500)!];
    expect(end.pipelines.misses).toBe(ten.pipelines.misses);
    expect(end.pipelines.compiled).toBe(ten.pipelines.compiled);
    expect(end.pipelines.hits - ten.pipelines.hits).toBe(end.dispatches - ten.dispatches);
  });

  it('the buffer pool stops creating GPU buffers once every batch phase was seen (steps 250 to 500)', () => {
    const [mid, end] = [snapshots.get(250)!, snapshots.get(500)!];
    expect(end.pooledBytes, 'pooled bytes stay bounded').toBeLessThanOrEqual(2 * mid.pooledBytes);
    expect(end.buffersCreated - mid.buffersCreated, 'GPU buffers created in steps 251..500').toBe(0);
  });

  it('training reduces the loss', () => {
    expect(snapshots.get(500)!.loss).toBeLessThan(snapshots.get(1)!.loss);
  });
});

describe('tidy', () => {
  it('returns its result (a tensor, an array or an object of tensors) and frees the rest', async () => {
    const before = memory();
    const out = tidy(() => {
      const a = G.full([3], 2);
      const b = G.mul(a, 3);
      return G.add(b, 1);
    });
    expect(out.isDisposed).toBe(false);
    expect(memory().liveTensors).toBe(before.liveTensors + 1);
    expect(memory().liveBytes).toBe(before.liveBytes + 12);
    expect(await values(out)).toEqual([7, 7, 7]);

    const kept = tidy(() => {
      const a = G.full([2], 1);
      const temp = G.exp(a);
      return { pair: [a, G.mul(a, 2)], nested: { c: G.neg(temp) } };
    });
    expect(memory().liveTensors).toBe(before.liveTensors + 4);
    expectClose(await kept.nested.c.data(), [-Math.E, -Math.E], tol(1), '-exp(1)');
    [out, ...kept.pair, kept.nested.c].forEach((t) => t.dispose());
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });

  it('nested tidy hands its result to the enclosing scope, which frees it unless returned', () => {
    const before = memory().liveTensors;
    let inner: Tensor | null = null;
    const outer = tidy(() => {
      inner = tidy(() => G.add(G.full([4], 1), 1));
      expect(inner.isDisposed).toBe(false);
      return G.mul(inner, 2);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(memory().liveTensors).toBe(before + 1);
    const escaped = tidy(() => keep(G.full([2], 5)));
    expect(escaped.isDisposed).toBe(false);
    outer.dispose();
    escaped.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('a tidy that throws frees its tensors and rethrows', () => {
    const before = memory();
    let made: Tensor[] = [];
    expect(() => tidy(() => {
      made = [G.full([8], 1), G.full([8], 2)];
      G.add(made[0], made[1]);
      throw new Error('boom');
    })).toThrow('boom');
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });
});

describe('submission', () => {
  it('batched and immediate submission give bitwise-equal results', async () => {
    const inputs = [rand([9, 12], rng), rand([12, 16], rng), rand([16], rng)];
    const chain = (afterEachOp: () => void): Tensor => tidy(() => {
      const [a, w, b] = inputs.map((v) => toTensor(v));
      afterEachOp();
      const ops: ((t: Tensor) => Tensor)[] = [
        (t) => G.matmul(t, w), (t) => G.add(t, b), G.tanh, (t) => G.mul(t, 3), G.softmax, G.log,
        (t) => G.transpose(t), (t) => G.matmul(t, a), G.gelu, (t) => G.sum(t, 1), (t) => G.div(t, 7),
      ];
      let t = a;
      for (const op of ops) {
        t = op(t);
        afterEachOp();
      }
      return t;
    });
    const s0 = memory().submits;
    const batched = chain(() => {});
    const batchedBits = new Uint32Array((await batched.data()).buffer);
    const s1 = memory().submits;
    const immediate = chain(() => getDevice().flush());
    const immediateBits = new Uint32Array((await immediate.data()).buffer);
    const s2 = memory().submits;
    expect(s1 - s0, 'batched: one submit, at the readback').toBe(1);
    expect(s2 - s1, 'immediate: a submit per op, then the readback').toBeGreaterThanOrEqual(12);
    expect(batchedBits.length).toBe(16);
    expect(Array.from(immediateBits)).toEqual(Array.from(batchedBits));
    batched.dispose();
    immediate.dispose();
  });

  // queue.writeBuffer runs at the next submit, before the dispatches still recorded in the open
  // encoder: without a flush first, the fill below would overwrite the written values.
  it('a write lands after the recorded work that writes its buffer', async () => {
    const t = G.full([6], 7); // the fill kernel is recorded, not submitted
    getDevice().write(t.buffer(), Float32Array.of(1, 2, 3, 4, 5, 6));
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    t.dispose();
  });

  it('a write lands after the recorded work that reads its buffer', async () => {
    const a = G.tensor([1, 2, 3]);
    getDevice().flush();
    const b = G.mul(a, 2); // recorded: reads a
    getDevice().write(a.buffer(), Float32Array.of(10, 20, 30));
    expect(Array.from(await b.data())).toEqual([2, 4, 6]);
    expect(Array.from(await a.data())).toEqual([10, 20, 30]);
    a.dispose();
    b.dispose();
  });

  it('a write into a buffer no recorded work touches submits nothing', async () => {
    const pending = G.full([4], 1); // keeps an encoder open
    const before = memory().submits;
    const fresh = G.tensor([5, 6, 7, 8]);
    expect(memory().submits).toBe(before);
    expect(Array.from(await fresh.data())).toEqual([5, 6, 7, 8]);
    expect(Array.from(await pending.data())).toEqual([1, 1, 1, 1]);
    pending.dispose();
    fresh.dispose();
  });
});
