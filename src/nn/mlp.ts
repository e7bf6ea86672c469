// The mlp() builder for the deep nets of the benchmark suite: depth hidden layers of Linear,
// an optional normalization and an activation, each optionally wrapped in a skip connection,
// then an output Linear.

import { GpugradError } from '../errors.ts';
import { checkOneOf } from '../ops/args.ts';
import { BatchNorm1d, LayerNorm, Residual } from './layers.ts';
import { Activation, Linear, Module, Sequential, type ActivationName, type Initializer } from './module.ts';

/** Options of mlp(). */
export interface MlpOptions {
  inputSize: number;
  /** Units in each hidden layer. */
  width: number;
  /** Number of hidden layers (Linear + activation); an output Linear without activation follows. */
  depth: number;
  outputSize: number;
  activation?: ActivationName;
  init?: Initializer;
  biasInit?: Initializer;
  /** Layer i gets seed + 2i (weights) and seed + 2i + 1 (bias). */
  seed?: number;
  /** A normalization after each hidden Linear, before its activation: BatchNorm1d or LayerNorm. */
  norm?: 'batch' | 'layer';
  /** Wrap each width-to-width hidden layer in a skip connection: h + layer(h). */
  residual?: boolean;
}

/**
 * A deep MLP: depth x (Linear(width) [+ norm] + activation), then Linear(outputSize). With
 * `residual`, every hidden layer after the first is a Residual block (the first changes the width).
 */
export function mlp(o: MlpOptions): Sequential {
  if (!(Number.isInteger(o.depth) && o.depth >= 1)) throw new GpugradError(`mlp: depth must be an integer >= 1, got ${o.depth}`);
  if (o.norm !== undefined) checkOneOf('mlp', 'norm', o.norm, ['batch', 'layer']);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const layers: Module[] = [];
  for (let i = 0; i <= o.depth; i++) {
    const isOutput = i === o.depth;
    const inSize = i === 0 ? o.inputSize : o.width;
    const linear = new Linear(inSize, isOutput ? o.outputSize : o.width, { init: o.init, biasInit: o.biasInit, seed: seed + 2 * i });
    if (isOutput) {
      layers.push(linear);
      continue;
    }
    const norm = o.norm === 'batch' ? [new BatchNorm1d(o.width)] : o.norm === 'layer' ? [new LayerNorm(o.width)] : [];
    const hidden = [linear, ...norm, new Activation(o.activation ?? 'relu')];
    // Without norm or residual the layers stay flat, so state names stay 0.weight, 2.weight, ...
    if (o.residual && i > 0) layers.push(new Residual(new Sequential(...hidden)));
    else if (norm.length) layers.push(new Sequential(...hidden));
    else layers.push(...hidden);
  }
  return new Sequential(...layers);
}
