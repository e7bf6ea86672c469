// What SGD and Adam share: parameter groups with their own hyperparameters (PyTorch's
// param_groups), per-parameter state on the GPU next to each parameter, one optim.wgsl
// dispatch per step for each parameter (or pair of them, on GPUs), updating buffers in place, and the state dict that saves
// and restores all of it. The subclasses say how a group's options are checked, which state
// buffers a group needs, and what the kernel's uniform holds.

import { zeroGrad } from '../autograd.ts';
import { getDevice } from '../device/device.ts';
import type { Kernel } from '../device/pipelines.ts';
import { shaders } from '../device/shaders.ts';
import { GpugradError } from '../errors.ts';
import { checkDict, copyInto, rejectUnexpected, tensorEntry, type StateDict, type StateValue } from '../io/state-dict.ts';
import { zeros } from '../ops/creation.ts';
import { constantOf, grid } from '../ops/launch.ts';
import { Tensor, keep } from '../tensor.ts';
import { count, nonNegative, show } from '../validate.ts';
import { checkOptions, describe } from '../ops/args.ts';
import { TypeError } from '../errors.ts';

/** A parameter group as the optimizer holds it: its parameters and their hyperparameters (mutable: schedules set `lr`). */
export type ParamGroup<H> = H & { params: Tensor[] };

/** A group as the constructors take it: parameters, and any options that differ from the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor> };

/** The uniform of optim.wgsl, as numbers. */
export interface Hyper {
  lr: number; weightDecay: number; momentum?: number; nesterov?: boolean;
  beta1?: number; beta2?: number; eps?: number; correction1?: number; correction2?: number;
}

/** optim.wgsl's Params for the update of one parameter (sizeB 0) or two. */
function params(size: number, sizeB: number, h: Hyper) {
  return {
    size, size_b: sizeB, nesterov: h.nesterov ? 1 : 0, lr: h.lr, weight_decay: h.weightDecay, momentum: h.momentum ?? 0,
    beta1: h.beta1 ?? 0, beta2: h.beta2 ?? 0, eps: h.eps ?? 0, correction1: h.correction1 ?? 1, correction2: h.correction2 ?? 1,
  };
}

interface State { buffers: Tensor[]; steps: number }

// Whether two parameters share an update dispatch. By default only on GPUs, where the dispatch
// saved is what counts: on CPU adapters a pair costs more than the two dispatches it replaces
// (SwiftShader runs both halves of the kernel for every invocation, the other half masked:
// 1.5x for SGD, 1.6x with momentum, 1.75x for Adam on a 256x256 weight and its bias).
let pairedUpdates: boolean | null = null;
/** Pairs updates on every adapter (true), on none (false), or by adapter kind (null, the default). For tests and measurements. */
export function setPairedUpdates(on: boolean | null): void {
  pairedUpdates = on;
}

/** Names an option in errors: `lr` or `paramGroups[1].lr` (constructor), `param_groups.1.lr` (state dict). */
export type Namer = (option: string) => string;

/** The base of SGD and Adam; `H` is a group's hyperparameters (lr and the rest). */
export abstract class Optimizer<H extends { lr: number }> {
  /** Every parameter, in group order: a parameter's index here is its key in the state dict. */
  readonly params: Tensor[];
  readonly paramGroups: ParamGroup<H>[];
  private state = new Map<Tensor, State>();
  /** optim.wgsl's entry points, by the number of state buffers per parameter: for one parameter, and for two. */
  private readonly kernels: Kernel[] = ['sgd', 'sgd_momentum', 'adam'].map((entryPoint) => ({ shader: shaders.optim, entryPoint }));
  private readonly pairKernels: Kernel[] = this.kernels.map(({ shader, entryPoint }) => ({ shader, entryPoint: `${entryPoint}_pair` }));

