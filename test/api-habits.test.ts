// Habits a PyTorch user brings, and the uniform layouts the kernels are described by: options
// without a shape, view checking its size and recording for autograd, errors that name the op
// and the argument, and the `struct Params` parser against offsets worked out by hand from
// WGSL's uniform layout rules.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { parseConstants, parseLayout, packUniform } from '../src/device/uniforms.ts';

beforeAll(async () => { await G.ready({ verbose: false }); });

describe('API habits', () => {
  it('tensor(data, { requiresGrad: true }) takes options in place of the shape', async () => {
    const t = G.tensor([1, 2, 3], { requiresGrad: true });
    expect(t.shape).toEqual([3]);
    expect(t.requiresGrad).toBe(true);
    G.sum(G.square(t)).backward();
    expect(Array.from(await t.grad!.data())).toEqual([2, 4, 6]);
  });

  it('view checks its size, rejects fractional sizes, and is recorded for autograd', async () => {
    const x = G.tensor([1, 2], { requiresGrad: true });
    expect(() => x.view([4])).toThrow(/^view: cannot reshape \[2\] \(2 elements\) to \[4\]/);
    expect(() => x.view([1.5, 2])).toThrow(/^view: bad target shape \[1.5,2\]/);
    const y = x.view([2, 1]);
    expect(y.node?.op).toBe('reshape');
    G.sum(G.mul(y, 3)).backward();
    expect(Array.from(await x.grad!.data())).toEqual([3, 3]);
  });

  it('outside tidy(), an op with a number operand or array indices leaves only its output alive', async () => {
    const x = G.tensor([[1, 2], [3, 4]]);
    const mask = G.tensor([[1, 0], [0, 1]]);
    const calls: [string, () => G.Tensor, number[]][] = [
      ['equal(x, 3)', () => G.equal(x, 3), [0, 0, 1, 0]],
      ['where(mask, x, 0)', () => G.where(mask, x, 0), [1, 0, 0, 4]],
      ['maximum(x, 2.5)', () => G.maximum(x, 2.5), [2.5, 2.5, 3, 4]],
      ['indexSelect(x, [1])', () => G.indexSelect(x, [1]), [3, 4]],
      ['gather(x, [1, 0], 1)', () => G.gather(x, [1, 0], 1), [2, 3]],
      ['oneHot([1, 0], 2)', () => G.oneHot([1, 0], 2), [0, 1, 1, 0]],
    ];
    for (const [label, call, expected] of calls) {
      const before = G.memory().liveTensors;
      const out = call();
      expect(G.memory().liveTensors - before, `${label}: live tensors added`).toBe(1);
      expect(Array.from(await out.data()), label).toEqual(expected);
      out.dispose();
    }
  });

  it('zeros("abc") and tensor of strings: a TypeError naming the function and the argument', () => {
    expect(() => G.zeros('abc' as never)).toThrow(G.TypeError);
    expect(() => G.zeros('abc' as never)).toThrow(/^zeros: shape must be an array of sizes, got a string "abc"$/);
    expect(() => G.tensor(['a'] as never)).toThrow(/^tensor: expected a number at \[0\], found string$/);
    expect(() => G.tensor({} as never)).toThrow(/^tensor: data must be a number, nested arrays of numbers or a typed array, got an object$/);
  });
});

describe('uniform layouts parsed from WGSL', () => {
  it('scalars, vec4 arrays and padding follow the uniform layout rules', () => {
    const layout = parseLayout(`struct Params {
      size: u32, rank: u32, // a comment
      p: f32, offset: u32,
      pair: vec2<f32>,
      shape: array<vec4<u32>, 2>,
      last: u32,
    }`)!;
    const offsets = Object.fromEntries(layout.fields.map((f) => [f.name, f.offset]));
    // vec2 aligns to 8 (offset 16), the array to 16 (offset 32, 32 bytes), last at 64; size rounds up to 16.
    expect(offsets).toEqual({ size: 0, rank: 4, p: 8, offset: 12, pair: 16, shape: 32, last: 64 });
    expect(layout.size).toBe(80);
  });

  it('packs by name, leaves padding alone, and refuses unknown or missing fields', () => {
    const layout = parseLayout('struct Params { n: u32, x: f32, _pad: u32, v: vec4<f32> }')!;
    const bytes = packUniform(layout, { n: 7, x: 0.5, v: [1, 2] }, 'test');
    expect(new Uint32Array(bytes, 0, 1)[0]).toBe(7);
    expect(Array.from(new Float32Array(bytes, 4, 1))).toEqual([0.5]);
    expect(Array.from(new Float32Array(bytes, 16, 4))).toEqual([1, 2, 0, 0]);
    expect(() => packUniform(layout, { n: 1, x: 1, v: [], w: 2 }, 'test')).toThrow(/Params has no field 'w'/);
    expect(() => packUniform(layout, { n: 1, v: [] }, 'test')).toThrow(/no value for Params.x/);
  });

  it('workgroup sizes and items per invocation come from the WGSL', () => {
    expect(parseConstants('override WG: u32 = 64;\nconst ITEMS: u32 = 4u;\noverride OP: u32 = 0u;')).toEqual({ WG: 64, ITEMS: 4, OP: 0 });
  });
});
