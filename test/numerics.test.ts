// checkNumerics: with it on, the first op whose output holds NaN or infinity is named at the
// next readback, with its input shapes and its position; without it, nothing is checked; a
// clean run passes and costs one extra readback per data() call, not one per op.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';

beforeAll(async () => { await G.ready({ verbose: false }); });

describe('checkNumerics', () => {
  it('names the first op that went non-finite, its input shapes and position, at the next readback', async () => {
    G.setDebug({ checkNumerics: true });
    try {
      const x = G.tensor([[1, 2], [3, 0]]);
      const y = G.mul(x, 40);          // finite
      const z = G.exp(y);              // e^120 overflows float32: +Infinity
      const w = G.add(z, 1);           // also +Infinity, but z came first
      await expect(w.data()).rejects.toThrow(/^checkNumerics: exp \(op #2 since checking began\).*its inputs: \[2,2\]$/);
      const again = G.exp(G.tensor([100]));
      await expect(again.data()).rejects.toThrow(/^checkNumerics: exp \(op #\d+ since checking began\) gave a non-finite value \(NaN or ±Infinity\); its inputs: \[1\]$/);
      [x, y, z, w, again].forEach((t) => t.dispose());
    } finally {
      G.setDebug({ checkNumerics: false });
    }
  });

  it('checks the backward pass too, and a finite run reads back normally', async () => {
    G.setDebug({ checkNumerics: true });
    try {
      const x = G.tensor([1, 2, 3], { requiresGrad: true });
      const loss = G.sum(G.square(x));
      loss.backward();
      const before = G.memory().readbacks;
      expect(Array.from(await x.grad!.data())).toEqual([2, 4, 6]);
      expect(G.memory().readbacks - before, 'the flags and the data: two readbacks').toBe(2);
      const bad = G.tensor([0, 1], { requiresGrad: true });
      G.sum(G.sqrt(bad)).backward(); // d sqrt at 0 = 1 / (2·0) = Infinity in the backward pass
      await expect(bad.grad!.data()).rejects.toThrow(/^checkNumerics: div \(op #\d+/);
    } finally {
      G.setDebug({ checkNumerics: false });
    }
  });

  it('off: nothing is checked, infinity reads back as infinity', async () => {
    const t = G.exp(G.tensor([100]));
    expect(Array.from(await t.data())).toEqual([Infinity]);
    await expect(G.checkNumerics()).resolves.toBeUndefined();
    t.dispose();
  });
});
