// Optimizers, learning-rate schedules and gradient clipping, exported as `optim`.
export { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.ts';
export { SGD, Adam, type SGDOptions, type SGDGroup, type AdamOptions, type AdamGroup } from './optimizers.ts';
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, type Schedulable, type WarmupOptions } from './schedulers.ts';
export { clipGradNorm, type ClipOptions } from './clip.ts';
