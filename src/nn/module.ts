// Modules: Linear, activations, Sequential and the mlp() builder for deep nets. A module's
// forward is a plain call, `model.forward(x)`; parameters() lists the tensors an optimizer
// updates, stateDict() names them as PyTorch does. Weights use the [in, out] layout, so a
// layer is x·W + b.

import { noGrad } from '../autograd.ts';
import { DisposedError, GpugradError } from '../errors.ts';
import * as init from '../init/index.ts';
import { checkDict, checkLayout, copyInto, rejectUnexpected, tensorEntry, type Layout, type StateDict } from '../io/state-dict.ts';
import { gelu, leakyRelu, linear, relu, sigmoid, tanh, transpose } from '../ops/index.ts';
import { checkBoolean, checkNumber, checkOptions } from '../ops/args.ts';
import { tidy } from '../scope.ts';
import { formatShape, keep, type Tensor } from '../tensor.ts';

/** One tensor of a module's own state (a parameter or a buffer), under its state-dict name. */
export interface StateEntry {
  name: string;
  tensor: Tensor;
  /** PyTorch stores it transposed: Linear's weight is [in, out] here, [out, in] in nn.Linear. */
  torchTransposed?: boolean;
}

/** Options of loadStateDict(). */
export interface LoadStateDictOptions {
  /** 'torch': the dict's Linear weights are PyTorch's [out, in] (default 'gpugrad': [in, out]). */
  layout?: Layout;
}

/** A layer or a network: forward() maps a batch to a batch; parameters() are what an optimizer updates. */
export abstract class Module {
  /** Training mode (the default): Dropout drops, BatchNorm uses and updates batch statistics. */
  training = true;

  /** The output for input x, recorded for autograd when a parameter or x requires a gradient. */
  abstract forward(x: Tensor): Tensor;

  /** Sets training mode on this module and every sub-module (PyTorch's train()); returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Evaluation mode: Dropout passes x through, BatchNorm uses its running statistics; returns this. */
  eval(): this {
    return this.train(false);
  }
  /** The tensors an optimizer updates (leaves with requiresGrad), in a fixed order. */
  parameters(): Tensor[] {
    return [];
  }

  /** Sub-modules by name, in order; their state is named `name.key` (a Sequential's are '0', '1', ...). */
  namedChildren(): [string, Module][] {
    return [];
  }

  /** This module's own parameters and buffers by name, without its sub-modules'. Modules with state override it. */
  localState(): StateEntry[] {
    return [];
  }

  /** Every tensor of the module and its sub-modules under its full state-dict name, in order. */
  stateEntries(): StateEntry[] {
    const inChildren = this.namedChildren().flatMap(([prefix, child]) =>
      child.stateEntries().map((e) => ({ ...e, name: `${prefix}.${e.name}` })));
    return [...this.localState(), ...inChildren];
  }

  /**
   * The model's tensors by PyTorch's names (`0.weight`, `0.bias`, `2.weight`, ... for an mlp:
   * activations keep their index), in order. The entries are the parameters themselves, not
   * copies: do not dispose them. `save(model)` writes them to a file.
   */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.stateEntries().map((e) => [e.name, e.tensor]));
  }

  /**
   * Copies every tensor of `dict` into the parameter of the same name, on the GPU (the
   * parameters stay the same tensors, so an optimizer holding them keeps working). The dict
   * must hold exactly the model's keys with the model's shapes; otherwise it throws
   * GpugradError (ShapeError for a shape) naming the key, before anything is written. With
   * `{ layout: 'torch' }` the dict's Linear weights are [out, in] and are transposed. The
   * dict's tensors are not kept: dispose them after, e.g. `tidy(() => model.loadStateDict(load(bytes)))`.
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): void {
    const fn = 'loadStateDict';
    checkDict(fn, dict);
    const torch = checkLayout(fn, options.layout) === 'torch';
    const entries = this.stateEntries();
    const copies = entries.map(({ name, tensor, torchTransposed }) => {
      if (tensor.isDisposed) throw new DisposedError(`${fn}: the model's '${name}' was disposed`);
      const flip = torch && torchTransposed === true;
      const other = [...tensor.shape].reverse();
      const hint = !torchTransposed ? undefined
        : torch ? { shape: tensor.shape, text: " (gpugrad's [in, out] layout? leave out layout: 'torch')" }
        : { shape: other, text: " (PyTorch's [out, in] layout? pass { layout: 'torch' })" };
      return { tensor, flip, source: tensorEntry(fn, dict, name, flip ? other : tensor.shape, hint) };
    });
    rejectUnexpected(fn, dict, new Set(entries.map((e) => e.name)));
    noGrad(() => tidy(() => {
      for (const { tensor, flip, source } of copies) copyInto(tensor, flip ? transpose(source) : source);
    }));
  }
}

/** The initializers of `init` that Linear accepts by name. */
type InitName = 'zeros' | 'ones' | 'normal' | 'uniform' | 'truncatedNormal' | 'lecunNormal' | 'lecunUniform' |
  'xavierNormal' | 'xavierUniform' | 'glorotNormal' | 'glorotUniform' | 'kaimingNormal' | 'kaimingUniform' |
  'heNormal' | 'heUniform' | 'orthogonal' | 'identity';
/** An initializer by name, or any function of (shape, {seed}) that returns a tensor. */
export type Initializer = InitName | ((shape: number[], options: { seed?: number }) => Tensor);

