// Layers, exported as `nn`.
export * from './module.ts';
