// examples/init-explorer.ts, the question gpugrad exists for: the std of the activations of a
// 20-layer MLP under each initializer must tell the textbook story. (examples/node-mnist.ts and
// examples/node-mnist-load.ts run in mnist.test.ts, examples/browser in package.test.ts.)

import { beforeAll, expect, it } from 'vitest';
import { memory, ready } from '../src/index.ts';
import { explore } from '../examples/init-explorer.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

it('ReLU: He keeps the activations at the same scale; LeCun and Xavier shrink them, N(0,1) explodes, 0.01·N(0,1) vanishes', async () => {
  const before = memory().liveTensors;
  const t = await explore('relu');
  const last = (name: string) => t[name][19];
  expect(last('he') / t.he[0]).toBeGreaterThan(0.5);
  expect(last('he') / t.he[0]).toBeLessThan(2);
  // Var = 1/fanIn halves the second moment per ReLU layer: about 2^(-19/2) ≈ 1.4e-3 after 19 more layers.
  for (const name of ['lecun', 'xavier']) expect(last(name) / t[name][0]).toBeLessThan(1e-2);
  expect(last('N(0,1)')).toBeGreaterThan(1e15); // about √(256/2) = 11.3 per layer
  expect(last('0.01*N(0,1)')).toBeLessThan(1e-15); // about 0.01·11.3 = 0.113 per layer
  expect(memory().liveTensors).toBe(before);
});

it('tanh: N(0,1) saturates near 1, 0.01·N(0,1) vanishes, LeCun decays slowly, He (gain √2) holds', async () => {
  const t = await explore('tanh');
  const last = (name: string) => t[name][19];
  expect(last('N(0,1)')).toBeGreaterThan(0.9);
  expect(last('0.01*N(0,1)')).toBeLessThan(1e-10);
  expect(last('lecun')).toBeGreaterThan(0.05);
  expect(last('lecun')).toBeLessThan(t.lecun[0]);
  expect(last('he')).toBeGreaterThan(0.3);
});
