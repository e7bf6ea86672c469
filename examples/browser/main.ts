// A page that trains a small MLP with gpugrad on WebGPU and shows the loss after each step.
// `npm run example:browser` serves it; the package test builds it with Vite against the packed
// tarball and reads the loss off the page in headless Chromium.
import { mseLoss, nn, optim, ready, tensor, tidy } from 'gpugrad';

const log = document.querySelector('#log')!;
try {
  await ready(); // navigator.gpu
  // Fit y = sin(3x) at 64 points of [-1, 1] with a 1-32-1 tanh MLP.
  const xs = Array.from({ length: 64 }, (_, i) => -1 + (2 * i) / 63);
  const x = tensor(xs, [64, 1]);
  const y = tensor(xs.map((v) => Math.sin(3 * v)), [64, 1]);
  const model = nn.mlp({ inputSize: 1, width: 32, depth: 1, outputSize: 1, activation: 'tanh', seed: 1 });
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  for (let step = 1; step <= 20; step++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const loss = mseLoss(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    });
    log.textContent += `step ${step}  loss ${(await loss.item()).toFixed(4)}\n`;
    loss.dispose();
  }
  document.body.dataset.status = 'done';
} catch (error) {
  log.textContent += `error: ${error instanceof Error ? error.message : String(error)}\n`;
  document.body.dataset.status = 'error';
}
