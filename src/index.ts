// gpugrad's public API: re-exports only.
/**
 * gpugrad: autograd tensors on WebGPU, in the browser and in Node. Start with `await ready()`.
 * @module gpugrad
 */
/// <reference types="@webgpu/types" preserve="true" />

export { ready, adapterInfo, getDevice, type AdapterInfo, type Device, type ReadyOptions } from './device/device.ts';
export { Tensor, keep, type Shape } from './tensor.ts';
export { tidy } from './scope.ts';
export { noGrad, isGradEnabled, zeroGrad } from './autograd.ts';
export { memory, type MemoryInfo } from './memory.ts';
export { GpugradError, ShapeError, DisposedError, GPUError } from './errors.ts';
export * from './ops/index.ts';
export * as init from './init/index.ts';
export { calculateGain } from './init/gains.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export * from './io/index.ts';
export { moments, MOMENT, readAll, readScalars } from './stats/stats.ts';
