// How a readback waits for the GPU in Node (src/device/waiting.ts). Dawn's binding polls for
// finished work in a busy loop on the JavaScript thread; with waiting 'yield' (the default on
// this CPU adapter) that thread must sleep through a long wait, every other setImmediate
// callback must still run at once, the values must be right, and the global setImmediate must
// be the original again once no wait is pending, whatever happened meanwhile; a mode that does
// not exist is refused by name.

import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { getDevice, ready, tidy, type Tensor, type WaitMode } from '../src/index.ts';
import { PARALLEL_WORKGROUPS, yieldingWait, yields } from '../src/device/waiting.ts';
import { makeRng } from './reference/ndarray.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await ready({ verbose: false }); });
afterEach(() => { getDevice().waiting = 'auto'; });

const original = globalThis.setImmediate;
const N = 512;
const x = rand([N, N], makeRng(5));

/**
 * Seconds of GPU work with a closed-form answer: x times the identity, eight times over. The
 * kernels do every multiply-add (2 GFLOP); multiplying by 1 and adding zeros is exact in
 * float32, so the result must be x bit for bit.
 */
function longWork(): Tensor {
  return tidy(() => {
    const eye = G.tensor(Float32Array.from({ length: N * N }, (_, i) => (i % (N + 1) === 0 ? 1 : 0)), [N, N]);
    let y = toTensor(x);
    for (let i = 0; i < 8; i++) y = G.matmul(y, eye);
    return y;
  });
}

/** CPU time of the calling thread so far, in ms (Linux). */
function threadCpuMs(): number {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 1/100 s ticks
}

/** Reads `t` back under `mode`, noting what happened on the JavaScript thread meanwhile. */
async function readUnder(mode: WaitMode, t: Tensor) {
  getDevice().waiting = mode;
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  let done = false;
  const reading = t.data().then((data) => { done = true; return { data, at: performance.now() }; });
  await new Promise((resolve) => setTimeout(resolve, 5)); // the read has begun its wait
  const swappedDuringWait = globalThis.setImmediate !== original;
  const stillWaiting = !done;
  const t1 = performance.now();
  const callback = new Promise<number>((resolve) => setImmediate(() => resolve(performance.now())));
  const resolver = new Promise<void>((resolve) => setImmediate(resolve)).then(() => performance.now());
  const promisified = promisify(setImmediate)().then(() => performance.now());
  const { data, at } = await reading;
  const wall = at - t0;
  return {
    data, wall, cpuShare: (threadCpuMs() - cpu0) / wall, swappedDuringWait, stillWaiting,
    others: [await callback, await resolver, await promisified].map((when) => when - t1),
  };
}

describe("waiting for the GPU in Node (ReadyOptions.waiting)", () => {
  it("'auto' yields on CPU adapters only, and only for work spread over many workgroups", () => {
    const many = PARALLEL_WORKGROUPS, few = PARALLEL_WORKGROUPS - 0.5;
    expect([yields('auto', true, many), yields('auto', true, few), yields('auto', false, many)]).toEqual([true, false, false]);
    expect([yields('yield', true, few), yields('yield', false, many)]).toEqual([true, true]);
    expect([yields('spin', true, many), yields('spin', false, many)]).toEqual([false, false]);
    expect(getDevice().info.isFallback, 'these tests run on SwiftShader').toBe(true);
  });

  it("'auto' on this adapter: a wait for big products yields, one for a chain of one-workgroup ops spins", async () => {
    const big = longWork(); // eight 512x512 products: 256 workgroups each
    const r = await readUnder('auto', big);
    big.dispose();
    expect(r.stillWaiting).toBe(true);
    expect(r.swappedDuringWait).toBe(true);
    expect(Array.from(r.data)).toEqual(Array.from(x.data));

    // Ten products of one workgroup each (a 32x32 output), long along k: x's first 32 columns.
    const K = 4096;
    const wide = rand([32, K], makeRng(6));
    const pick = G.tensor(Float32Array.from({ length: K * 32 }, (_, i) => (i % 33 === 0 && i < 32 * 33 ? 1 : 0)), [K, 32]);
    const small = tidy(() => {
      const a = toTensor(wide);
      let y = G.matmul(a, pick);
      for (let i = 0; i < 9; i++) y = G.matmul(a, pick);
      return y;
    });
    const s = await readUnder('auto', small);
    small.dispose();
    expect(s.stillWaiting, `the read was still waiting when looked at (${s.wall.toFixed(0)} ms)`).toBe(true);
    expect(s.swappedDuringWait).toBe(false);
    pick.dispose();
    const expected = Array.from({ length: 32 * 32 }, (_, i) => wide.data[Math.floor(i / 32) * K + (i % 32)]);
    expect(Array.from(s.data)).toEqual(expected);
  });

  it('a mode that does not exist is refused by name, in ready() and on the device', async () => {
    const message = "waiting must be one of 'auto', 'spin', 'yield', got a string \"fast\"";
    await expect(ready({ waiting: 'fast' as WaitMode })).rejects.toThrow(`ready: ${message}`);
    expect(() => { getDevice().waiting = 'fast' as WaitMode; }).toThrow(`Device: ${message}`);
    expect(getDevice().waiting).toBe('auto');
  });

  it.runIf(existsSync('/proc/thread-self/stat'))("'yield': the JavaScript thread sleeps through a long wait, the values are exact", async () => {
    const y = longWork();
    const r = await readUnder('yield', y);
    y.dispose();
    expect(r.wall, 'the wait is long enough to measure').toBeGreaterThan(100);
    expect(r.swappedDuringWait).toBe(true);
    // Spinning, this thread burns 60-95% of the wait; backing off, under 15%.
    expect(r.cpuShare, `JS thread CPU ${(r.cpuShare * r.wall).toFixed(0)} ms in a ${r.wall.toFixed(0)} ms wait`).toBeLessThan(0.35);
    expect(Array.from(r.data)).toEqual(Array.from(x.data));
  });

  it("'yield': other setImmediate callbacks (functions, promise resolvers, promisify) still run at once", async () => {
    const y = longWork();
    const r = await readUnder('yield', y);
    y.dispose();
    for (const when of r.others) expect(when, `a callback ran ${when.toFixed(1)} ms into a ${r.wall.toFixed(0)} ms wait`).toBeLessThan(r.wall / 4);
    expect(globalThis.setImmediate).toBe(original);
  });

  it("'spin' leaves Dawn's loop alone; the values are exact", async () => {
    const y = longWork();
    const r = await readUnder('spin', y);
    y.dispose();
    expect(r.swappedDuringWait).toBe(false);
    expect(Array.from(r.data)).toEqual(Array.from(x.data));
  });

  it('the original setImmediate comes back after overlapping waits, a failed wait, and is not taken from whoever replaced it', async () => {
    getDevice().waiting = 'yield';
    const [a, b] = [longWork(), G.tensor([1, 2, 3])];
    const both = Promise.all([a.data(), b.data()]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(globalThis.setImmediate).not.toBe(original);
    const [first] = await both;
    a.dispose(); b.dispose();
    expect(first[N + 1]).toBe(x.data[N + 1]);
    expect(globalThis.setImmediate).toBe(original);

    await expect(yieldingWait(() => Promise.reject(new Error('mapping failed')))).rejects.toThrow('mapping failed');
    expect(globalThis.setImmediate).toBe(original);

    const fake = ((cb: () => void) => original(cb)) as unknown as typeof setImmediate;
    await yieldingWait(async () => { globalThis.setImmediate = fake; });
    expect(globalThis.setImmediate).toBe(fake);
    globalThis.setImmediate = original;
  });
});