  /**
   * `params` is a list of tensors (one group, with `defaults`) or of groups `{ params, ...options }`,
   * whose options override `defaults`, as PyTorch's optimizers take them.
   */
  constructor(protected readonly name: string, params: Iterable<Tensor> | Iterable<ParamGroupInput<object>>, defaults: object) {
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}: params must be a list of tensors or of parameter groups, got ${describe(params)}`);
    }
    checkOptions(name, defaults);
    const list = [...(params as Iterable<unknown>)];
    const grouped = list.length > 0 && !(list[0] instanceof Tensor);
    if (list.some((item) => (item instanceof Tensor) === grouped)) {
      throw new GpugradError(`${name}: params must be all tensors or all parameter groups ({ params, ...options })`);
    }
    const inputs = (grouped ? list : [{ params: list }]) as ParamGroupInput<object>[];
    this.params = [];
    this.paramGroups = inputs.map((input, g) => {
      const where = grouped ? `paramGroups[${g}]` : '';
      if (typeof input !== 'object' || input === null || !input.params || typeof (input.params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
        throw new GpugradError(`${name}: ${where || 'params'} must be { params: Tensor[], ...options }, got ${show(input)}`);
      }
      const { params: groupParams, ...options } = input;
      const members = [...groupParams];
      for (const p of members) {
        if (!(p instanceof Tensor) || !p.isLeaf || !p.requiresGrad) throw new GpugradError(`${name}: parameter ${p} must be a leaf with requiresGrad`);
        if (this.params.includes(p)) throw new GpugradError(`${name}: parameter ${p} appears twice (in ${where || 'params'})`);
        this.params.push(p);
      }
      const hyper = this.resolve(name, (option) => (where ? `${where}.${option}` : option), { ...defaults, ...options }, false);
      return { ...hyper, params: members };
    });
  }

  /** Checks a group's options, fills in defaults; `loading`: from a state dict, where lr may be 0 (a schedule's end). */
  protected abstract resolve(fn: string, name: Namer, options: Record<string, unknown>, loading: boolean): H;
  /** The state-dict key of each hyperparameter, as PyTorch names it (weightDecay: 'weight_decay'). */
  protected abstract readonly keys: Record<keyof H & string, string>;
  /** The names of the state buffers a parameter of this group needs, as PyTorch names them. */
  protected abstract slots(group: H): string[];
  /** The kernel's hyperparameters for a parameter of this group on its `t`-th update. */
  protected abstract hyper(group: H, t: number): Hyper;

  /** The first group's learning rate; setting it sets every group's (a shorthand for one group). */
  get lr(): number {
    return this.paramGroups[0]?.lr ?? NaN;
  }
  /** Sets every group's learning rate (finite, >= 0). */
  set lr(value: number) {
    nonNegative(this.name, 'lr', value);
    for (const group of this.paramGroups) group.lr = value;
  }

  /**
   * Frees the gradient of every parameter: each is disposed and `.grad` set to null (PyTorch's
   * set_to_none), so its GPU memory goes back to the pool now, not at the next backward().
   */
  zeroGrad(): void {
    zeroGrad(this.params);
  }

  /**
   * Updates every parameter that has a gradient; parameters without one are left alone. On a
   * GPU, two parameters of a group that follow each other (a layer's weight and bias) share a
   * dispatch when they have had as many updates (Adam's bias correction is per parameter).
   */
  step(): void {
    for (const group of this.paramGroups) {
      const slots = this.slots(group).length;
      const due = group.params.filter((p) => p.grad).map((p) => ({ p, state: this.advance(p, slots) }));
      // A pair binds two of everything (Adam: 8 storage buffers, the WebGPU default's most).
      const device = getDevice();
      const pairs = (pairedUpdates ?? !device.info.isFallback) && 2 * (2 + slots) <= device.gpu.limits.maxStorageBuffersPerShaderStage;
      for (let k = 0; k < due.length; k++) {
        const pair = pairs && due[k + 1]?.state.steps === due[k].state.steps;
        this.update(group, slots, pair ? [due[k], due[++k]] : [due[k]]);
      }
    }
  }

  /** The state of `p` for its next update: `slots` buffers, the update counted. */
  private advance(p: Tensor, slots: number): State {
    let state = this.state.get(p);
    if (!state) this.state.set(p, (state = { buffers: [], steps: 0 }));
    // A group's momentum may be switched on or off between steps: a new buffer starts at 0.
    while (state.buffers.length < slots) state.buffers.push(keep(zeros(p.shape)));
    for (const extra of state.buffers.splice(slots)) extra.dispose();
    // Steps are counted per parameter, as PyTorch does: Adam's bias correction must count
    // the updates this parameter actually received.
    state.steps++;
    return state;
  }

  /** One dispatch updating one parameter or two (with the same step count). */
  private update(group: ParamGroup<H>, slots: number, items: { p: Tensor; state: State }[]): void {
    const [a, b] = items;
    const vec4s = (t?: Tensor) => (t ? Math.ceil(t.size / 4) : 0); // a vec4 per invocation
    getDevice().dispatch((b ? this.pairKernels : this.kernels)[slots],
      items.map(({ p }) => p.grad!.buffer('step')),
      [...items.map(({ p }) => p.buffer('step')), ...items.flatMap(({ state }) => state.buffers.map((s) => s.buffer('step')))],
      params(a.p.size, b?.p.size ?? 0, this.hyper(group, a.state.steps)),
      grid(vec4s(a.p) + vec4s(b?.p), constantOf(shaders.optim, 'WG')));
  }

  /**
   * The optimizer's state in PyTorch's form, flattened: `state.<i>.step` (updates parameter i
   * received, a number) and its state tensors `state.<i>.<name>` (`momentum_buffer` for SGD with
   * momentum, `exp_avg` and `exp_avg_sq` for Adam; the optimizer's own, not copies), for each
   * parameter updated so far; then per group g `param_groups.<g>.params` (the indices i of its
   * parameters) and its hyperparameters `param_groups.<g>.lr`, `.weight_decay`, ... as numbers.
   * `save(optimizer)` writes it; the numbers go to the file's metadata, exactly.
   */
  stateDict(): StateDict {
    const dict: StateDict = {};
    this.paramGroups.forEach((group) => group.params.forEach((p) => {
      const state = this.state.get(p);
      if (!state) return;
      const i = this.params.indexOf(p);
      dict[`state.${i}.step`] = state.steps;
      this.slots(group).forEach((slot, k) => { if (state.buffers[k]) dict[`state.${i}.${slot}`] = state.buffers[k]; });
    }));
    this.paramGroups.forEach((group, g) => {
      dict[`param_groups.${g}.params`] = group.params.map((p) => this.params.indexOf(p));
      for (const [option, key] of Object.entries(this.keys) as [keyof H & string, string][]) {
        const value = group[option];
        dict[`param_groups.${g}.${key}`] = Array.isArray(value) ? [...value] : value as StateValue;
      }
    });
    return dict;
  }

  /**
   * Restores a state dict of the form stateDict() gives, from an optimizer over the same
   * parameters in the same groups: hyperparameters, step counts and state tensors (copied, so
   * the dict can be disposed after). Everything is checked first; a missing or unexpected key,
   * a group of other parameters or a shape mismatch throws GpugradError naming the key and
   * changes nothing.
   */
  loadStateDict(dict: StateDict): void {
    const fn = `${this.name}.loadStateDict`;
    checkDict(fn, dict);
    const known = new Set<string>();
    const take = (key: string): unknown => {
      known.add(key);
      if (!Object.hasOwn(dict, key)) throw new GpugradError(`${fn}: missing key '${key}'`);
      return dict[key];
    };
    const groups = this.paramGroups.map((group, g) => {
      const key = `param_groups.${g}.params`;
      const indices = take(key);
      const mine = group.params.map((p) => this.params.indexOf(p));
      if (!Array.isArray(indices) || show(indices) !== show(mine)) {
        throw new GpugradError(`${fn}: '${key}' is ${show(indices)}, but this optimizer's group ${g} holds parameters ${show(mine)}`);
      }
      const options = Object.fromEntries(Object.entries(this.keys).map(([option, name]) => [option, take(`param_groups.${g}.${name}`)]));
      return this.resolve(fn, (option) => `'param_groups.${g}.${this.keys[option as keyof H & string]}'`, options, true);
    });
    const states = new Map<Tensor, { steps: number; sources: Tensor[] }>();
    this.paramGroups.forEach((group, g) => group.params.forEach((p) => {
      const i = this.params.indexOf(p);
      const slots = this.slots(groups[g]).map((slot) => `state.${i}.${slot}`);
      if (![`state.${i}.step`, ...slots].some((key) => Object.hasOwn(dict, key))) return;
      const steps = count(fn, `'state.${i}.step'`, take(`state.${i}.step`));
      slots.forEach((key) => known.add(key));
      states.set(p, { steps, sources: slots.map((key) => tensorEntry(fn, dict, key, p.shape)) });
    }));
    rejectUnexpected(fn, dict, known);
    // Copies first, then the old state goes: the dict may hold this optimizer's own buffers.
    const restored = [...states].map(([p, { steps, sources }]) => [p, {
      steps,
      buffers: sources.map((source) => {
        const buffer = keep(Tensor.empty(p.shape));
        copyInto(buffer, source);
        return buffer;
      }),
    }] as const);
    this.dispose();
    this.state = new Map(restored);
    this.paramGroups.forEach((group, g) => Object.assign(group, groups[g]));
  }

  /** Frees the optimizer's state buffers. */
  dispose(): void {
    for (const state of this.state.values()) for (const s of state.buffers) s.dispose();
    this.state.clear();
  }
}
