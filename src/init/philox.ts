// Philox 4x32-10 and Box-Muller in float64 on the CPU, for orthogonal(), whose QR runs on
// the CPU anyway. Same algorithm and constants as shaders/rng.wgsl, so a seed means the
// same Gaussian on every platform (exactly, since this path never touches the GPU).

import { splitSeed } from './rng.ts';

/** High 32 bits of the 64-bit product of two u32 (Math.imul gives the low 32). */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16, bLo = b & 0xffff, bHi = b >>> 16;
  const loLo = aLo * bLo, hiLo = aHi * bLo, loHi = aLo * bHi;
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff);
  return (aHi * bHi + (hiLo >>> 16) + (loHi >>> 16) + (cross >>> 16)) >>> 0;
}

function philox(counter: [number, number, number, number], key: [number, number]): number[] {
  let [c0, c1, c2, c3] = counter;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(0xd2511f53, c0), lo0 = Math.imul(0xd2511f53, c0) >>> 0;
    const hi1 = mulhi(0xcd9e8d57, c2), lo1 = Math.imul(0xcd9e8d57, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** n standard normals in float64 from (seed, stream), by Box-Muller on Philox words. */
export function normalsF64(n: number, seed: number, stream: number): Float64Array {
  const out = new Float64Array(n);
  const key = splitSeed(seed);
  for (let block = 0; block * 4 < n; block++) {
    const w = philox([block, 0, stream, 0], key);
    for (let pair = 0; pair < 2; pair++) {
      const r = Math.sqrt(-2 * Math.log(((w[2 * pair] >>> 8) + 1) * 2 ** -24));
      const theta = 2 * Math.PI * (w[2 * pair + 1] >>> 8) * 2 ** -24;
      const i = block * 4 + 2 * pair;
      if (i < n) out[i] = r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
  }
  return out;
}
