// Layers beyond Linear: Dropout, LayerNorm, BatchNorm1d, Embedding and Residual. Each is a
// composition of table ops (so its gradient comes from theirs); what they add is state
// (parameters, running statistics) named as PyTorch names it, and the train/eval switch.

import { noGrad } from '../autograd.ts';
import { ShapeError, TypeError } from '../errors.ts';
import * as init from '../init/index.ts';
import { checkBoolean, checkNumber, checkOptions, describe } from '../ops/args.ts';
import { add, div, greaterEqual, indexSelect, mean, mul, reshape, sqrt, sub, variance } from '../ops/index.ts';
import { formatShape, keep, Tensor } from '../tensor.ts';
import { Module, type StateEntry } from './module.ts';

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);
const parameter = (t: Tensor): Tensor => { t.requiresGrad = true; return keep(t); };

/**
 * Zeroes each element with probability p in training mode and scales the rest by 1/(1-p), so
 * the expected output is x (inverted dropout, Srivastava et al. 2014); the identity in eval
 * mode. The mask comes from the seeded Philox generator: the same seed gives the same masks
 * call after call (each call uses seed + its call count).
 */
export class Dropout extends Module {
  private calls = 0;
  readonly seed: number;
  constructor(readonly p = 0.5, options: { seed?: number } = {}) {
    super();
    checkNumber('Dropout', 'p', p, { min: 0, max: 1 });
    checkOptions('Dropout', options);
    this.seed = options.seed === undefined ? randomSeed() : checkNumber('Dropout', 'seed', options.seed, { integer: true, min: 0 });
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return mul(x, 0);
    const keepMask = greaterEqual(init.uniform(x.shape, { seed: this.seed + this.calls++ }), this.p);
    return mul(x, mul(keepMask, 1 / (1 - this.p)));
  }
}

/** (x - mean) / √(var + eps) over `axes`, the statistics held as given tensors or computed from x. */
function normalize(x: Tensor, mu: Tensor, sigma2: Tensor, eps: number): Tensor {
  return div(sub(x, mu), sqrt(add(sigma2, eps)));
}

/** Options of LayerNorm. */
export interface LayerNormOptions { eps?: number; elementwiseAffine?: boolean }

/**
 * Normalizes each sample over its last dimensions (normalizedShape) to mean 0 and variance 1,
 * then scales and shifts by learned weight and bias (Ba et al. 2016). Same in train and eval.
 */
