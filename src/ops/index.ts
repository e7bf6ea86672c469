// The op table, assembled from its families, and every op's function form.
// Tests loop over `opTable`, so an op without a reference or a gradient test fails the suite.

import { elementwiseOps } from './elementwise.ts';
import { matmulOps } from './matmul.ts';
import { reduceOps } from './reduce.ts';
import { shapeOps } from './shape.ts';
import { softmaxOps } from './softmax.ts';

/**
 * Every op's definition (shape rule, forward, VJP), by name. For the tests and for extending
 * gpugrad; not a stable API.
 * @internal
 */
export const opTable = { ...elementwiseOps, ...matmulOps, ...reduceOps, ...shapeOps, ...softmaxOps };
/** @internal */
export type OpName = keyof typeof opTable;

export * from './creation.ts';
export {
  abs, add, div, equal, exp, gelu, leakyRelu, log, mul, neg, pow, relu, sigmoid, sign, sqrt, square, sub, tanh,
} from './elementwise.ts';
export { matmul, type MatmulOptions, type MatmulVariant } from './matmul.ts';
export { max, mean, sum, sumTo } from './reduce.ts';
export { broadcastTo, reshape, transpose } from './shape.ts';
export { logSoftmax, mseLoss, softmax, softmaxCrossEntropy } from './softmax.ts';
