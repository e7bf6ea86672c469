// The third computation run both in headless Chromium and in Node: a small mlp trained two
// Adam steps is saved, the bytes go through a File (what a page's upload gives, and a Blob is
// what its download link serves), and a fresh model loads them. Given the library as an
// argument, so both sides make exactly the same calls.

import type * as Gpugrad from '../../src/index.ts';

export interface SaveLoadResult {
  /** The saved file's bytes. */
  file: number[];
  /** Output bits of the trained model and of the fresh model loaded from the file. */
  trained: number[];
  loaded: number[];
  /** What saveFile() says, in the page only (in Node it would write a file). */
  saveFileError: string | null;
}

const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

export async function runSaveLoad(gg: typeof Gpugrad, seed: number, inPage: boolean): Promise<SaveLoadResult> {
  await gg.ready({ verbose: false });
  const { init, nn, optim } = gg;
  const options = { inputSize: 6, width: 8, depth: 2, outputSize: 3, activation: 'relu' as const };
  const model = nn.mlp({ ...options, seed });
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = init.normal([10, 6], { seed: seed + 1 });
  const y = init.normal([10, 3], { seed: seed + 2 });
  for (let step = 0; step < 2; step++) {
    gg.tidy(() => {
      opt.zeroGrad();
      gg.mseLoss(model.forward(x), y).backward();
      opt.step();
    });
  }
  const bytes = await gg.save(model, { metadata: { seed: String(seed) } });
  const file = new File([bytes], 'model.safetensors', { type: 'application/octet-stream' });
  const fresh = nn.mlp({ ...options, seed: seed + 100 });
  const upload = await file.arrayBuffer();
  gg.tidy(() => fresh.loadStateDict(gg.load(upload)));
  const out = async (m: Gpugrad.nn.Sequential) => bitsOf(await gg.tidy(() => m.forward(x)).data());
  let saveFileError: string | null = null;
  if (inPage) await gg.saveFile('model.safetensors', model).catch((e: Error) => { saveFileError = `${e.name}: ${e.message}`; });
  const result = { file: Array.from(bytes), trained: await out(model), loaded: await out(fresh), saveFileError };
  for (const t of [x, y]) t.dispose();
  model.dispose();
  fresh.dispose();
  opt.dispose();
  return result;
}
