// The README's training example: a 784-128-10 ReLU MLP with He init and Adam reaches the
// stated accuracy on held-out MNIST digits (from the `mnist` package) in 400 steps.

import { beforeAll, expect, it } from 'vitest';
import { memory, ready } from '../src/index.ts';
import { trainMnist } from '../examples/train-mnist.ts';

beforeAll(async () => {
  await ready({ verbose: false });
});

it('trains an MLP on MNIST to at least 90% held-out accuracy', async () => {
  const before = memory().liveTensors;
  const result = await trainMnist();
  expect(result.testCount).toBeGreaterThan(1900);
  expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
  expect(result.finalLoss).toBeLessThan(0.3);
  expect(memory().liveTensors).toBe(before);
}, 300_000);
