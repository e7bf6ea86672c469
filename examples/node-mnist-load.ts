// Loads the MNIST model examples/node-mnist.ts saved and measures its held-out accuracy again:
// `npm run example:mnist-load [-- PATH]`. The model is first made with other weights (another
// seed), so the accuracy it reports can only come from the file; it must equal the accuracy the
// training run stored in the file's metadata, exactly. test/mnist.test.ts runs both.

import { existsSync, readFileSync } from 'node:fs';
import { loadFile, loadMetadata, ready, tidy } from 'gpugrad';
import { accuracy, loadMnist } from 'gpugrad/bench';
import { DEFAULT_MODEL_PATH, makeModel } from './node-mnist.ts';

export interface Evaluated {
  /** Held-out accuracy of the loaded model. */
  accuracy: number;
  /** The accuracy stored in the file when it was saved. */
  savedAccuracy: number;
  testCount: number;
}

/** Loads the model saved at `path` into a fresh model and evaluates it on the held-out digits. */
export async function evaluateSaved(path: string): Promise<Evaluated> {
  const data = await loadMnist();
  const model = makeModel(12345); // other weights until the file's are copied in
  try {
    tidy(() => model.loadStateDict(loadFile(path))); // tidy() frees the loaded tensors once copied
    const savedAccuracy = Number(loadMetadata(readFileSync(path)).accuracy);
    return { accuracy: await accuracy(model, data.test), savedAccuracy, testCount: data.test.count };
  } finally {
    model.dispose();
  }
}

export async function main(argv: string[] = []): Promise<number> {
  const path = argv[0] ?? DEFAULT_MODEL_PATH;
  if (!existsSync(path)) {
    console.error(`no model at ${path}: train and save one first with npm run example:mnist${argv[0] ? ` -- ${path}` : ''}`);
    return 1;
  }
  await ready();
  const { accuracy: measured, savedAccuracy, testCount } = await evaluateSaved(path);
  const same = measured === savedAccuracy;
  console.log(`loaded ${path}: ${(measured * 100).toFixed(1)}% of ${testCount} held-out digits ` +
    `(${same ? 'the same as' : 'NOT the same as'} the ${(savedAccuracy * 100).toFixed(1)}% measured when it was saved)`);
  return same ? 0 : 1;
}
