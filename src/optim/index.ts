// Optimizers, exported as `optim`.
export { SGD, Adam, type SGDOptions, type AdamOptions } from './optimizers.ts';