export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape)) {
      throw new TypeError(`LayerNorm: normalizedShape must be a size or an array of sizes, got ${describe(normalizedShape)}`);
    }
    checkOptions('LayerNorm', options);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((d, i) => checkNumber('LayerNorm', `normalizedShape[${i}]`, d, { integer: true, min: 1 }));
    this.eps = checkNumber('LayerNorm', 'eps', options.eps ?? 1e-5, { finite: true, above: 0 });
    const affine = checkBoolean('LayerNorm', 'elementwiseAffine', options.elementwiseAffine ?? true);
    this.weight = affine ? parameter(init.ones(this.normalizedShape)) : null;
    this.bias = affine ? parameter(init.zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (formatShape(x.shape.slice(-k)) !== formatShape(this.normalizedShape)) {
      throw new ShapeError(`LayerNorm(${formatShape(this.normalizedShape)}): input ${formatShape(x.shape)} does not end in ${formatShape(this.normalizedShape)}`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    const y = normalize(x, mean(x, axes, true), variance(x, axes, { correction: 0, keepDims: true }), this.eps);
    return this.weight && this.bias ? add(mul(y, this.weight), this.bias) : y;
  }
  override parameters(): Tensor[] {
    return this.weight && this.bias ? [this.weight, this.bias] : [];
  }
  override localState(): StateEntry[] {
    return this.weight && this.bias ? [{ name: 'weight', tensor: this.weight }, { name: 'bias', tensor: this.bias }] : [];
  }
}

/** Options of BatchNorm1d. */
export interface BatchNormOptions { eps?: number; momentum?: number; affine?: boolean }

/**
 * Normalizes each feature over the batch (Ioffe & Szegedy 2015): input [N, C] or [N, C, L].
 * Training mode uses the batch's mean and (biased) variance and updates the running
 * statistics, running = (1 - momentum)·running + momentum·batch (the unbiased variance, as
 * PyTorch); eval mode uses the running statistics. Updates run on the GPU, without readback.
 */
export class BatchNorm1d extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  runningMean: Tensor;
  runningVar: Tensor;
  numBatchesTracked: Tensor;
  readonly eps: number;
  readonly momentum: number;
  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    checkNumber('BatchNorm1d', 'numFeatures', numFeatures, { integer: true, min: 1 });
    checkOptions('BatchNorm1d', options);
    this.eps = checkNumber('BatchNorm1d', 'eps', options.eps ?? 1e-5, { finite: true, above: 0 });
    this.momentum = checkNumber('BatchNorm1d', 'momentum', options.momentum ?? 0.1, { min: 0, max: 1 });
    const affine = checkBoolean('BatchNorm1d', 'affine', options.affine ?? true);
    this.weight = affine ? parameter(init.ones([numFeatures])) : null;
    this.bias = affine ? parameter(init.zeros([numFeatures])) : null;
    this.runningMean = keep(init.zeros([numFeatures]));
    this.runningVar = keep(init.ones([numFeatures]));
    this.numBatchesTracked = keep(init.zeros([]));
  }
  forward(x: Tensor): Tensor {
    const c = this.numFeatures;
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== c) {
      throw new ShapeError(`BatchNorm1d(${c}): input ${formatShape(x.shape)} must be [N, ${c}] or [N, ${c}, L]`);
    }
    const axes = x.rank === 2 ? [0] : [0, 2];
    const perFeature = x.rank === 2 ? [c] : [c, 1]; // broadcasts against [N, C] or [N, C, L]
    let y: Tensor;
    if (this.training) {
      const count = x.size / c;
      if (count < 2) throw new ShapeError(`BatchNorm1d(${c}): training needs more than one value per feature, got input ${formatShape(x.shape)}`);
      const mu = mean(x, axes, true);
      const sigma2 = variance(x, axes, { correction: 0, keepDims: true });
      y = normalize(x, mu, sigma2, this.eps);
      this.track(reshape(mu, [c]), mul(reshape(sigma2, [c]), count / (count - 1)));
    } else {
      y = normalize(x, reshape(this.runningMean, perFeature), reshape(this.runningVar, perFeature), this.eps);
    }
    return this.weight && this.bias ? add(mul(y, reshape(this.weight, perFeature)), reshape(this.bias, perFeature)) : y;
  }
  /** running = (1 - m)·running + m·batch, as new tensors owned by the layer (the old ones are freed). */
  private track(batchMean: Tensor, batchVar: Tensor): void {
    const m = this.momentum;
    noGrad(() => {
      const replace = (old: Tensor, next: Tensor) => { old.dispose(); return keep(next); };
      this.runningMean = replace(this.runningMean, add(mul(this.runningMean, 1 - m), mul(batchMean.detach(), m)));
      this.runningVar = replace(this.runningVar, add(mul(this.runningVar, 1 - m), mul(batchVar.detach(), m)));
      this.numBatchesTracked = replace(this.numBatchesTracked, add(this.numBatchesTracked, 1));
    });
  }
  override parameters(): Tensor[] {
    return this.weight && this.bias ? [this.weight, this.bias] : [];
  }
  override localState(): StateEntry[] {
    const affine = this.weight && this.bias ? [{ name: 'weight', tensor: this.weight }, { name: 'bias', tensor: this.bias }] : [];
    return [...affine, { name: 'running_mean', tensor: this.runningMean }, { name: 'running_var', tensor: this.runningVar },
      { name: 'num_batches_tracked', tensor: this.numBatchesTracked }];
  }
}

/**
 * A lookup table of numEmbeddings vectors of embeddingDim, initialized N(0, 1) as PyTorch does:
 * forward(indices) gives [...indices.shape, embeddingDim]; indices are a tensor or an array of
 * integers. Its gradient adds up the rows each index picked.
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: { seed?: number } = {}) {
    super();
    checkNumber('Embedding', 'numEmbeddings', numEmbeddings, { integer: true, min: 1 });
    checkNumber('Embedding', 'embeddingDim', embeddingDim, { integer: true, min: 1 });
    checkOptions('Embedding', options);
    this.weight = parameter(init.normal([numEmbeddings, embeddingDim], { seed: options.seed ?? randomSeed() }));
  }
  forward(indices: Tensor | number[]): Tensor {
    const shape = indices instanceof Tensor ? indices.shape : [indices.length];
    const flat = indices instanceof Tensor ? reshape(indices, [-1]) : indices;
    return reshape(indexSelect(this.weight, flat, 0), [...shape, this.embeddingDim]);
  }
  override parameters(): Tensor[] {
    return [this.weight];
  }
  override localState(): StateEntry[] {
    return [{ name: 'weight', tensor: this.weight }];
  }
}

/** A skip connection: x + block(x) (He et al. 2016). The block must keep x's shape. Its state is named `block.*`. */
export class Residual extends Module {
  constructor(readonly block: Module) {
    super();
  }
  forward(x: Tensor): Tensor {
    const y = this.block.forward(x);
    if (formatShape(y.shape) !== formatShape(x.shape)) {
      throw new ShapeError(`Residual: the block maps ${formatShape(x.shape)} to ${formatShape(y.shape)}; x + block(x) needs the same shape`);
    }
    return add(x, y);
  }
  override parameters(): Tensor[] {
    return this.block.parameters();
  }
  override namedChildren(): [string, Module][] {
    return [['block', this.block]];
  }
}
