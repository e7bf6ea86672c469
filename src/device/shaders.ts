// WGSL sources, inlined at build time (Vite's `?raw`), and the one place that composes
// source: an elementwise family file plus `fn apply` naming the op's function. Every other
// kernel is a whole file whose variants are chosen by entry point and override constants.

import strided from '../../shaders/strided.wgsl?raw';
import unary from '../../shaders/unary.wgsl?raw';
import binary from '../../shaders/binary.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import softmax from '../../shaders/softmax.wgsl?raw';
import matmul from '../../shaders/matmul.wgsl?raw';
import fill from '../../shaders/fill.wgsl?raw';
import rng from '../../shaders/rng.wgsl?raw';
import optim from '../../shaders/optim.wgsl?raw';
import moments from '../../shaders/moments.wgsl?raw';
import tree from '../../shaders/tree.wgsl?raw';
import type { Kernel } from './pipelines.ts';

// reduce, softmax and moments fold across a workgroup with tree.wgsl's helpers.
export const sources = { reduce: `${tree}\n${reduce}`, softmax: `${tree}\n${softmax}`, matmul, fill, rng, optim, moments: `${tree}\n${moments}` } as const;

/** The WGSL function names of the unary and binary families (`op_<name>` in the files). */
export type UnaryFn = 'copy' | 'add_scalar' | 'mul_scalar' | 'div_scalar' | 'rsub_scalar' | 'rdiv_scalar' | 'neg' | 'exp' | 'log' | 'sqrt' | 'square' | 'abs' | 'sign' | 'pow' | 'relu' |
  'leaky_relu' | 'tanh' | 'sigmoid' | 'gelu';
export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'equal' | 'relu_grad' | 'leaky_relu_grad' | 'tanh_grad' |
  'sigmoid_grad' | 'gelu_grad';

const composed = new Map<string, Kernel>();

function elementwise(family: 'unary' | 'binary', fn: string): Kernel {
  const name = `${family}:${fn}`;
  let kernel = composed.get(name);
  if (!kernel) {
    const [body, signature, args] = family === 'unary'
      ? [unary, 'x: f32, p: f32', 'x, p']
      : [binary, 'a: f32, b: f32, p: f32', 'a, b, p'];
    const source = `${strided}\n${body}\nfn apply(${signature}) -> f32 { return op_${fn}(${args}); }\n`;
    composed.set(name, (kernel = { name, source }));
  }
  return kernel;
}

export const unaryKernel = (fn: UnaryFn): Kernel => elementwise('unary', fn);
export const binaryKernel = (fn: BinaryFn): Kernel => elementwise('binary', fn);
