// SGD (with momentum, Nesterov, weight decay) and Adam with decoupled weight decay (AdamW):
// how each checks a group's options, which state buffers it keeps per parameter, and what its
// optim.wgsl kernel is told per step. Groups, stepping and state dicts are in optimizer.ts.

import { GpugradError } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { boolean, nonNegative, positive, show, unitInterval } from '../validate.ts';
import { Optimizer, type Hyper, type Namer, type ParamGroupInput } from './optimizer.ts';

/** Options of SGD: learning rate (required, > 0), momentum (default 0), nesterov (needs momentum), weightDecay (default 0). */
export interface SGDOptions { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number }
/** An SGD parameter group's hyperparameters. */
export type SGDGroup = Required<SGDOptions>;

/**
 * Stochastic gradient descent, PyTorch's update rule (momentum without dampening). Takes a list
 * of parameters, or parameter groups with their own options:
 * `new SGD([{ params: a, lr: 0.1 }, { params: b, weightDecay: 0.01 }], { lr: 0.01 })`.
 */
export class SGD extends Optimizer<SGDGroup> {
  protected readonly keys = { lr: 'lr', momentum: 'momentum', nesterov: 'nesterov', weightDecay: 'weight_decay' };

  /** The defaults of the groups (a group may leave out lr when they give one). */
  readonly options: Partial<SGDOptions>;

  constructor(params: Iterable<Tensor>, options: SGDOptions);
  constructor(params: Iterable<ParamGroupInput<SGDOptions>>, options?: Partial<SGDOptions>);
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<SGDOptions>>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, options ?? {});
    this.options = options ?? {};
  }

  protected resolve(fn: string, name: Namer, o: Record<string, unknown>, loading: boolean): SGDGroup {
    const lr = (loading ? nonNegative : positive)(fn, name('lr'), o.lr);
    const momentum = nonNegative(fn, name('momentum'), o.momentum ?? 0);
    const nesterov = boolean(fn, name('nesterov'), o.nesterov ?? false);
    const weightDecay = nonNegative(fn, name('weightDecay'), o.weightDecay ?? 0);
    if (nesterov && !(momentum > 0)) throw new GpugradError(`${fn}: nesterov needs momentum > 0 (${name('momentum')} is ${momentum})`);
    return { lr, momentum, nesterov, weightDecay };
  }

  protected slots(group: SGDGroup): string[] {
    return group.momentum > 0 ? ['momentum_buffer'] : [];
  }

  protected hyper(group: SGDGroup): Hyper {
    return { lr: group.lr, weightDecay: group.weightDecay, momentum: group.momentum, nesterov: group.nesterov };
  }
}

/** Options of Adam: lr (default 1e-3), betas (default [0.9, 0.999]), eps (default 1e-8), decoupled weightDecay (default 0). */
export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }
/** An Adam parameter group's hyperparameters. */
export type AdamGroup = Required<AdamOptions>;

/**
 * Adam (Kingma & Ba 2015) with decoupled weight decay (AdamW, Loshchilov & Hutter 2019). Takes
 * a list of parameters, or parameter groups with their own options, as SGD does.
 */
export class Adam extends Optimizer<AdamGroup> {
  protected readonly keys = { lr: 'lr', betas: 'betas', eps: 'eps', weightDecay: 'weight_decay' };

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdamOptions>>, readonly options: AdamOptions = {}) {
    super('Adam', params, options ?? {});
  }

  protected resolve(fn: string, name: Namer, o: Record<string, unknown>, loading: boolean): AdamGroup {
    const lr = (loading ? nonNegative : positive)(fn, name('lr'), o.lr ?? 1e-3);
    const betas = o.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new GpugradError(`${fn}: ${name('betas')} must be [beta1, beta2], got ${show(betas)}`);
    const [beta1, beta2] = betas.map((b, i) => unitInterval(fn, `${name('betas')}[${i}]`, b));
    const eps = nonNegative(fn, name('eps'), o.eps ?? 1e-8);
    const weightDecay = nonNegative(fn, name('weightDecay'), o.weightDecay ?? 0);
    return { lr, betas: [beta1, beta2], eps, weightDecay };
  }

  protected slots(): string[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected hyper(group: AdamGroup, t: number): Hyper {
    const [beta1, beta2] = group.betas;
    return {
      lr: group.lr, weightDecay: group.weightDecay, beta1, beta2, eps: group.eps,
      correction1: 1 - beta1 ** t, correction2: 1 - beta2 ** t,
    };
  }
}
