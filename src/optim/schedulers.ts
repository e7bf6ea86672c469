// Learning-rate schedules, PyTorch's way: a scheduler is made on an optimizer and sets the lr
// of each of its parameter groups; call scheduler.step() after optimizer.step(), once per step
// (or per epoch). Each schedule here is a closed form of t, the number of step() calls, and of
// a group's base lr (its lr when the scheduler was made), never of the previous lr: so rates do
// not drift by rounding, and LinearWarmup can hand over to any other schedule.

import { GpugradError } from '../errors.ts';
import { nonNegative, positive, positiveInteger, show } from '../validate.ts';

/** What a scheduler drives: an optimizer's parameter groups (SGD, Adam). */
export interface Schedulable {
  paramGroups: { lr: number }[];
}

/** The base of the schedules: holds t and the base lrs, and sets the groups' lr from lrAt(). */
export abstract class LRScheduler {
  /** Each group's lr when the scheduler was made. */
  readonly baseLrs: number[];
  private t = 0;
  private lastLrs: number[] = [];

  /** `baseLrs` default to the groups' lr now. */
  constructor(protected readonly fn: string, readonly optimizer: Schedulable, baseLrs?: readonly number[]) {
    if (!Array.isArray((optimizer as Partial<Schedulable> | null)?.paramGroups)) {
      throw new GpugradError(`${fn}: optimizer must be an optimizer (with paramGroups), got ${show(optimizer)}`);
    }
    this.baseLrs = baseLrs ? [...baseLrs] : optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of a group whose base lr is `base`, after `t` calls of step(). */
  abstract lrAt(t: number, base: number): number;

  /** Sets the groups' lr for the current t; subclasses call it at the end of their constructor. */
  protected apply(): void {
    this.lastLrs = this.baseLrs.map((base) => this.lrAt(this.t, base));
    this.optimizer.paramGroups.forEach((group, i) => { group.lr = this.lastLrs[i]; });
  }

  /** Moves the schedule one step on: call it after optimizer.step(). */
  step(): void {
    this.t++;
    this.apply();
  }

  /** How many times step() was called (PyTorch's last_epoch). */
  get lastEpoch(): number {
    return this.t;
  }

  /** The lr this scheduler last gave each group. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }
}

/** lr = base · gamma^floor(t / stepSize): decays by gamma every stepSize steps (gamma default 0.1). */
export class StepLR extends LRScheduler {
  constructor(optimizer: Schedulable, readonly stepSize: number, readonly gamma = 0.1) {
    super('StepLR', optimizer);
    positiveInteger(this.fn, 'stepSize', stepSize);
    positive(this.fn, 'gamma', gamma);
    this.apply();
  }
  lrAt(t: number, base: number): number {
    return base * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** lr = base · gamma^t. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Schedulable, readonly gamma: number) {
    super('ExponentialLR', optimizer);
    positive(this.fn, 'gamma', gamma);
    this.apply();
  }
  lrAt(t: number, base: number): number {
    return base * this.gamma ** t;
  }
}

/**
 * lr = etaMin + (base − etaMin)(1 + cos(π t / tMax)) / 2: half a cosine from base down to
 * etaMin (default 0) over tMax steps, PyTorch's closed form (past tMax it rises again).
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Schedulable, readonly tMax: number, readonly etaMin = 0) {
    super('CosineAnnealingLR', optimizer);
    positiveInteger(this.fn, 'tMax', tMax);
    nonNegative(this.fn, 'etaMin', etaMin);
    this.apply();
  }
  lrAt(t: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/** Options of LinearWarmup. */
export interface WarmupOptions {
  /** The first step's lr as a fraction of the base lr, in [0, 1] (default 0). */
  startFactor?: number;
  /**
   * The schedule after the warmup, made on the same optimizer before the warmup and never
   * stepped itself: at step t ≥ warmupSteps it gives its lr for t − warmupSteps. Default: the base lr.
   */
  then?: LRScheduler;
}

/**
 * lr = base · (startFactor + (1 − startFactor) · t / warmupSteps) for t < warmupSteps, a linear
 * ramp up to the base lr; then the base lr, or the `then` schedule started afresh:
 * `new LinearWarmup(opt, 100, { then: new CosineAnnealingLR(opt, 900) })`.
 */
export class LinearWarmup extends LRScheduler {
  readonly startFactor: number;
  readonly then: LRScheduler | null;

  constructor(optimizer: Schedulable, readonly warmupSteps: number, options: WarmupOptions = {}) {
    // A `then` schedule was made first and may have set the groups' lr already: its base lrs are the real ones.
    super('LinearWarmup', optimizer, options.then instanceof LRScheduler ? options.then.baseLrs : undefined);
    positiveInteger(this.fn, 'warmupSteps', warmupSteps);
    this.startFactor = nonNegative(this.fn, 'startFactor', options.startFactor ?? 0);
    if (this.startFactor > 1) throw new GpugradError(`${this.fn}: startFactor must be in [0, 1], got ${this.startFactor}`);
    this.then = options.then ?? null;
    if (this.then && !(this.then instanceof LRScheduler && this.then.optimizer === optimizer)) {
      throw new GpugradError(`${this.fn}: then must be a scheduler made on the same optimizer, got ${show(options.then)}`);
    }
    this.apply();
  }

  lrAt(t: number, base: number): number {
    if (t < this.warmupSteps) return base * (this.startFactor + ((1 - this.startFactor) * t) / this.warmupSteps);
    return this.then ? this.then.lrAt(t - this.warmupSteps, base) : base;
  }
}
