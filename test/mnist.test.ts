// examples/node-mnist.ts: a 784-128-10 ReLU MLP with He init and Adam reaches the stated
// held-out accuracy on MNIST digits (from the `mnist` package) well before its step limit, and
// saves itself; examples/node-mnist-load.ts loads the file into a fresh model and measures the
// same accuracy.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory, ready } from '../src/index.ts';
import { MAX_STEPS, TARGET, trainMnist } from '../examples/node-mnist.ts';
import { evaluateSaved } from '../examples/node-mnist-load.ts';

const dir = mkdtempSync(join(tmpdir(), 'gpugrad-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await ready({ verbose: false });
});

it(`trains an MLP on MNIST to ${TARGET * 100}% held-out accuracy`, async () => {
  const before = memory().liveTensors;
  const seen: number[] = [];
  const savePath = join(dir, 'mlp.safetensors');
  const result = await trainMnist({ onProgress: (p) => seen.push(p.loss), savePath });
  console.log(`mnist example: ${(result.testAccuracy * 100).toFixed(1)}% after ${result.steps} steps, loss ${result.finalLoss.toFixed(4)}`);
  expect(result.testCount).toBeGreaterThan(1900);
  expect(result.reachedTarget).toBe(true);
  expect(result.testAccuracy).toBeGreaterThanOrEqual(TARGET);
  expect(result.steps).toBeLessThan(MAX_STEPS);
  expect(seen.length).toBeGreaterThan(0);
  expect(result.finalLoss).toBeLessThan(0.6); // ln 10 ≈ 2.3 at chance
  expect(result.savedTo).toBe(savePath);
  expect(memory().liveTensors).toBe(before);

  const loaded = await evaluateSaved(savePath);
  console.log(`mnist-load example: ${(loaded.accuracy * 100).toFixed(1)}% after loading ${savePath}`);
  expect(loaded.savedAccuracy).toBe(result.testAccuracy);
  expect(loaded.accuracy).toBe(result.testAccuracy);
  expect(loaded.testCount).toBe(result.testCount);
  expect(memory().liveTensors).toBe(before);
}, 300_000);
