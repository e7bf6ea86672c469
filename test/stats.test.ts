// moments() against float64 statistics, including values whose squares overflow float32
// (the scaled two-pass form must stay finite), zeros, and non-finite inputs; readAll()
// gathering tensors of mixed sizes in one transfer.

import { beforeAll, describe, expect, it } from 'vitest';
import { memory, moments, readAll, ready, tensor, MOMENT } from '../src/index.ts';
import { makeRng, randn, uniform } from './reference/ndarray.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

function float64Moments(values: ArrayLike<number>): number[] {
  const x = Array.from(values);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
  const norm = Math.sqrt(x.reduce((a, b) => a + b * b, 0));
  return [mean, std, norm, Math.max(...x.map(Math.abs))];
}

async function check(values: Float32Array, rtol: number) {
  const [got] = await readAll([moments(tensor(values))]);
  const want = float64Moments(values);
  for (const key of ['mean', 'std', 'norm', 'maxAbs'] as const) {
    const i = MOMENT[key];
    const scale = key === 'mean' ? Math.max(want[MOMENT.std], Math.abs(want[i])) : Math.abs(want[i]);
    expect(Math.abs(got[i] - want[i]), `${key}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(rtol * scale + 1e-30);
  }
}

describe('moments', () => {
  it.each([1, 7, 255, 256, 1000, 65536 + 3])('matches float64 on %i normal values', async (n) => {
    await check(Float32Array.from(randn([n], makeRng(n)).data), 1e-5);
  });

  it('uniform values with a large offset (no cancellation in the variance)', async () => {
    const x = uniform([10000], 0, 1, makeRng(3)).data.map((v) => 1000 + v);
    await check(Float32Array.from(x), 1e-4);
  });

  it('stays finite when squares would overflow float32 (|x| ~ 1e30)', async () => {
    const x = randn([4096], makeRng(4)).data.map((v) => v * 1e30);
    await check(Float32Array.from(x), 1e-5);
  });

  it('tiny values (|x| ~ 1e-30) keep their scale', async () => {
    const x = randn([4096], makeRng(5)).data.map((v) => v * 1e-30);
    await check(Float32Array.from(x), 1e-5);
  });

  it('all zeros give zeros', async () => {
    const [got] = await readAll([moments(tensor(new Float32Array(100)))]);
    expect(Array.from(got)).toEqual([0, 0, 0, 0]);
  });

  it('an infinity or a NaN makes the statistics non-finite', async () => {
    const withInf = Float32Array.from([1, 2, Infinity, 3]);
    const withNaN = Float32Array.from([1, NaN, 2, 3, 4, 5]);
    const [a, b] = await readAll([moments(tensor(withInf)), moments(tensor(withNaN))]);
    expect(Number.isFinite(a[MOMENT.std])).toBe(false);
    expect(Number.isNaN(b[MOMENT.std])).toBe(true);
  });
});

describe('readAll', () => {
  it('reads tensors of mixed sizes in one transfer', async () => {
    const before = memory().readbacks;
    const parts = [tensor([1, 2, 3]), tensor(4), tensor([[5, 6], [7, 8]])];
    const values = await readAll(parts);
    expect(values.map((v) => Array.from(v))).toEqual([[1, 2, 3], [4], [5, 6, 7, 8]]);
    expect(memory().readbacks - before).toBe(1);
  });
});
