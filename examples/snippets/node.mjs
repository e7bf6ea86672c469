// gpugrad in a Node script: `npm i gpugrad webgpu`, then `node train.mjs`.
// Trains a 2-8-1 tanh MLP on XOR for two SGD steps and prints the loss before each.
import { mseLoss, nn, optim, ready, tensor, tidy } from 'gpugrad';

await ready(); // Dawn, from the `webgpu` package
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const model = new nn.Sequential(new nn.Linear(2, 8, { seed: 1 }), new nn.Tanh(), new nn.Linear(8, 1, { seed: 2 }));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
for (let step = 1; step <= 2; step++) {
  const loss = tidy(() => {
    opt.zeroGrad();
    const loss = mseLoss(model.forward(x), y);
    loss.backward(); // gradients of every parameter
    opt.step();
    return loss; // kept: tidy() frees everything else made inside
  });
  console.log(`step ${step}: loss ${await loss.item()}`);
  loss.dispose();
}
