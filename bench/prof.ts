import { ready, nn, optim, init, softmaxCrossEntropy, tidy, getDevice, memory } from '../src/index.ts';
export async function main() {
  await ready({ verbose: false });
  const depth = 30, width = 64, batch = 32;
  const model = nn.mlp({ inputSize: 784, width, depth, outputSize: 10, activation: 'relu', init: 'kaimingNormal', seed: 1 });
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = init.normal([batch, 784], { seed: 3 });
  const labels = Array.from({ length: batch }, (_, i) => i % 10);
  const step = () => tidy(() => { opt.zeroGrad(); const l = softmaxCrossEntropy(model.forward(x), labels); l.backward(); opt.step(); return l; });
  step().dispose(); await getDevice().sync();
  const d0 = memory().dispatches;
  let t = performance.now();
  for (let i = 0; i < 10; i++) step().dispose();
  const tEnc = performance.now() - t;
  await getDevice().sync();
  console.log('10 steps: encode ms', tEnc.toFixed(0), 'total ms', (performance.now() - t).toFixed(0), 'dispatches/step', (memory().dispatches - d0) / 10);
  t = performance.now();
  for (let i = 0; i < 10; i++) { const l = step(); await l.item(); l.dispose(); }
  console.log('10 steps with item(): ms', (performance.now() - t).toFixed(0));
  return 0;
}
