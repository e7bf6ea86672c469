// Optimizers: SGD (with momentum, Nesterov, weight decay) and Adam with decoupled weight
// decay (AdamW). Each step is one optim.wgsl dispatch per parameter, updating the parameter's
// buffer in place; velocity and moments live on the GPU next to it.

import { zeroGrad } from '../autograd.ts';
import { getDevice } from '../device/device.ts';
import type { Kernel } from '../device/pipelines.ts';
import { shaders } from '../device/shaders.ts';
import { GpugradError } from '../errors.ts';
import { zeros } from '../ops/creation.ts';
import { constantOf, grid } from '../ops/launch.ts';
import { keep, type Tensor } from '../tensor.ts';

interface Hyper {
  lr: number; weightDecay: number; momentum?: number; nesterov?: boolean;
  beta1?: number; beta2?: number; eps?: number; correction1?: number; correction2?: number;
}

/** optim.wgsl's Params for one parameter's update. */
function params(size: number, h: Hyper) {
  return {
    size, nesterov: h.nesterov ? 1 : 0, lr: h.lr, weight_decay: h.weightDecay, momentum: h.momentum ?? 0,
    beta1: h.beta1 ?? 0, beta2: h.beta2 ?? 0, eps: h.eps ?? 0, correction1: h.correction1 ?? 1, correction2: h.correction2 ?? 1,
  };
}

abstract class Optimizer {
  readonly params: Tensor[];
  private state = new Map<Tensor, { buffers: Tensor[]; steps: number }>();
  /** optim.wgsl's entry point: by the number of state buffers per parameter. */
  private readonly kernel: Kernel;

  constructor(params: Iterable<Tensor>, protected readonly stateSlots: number) {
    const entryPoint = ['sgd', 'sgd_momentum', 'adam'][stateSlots];
    this.kernel = { shader: shaders.optim, entryPoint };
    this.params = [...params];
    for (const p of this.params) {
      if (!p.isLeaf || !p.requiresGrad) throw new GpugradError(`${this.constructor.name}: parameter ${p} must be a leaf with requiresGrad`);
    }
  }

  /** Frees the gradients of every parameter. */
  zeroGrad(): void {
    zeroGrad(this.params);
  }

  /** Updates every parameter that has a gradient; parameters without one are left alone. */
  step(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      let state = this.state.get(p);
      if (!state) this.state.set(p, (state = { buffers: Array.from({ length: this.stateSlots }, () => keep(zeros(p.shape))), steps: 0 }));
      // Steps are counted per parameter, as PyTorch does: Adam's bias correction must count
      // the updates this parameter actually received.
      state.steps++;
      getDevice().dispatch(this.kernel,
        [p.grad.buffer('step')], [p.buffer('step'), ...state.buffers.map((s) => s.buffer('step'))],
        params(p.size, this.hyper(state.steps)), grid(Math.ceil(p.size / 4), constantOf(shaders.optim, 'WG'))); // a vec4 per invocation
    }
  }

  /** Frees the optimizer's state buffers. */
  dispose(): void {
    for (const state of this.state.values()) for (const s of state.buffers) s.dispose();
    this.state.clear();
  }

  /** The update's hyperparameters for a parameter on its `t`-th update. */
  protected abstract hyper(t: number): Hyper;
}

/** Options of SGD: learning rate (required, > 0), momentum (default 0), nesterov (needs momentum), weightDecay (default 0). */
export interface SGDOptions { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number }

/** Stochastic gradient descent, PyTorch's update rule (momentum without dampening). */
export class SGD extends Optimizer {
  lr: number;
  constructor(params: Iterable<Tensor>, readonly options: SGDOptions) {
    super(params, (options.momentum ?? 0) > 0 ? 1 : 0);
    if (!(options.lr > 0)) throw new GpugradError(`SGD: lr must be positive, got ${options.lr}`);
    if (options.nesterov && !((options.momentum ?? 0) > 0)) throw new GpugradError('SGD: nesterov needs momentum > 0');
    this.lr = options.lr;
  }
  protected hyper(): Hyper {
    return { lr: this.lr, weightDecay: this.options.weightDecay ?? 0, momentum: this.options.momentum, nesterov: this.options.nesterov };
  }
}

/** Options of Adam: lr (default 1e-3), betas (default [0.9, 0.999]), eps (default 1e-8), decoupled weightDecay (default 0). */
export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

/** Adam (Kingma & Ba 2015) with decoupled weight decay (AdamW, Loshchilov & Hutter 2019). */
export class Adam extends Optimizer {
  lr: number;
  constructor(params: Iterable<Tensor>, readonly options: AdamOptions = {}) {
    super(params, 2);
    this.lr = options.lr ?? 1e-3;
    if (!(this.lr > 0)) throw new GpugradError(`Adam: lr must be positive, got ${this.lr}`);
  }
  protected hyper(t: number): Hyper {
    const [beta1, beta2] = this.options.betas ?? [0.9, 0.999];
    return {
      lr: this.lr, weightDecay: this.options.weightDecay ?? 0, beta1, beta2, eps: this.options.eps ?? 1e-8,
      correction1: 1 - beta1 ** t, correction2: 1 - beta2 ** t,
    };
  }
}