function resolveInit(name: Initializer): (shape: number[], options: { seed?: number }) => Tensor {
  if (typeof name === 'function') return name;
  const fn = (init as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new GpugradError(`Linear: unknown initializer '${name}'`);
  return fn as (shape: number[], options: { seed?: number }) => Tensor;
}

/** Options of Linear. */
export interface LinearOptions {
  /** Default true; false leaves out b. */
  bias?: boolean;
  /** Weight initializer (default 'xavierUniform', as Keras' Dense). */
  init?: Initializer;
  /** Bias initializer (default 'zeros'). */
  biasInit?: Initializer;
  /** Seed of the weights (the bias gets seed + 1). Default: a random one. */
  seed?: number;
}

/**
 * y = x·W + b with W of shape [inFeatures, outFeatures] and b of shape [outFeatures]; x is
 * [..., inFeatures] and y [..., outFeatures]. forward() throws GpugradError when x's last
 * dimension is not inFeatures.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    checkNumber('Linear', 'inFeatures', inFeatures, { integer: true, min: 1 });
    checkNumber('Linear', 'outFeatures', outFeatures, { integer: true, min: 1 });
    checkOptions('Linear', options);
    if (options.bias !== undefined) checkBoolean('Linear', 'bias', options.bias);
    if (options.seed !== undefined) checkNumber('Linear', 'seed', options.seed, { integer: true, min: 0 });
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    // Parameters belong to the module, not to an enclosing tidy().
    this.weight = keep(resolveInit(options.init ?? 'xavierUniform')([inFeatures, outFeatures], { seed }));
    this.weight.requiresGrad = true;
    this.bias = options.bias === false ? null : keep(resolveInit(options.biasInit ?? 'zeros')([outFeatures], { seed: seed + 1 }));
    if (this.bias) this.bias.requiresGrad = true;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return linear(x, this.weight, this.bias);
  }

  private checkInput(x: Tensor): void {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new GpugradError(`Linear(${this.inFeatures}, ${this.outFeatures}): input ${formatShape(x.shape)} has ` +
        `${x.shape[x.rank - 1]} features, expected ${this.inFeatures}`);
    }
  }

  /** x·W + b with the activation applied in the same dispatch (what Sequential runs for Linear then Activation). */
  forwardWith(x: Tensor, activation: Activation): Tensor {
    this.checkInput(x);
    return linear(x, this.weight, this.bias, { activation: activation.name, alpha: activation.alpha });
  }

  override parameters(): Tensor[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  override localState(): StateEntry[] {
    const weight = { name: 'weight', tensor: this.weight, torchTransposed: true };
    return this.bias ? [weight, { name: 'bias', tensor: this.bias }] : [weight];
  }
}

/** The activations Activation and mlp() know. */
export type ActivationName = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu';

const activations: Record<ActivationName, (x: Tensor, alpha: number) => Tensor> = {
  linear: (x) => x,
  relu: (x) => relu(x),
  leakyRelu: (x, alpha) => leakyRelu(x, alpha),
  tanh: (x) => tanh(x),
  sigmoid: (x) => sigmoid(x),
  gelu: (x) => gelu(x),
};

/** An elementwise activation as a module ('linear' passes x through). */
export class Activation extends Module {
  constructor(readonly name: ActivationName, readonly alpha = 0.01) {
    super();
    if (!(name in activations)) throw new GpugradError(`Activation: unknown '${name}' (${Object.keys(activations).join(', ')})`);
  }
  forward(x: Tensor): Tensor {
    return activations[this.name](x, this.alpha);
  }
}

/** max(x, 0). */
export class ReLU extends Activation { constructor() { super('relu'); } }
/** x for x > 0, alpha·x otherwise (alpha default 0.01). */
export class LeakyReLU extends Activation { constructor(alpha = 0.01) { super('leakyRelu', alpha); } }
/** tanh(x). */
export class Tanh extends Activation { constructor() { super('tanh'); } }
/** 1 / (1 + e⁻ˣ). */
export class Sigmoid extends Activation { constructor() { super('sigmoid'); } }
/** GELU, tanh approximation. */
export class GELU extends Activation { constructor() { super('gelu'); } }

/** A Linear and the Activation after it, neither with a forward of its own (a subclass's). */
const fusible = (layer: Module, next: Module | undefined): next is Activation =>
  layer instanceof Linear && next instanceof Activation &&
  layer.forward === Linear.prototype.forward && next.forward === Activation.prototype.forward;

/**
 * Runs modules in order. A Linear followed by an Activation runs as one linear() op: the
 * activation is applied in the product's dispatch, with the same values and gradients.
 */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const [layer, next] = [this.layers[i], this.layers[i + 1]];
      if (fusible(layer, next)) {
        h = (layer as Linear).forwardWith(h, next!);
        i++;
      } else {
        h = layer.forward(h);
      }
    }
    return h;
  }
  override parameters(): Tensor[] {
    return this.layers.flatMap((layer) => layer.parameters());
  }
  override namedChildren(): [string, Module][] {
    return this.layers.map((layer, i) => [String(i), layer]);
  }
  /** Frees every parameter (and its gradient) and buffer (running statistics) of every layer. */
  dispose(): void {
    for (const { tensor } of this.stateEntries()) tensor.dispose();
  }
}
