// Layers, exported as `nn`.
export * from './module.ts';
export * from './layers.ts';
export * from './mlp.ts';
