// The initializer module, exported as `init`: `init.kaimingNormal([256, 256], { seed: 1 })`.

export * from './initializers.ts';
export { calculateGain, type Nonlinearity } from './gains.ts';
export { computeFans, type Fans } from './fans.ts';
export type { Distribution } from './rng.ts';
