// gpugrad's public API: re-exports only.
/**
 * gpugrad: autograd tensors on WebGPU, in the browser and in Node. Start with `await ready()`.
 * @module gpugrad
 */
/// <reference types="@webgpu/types" preserve="true" />

export { ready, adapterInfo, getDevice, type AdapterInfo, type Device, type ReadyOptions, type WaitMode } from './device/device.ts';
// Tensor comes from ops/methods.ts: the class with its op methods attached.
export { Tensor } from './ops/methods.ts';
export { keep, type Shape } from './tensor.ts';
export { tidy } from './scope.ts';
export { noGrad, isGradEnabled, zeroGrad, type BackwardOptions } from './autograd.ts';
export { memory, type MemoryInfo } from './memory.ts';
export { setDebug, checkNumerics, NumericsError, type DebugOptions } from './debug.ts';
export { GpugradError, ShapeError, DisposedError, GPUError, TypeError, DeviceLostError } from './errors.ts';
export * from './ops/index.ts';
export { tuneMatmul, linearProducts, type TuneShape, type TuneResult } from './ops/matmul-tune.ts';
export type { BinaryOp, FunctionOp, MethodOp, Op, OpDef, OpInfo, OpMeta, UnaryOp } from './ops/op.ts';
export type { TensorMethods } from './ops/methods.ts';
export * as init from './init/index.ts';
export { calculateGain } from './init/gains.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export * from './io/index.ts';
export { moments, MOMENT, readAll, readScalars } from './stats/stats.ts';
export { histograms, type Histogram, type HistogramOptions } from './stats/histogram.ts';
