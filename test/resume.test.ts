// Checkpoint and resume across a device loss (examples/resume-after-loss.ts): the run that
// loses its device before step 25 resumes from the checkpoint of step 20 on a new device and
// gives, step for step, the losses of a run that never lost it. Its own file: it destroys the device.

import { expect, it } from 'vitest';
import { trainWithCheckpoints } from '../examples/resume-after-loss.ts';

it('a training loop resumes from its last checkpoint after the device is lost, with the same losses as an uninterrupted run', async () => {
  const plain = await trainWithCheckpoints({ steps: 30, checkpointEvery: 10 });
  const lost = await trainWithCheckpoints({ steps: 30, checkpointEvery: 10, loseAt: 25 });
  expect(plain.resumedFrom).toEqual([]);
  expect(lost.resumedFrom).toEqual([20]);
  expect(lost.losses).toEqual(plain.losses);
  expect(plain.losses[29]).toBeLessThan(plain.losses[0]);
});
