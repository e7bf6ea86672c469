// One failed call never breaks the process: an over-limit tensor is refused at the call with
// the op, the shape and the limit, before any buffer exists, and the next valid call returns
// correct values; a lost device says so at every use, pending readbacks reject with the
// reason, and ready() makes a new device that works. Runs in its own file: it destroys the
// device on purpose.

import { describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';

describe('containment', () => {
  it('an over-limit tensor throws ShapeError at the call, allocates nothing, and the device stays usable', async () => {
    const device = await G.ready({ verbose: false });
    const before = G.memory();
    const limit = Math.min(device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize);
    const tooMany = Math.ceil(limit / 4) + 1024;
    expect(() => G.zeros([tooMany])).toThrow(new RegExp(`^zeros: shape \\[${tooMany}\\] needs [\\d.]+ (GB|MB|GiB), over this device's max\\w+ of`));
    expect(() => G.zeros([tooMany])).toThrow(G.ShapeError);
    const x = G.tensor([1, 2, 3]);
    expect(() => G.broadcastTo(x, [tooMany, 3])).toThrow(/^broadcastTo: shape \[\d+,3\] needs/);
    expect(() => G.init.normal([tooMany], { seed: 1 })).toThrow(/^init: shape/);
    const after = G.memory();
    expect(after.liveBytes - before.liveBytes, 'only x (3 floats) was allocated').toBe(12);
    expect(Array.from(await G.mul(x, 2).data())).toEqual([2, 4, 6]);
    x.dispose();
  });

  it('a shader that fails to compile is reported once, and later valid work computes correctly', async () => {
    const device = await G.ready({ verbose: false });
    const out = G.zeros([4]);
    const broken = { name: 'broken', code: 'fn main( {', layout: null, constants: {}, locate: (line: number) => `broken.wgsl:${line}` };
    device.dispatch({ shader: broken }, [], [out.buffer()], null, [1, 1, 1]);
    await expect(out.data()).rejects.toThrow(G.GPUError);
    const y = G.add(G.tensor([1, 2]), 1);
    expect(Array.from(await y.data())).toEqual([2, 3]);
  });
});

describe('device loss', () => {
  it('pending readbacks reject with DeviceLostError, old tensors say so, and ready() makes a new device', async () => {
    const first = await G.ready({ verbose: false });
    const kept = G.tensor([1, 2, 3, 4]);
    const pending = G.mul(kept, 2).data();
    first.gpu.destroy();
    await expect(pending).rejects.toThrow(G.DeviceLostError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => G.add(kept, 1)).toThrow(G.DeviceLostError);
    expect(() => G.add(kept, 1)).toThrow(/^add: tensor #\d+ of shape \[4\] lived on a GPU device that was lost \(destroyed\)/);
    expect(() => G.tensor([1])).toThrow(/the GPU device was destroyed .*call await ready\(\) for a new device/);
    const second = await G.ready({ verbose: false });
    expect(second).not.toBe(first);
    const fresh = G.tensor([1, 2, 3, 4]);
    expect(Array.from(await G.mul(fresh, 3).data())).toEqual([3, 6, 9, 12]);
    kept.dispose(); // a tensor of the lost device can still be disposed, harmlessly
    fresh.dispose();
  });
});
