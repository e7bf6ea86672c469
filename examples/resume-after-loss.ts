// A training loop that survives losing the GPU: it checkpoints the model and the optimizer
// (save() to bytes, here kept in memory; saveFile() in real use) every few steps, and when a
// step throws DeviceLostError it asks ready() for a new device, rebuilds the model, loads the
// last checkpoint and carries on from that step. `npm run example:resume` loses the device on
// purpose (device.gpu.destroy()) halfway and prints the losses; test/resume.test.ts checks that
// the resumed run gives the very losses of an uninterrupted one.

import { DeviceLostError, init, load, matmul, mseLoss, nn, optim, ready, save, tidy } from 'gpugrad';

export interface ResumeOptions {
  steps: number;
  /** Save a checkpoint after every this many steps. */
  checkpointEvery: number;
  /** Destroy the device just before this step (to show the recovery), or never. */
  loseAt?: number;
}

const makeModel = () => nn.mlp({ inputSize: 8, width: 16, depth: 3, outputSize: 2, activation: 'tanh', seed: 5 });

/** The batch of a step, from seeds: the same on any device. The targets come from a fixed linear teacher. */
function batch(step: number) {
  const x = init.normal([32, 8], { seed: 1000 + step });
  return [x, matmul(x, init.normal([8, 2], { seed: 7, std: 0.5 }))];
}

/** Trains `steps` steps with momentum SGD; returns the loss of every step and the steps it resumed from. */
export async function trainWithCheckpoints(o: ResumeOptions): Promise<{ losses: number[]; resumedFrom: number[] }> {
  await ready({ verbose: false });
  let model = makeModel();
  let opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  let checkpoint = { step: 0, model: await save(model), optimizer: await save(opt) };
  const losses: number[] = [];
  const resumedFrom: number[] = [];
  let step = 0;
  while (step < o.steps) {
    try {
      if (step === o.loseAt && resumedFrom.length === 0) (await ready()).gpu.destroy();
      const loss = tidy(() => {
        const [x, y] = batch(step);
        opt.zeroGrad();
        const l = mseLoss(model.forward(x), y);
        l.backward();
        opt.step();
        return l;
      });
      losses[step] = await loss.item();
      loss.dispose();
      step++;
      if (step % o.checkpointEvery === 0) checkpoint = { step, model: await save(model), optimizer: await save(opt) };
    } catch (error) {
      if (!(error instanceof DeviceLostError)) throw error;
      await ready({ verbose: false }); // a new device; everything on the old one is gone
      model = makeModel();
      tidy(() => model.loadStateDict(load(checkpoint.model)));
      opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      tidy(() => opt.loadStateDict(load(checkpoint.optimizer)));
      step = checkpoint.step;
      resumedFrom.push(step);
    }
  }
  model.dispose();
  return { losses, resumedFrom };
}

export async function main(): Promise<number> {
  const { losses, resumedFrom } = await trainWithCheckpoints({ steps: 40, checkpointEvery: 10, loseAt: 25 });
  console.log(`lost the device before step 25; resumed from the checkpoint of step ${resumedFrom.join(', ')}`);
  losses.forEach((loss, i) => { if (i % 5 === 4) console.log(`step ${i + 1}: loss ${loss.toFixed(5)}`); });
  return 0;
}
