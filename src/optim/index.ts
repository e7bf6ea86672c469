// Optimizers, learning-rate schedules and gradient clipping, exported as `optim`.
export { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.ts';
export { SGD, Adam, type SGDOptions, type SGDGroup, type AdamOptions, type AdamGroup } from './optimizers.ts';
