// Tensor: a thin handle on a GPU buffer (float32, row-major, any rank) plus, for results of
// recorded ops, the tape node that made it. No arithmetic lives here: the methods call the op
// table. Data leaves the GPU only when asked, through `await t.data()`.

import { getDevice } from './device/device.ts';
import { DeviceLostError, DisposedError, ShapeError } from './errors.ts';
import { track, untrack } from './scope.ts';
import { Storage, memoryCounters } from './storage.ts';
import type { TapeNode } from './autograd.ts';
import type { TensorMethods } from './ops/methods.ts';

/** Sizes of a tensor's dimensions, outermost first (row-major); `[]` is a scalar. */
export type Shape = readonly number[];

let nextId = 0;

export function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

export const formatShape = (shape: Shape): string => `[${shape.join(',')}]`;

/** The op methods (`x.add(y)`, `x.sum(0)`, ...), attached to Tensor in one place: src/ops/methods.ts. */
export interface Tensor extends TensorMethods {}

/**
 * An n-dimensional float32 array on the GPU, row-major. Made by `tensor()`, the initializers
 * in `init`, or an op; ops record themselves for autograd when an input `requiresGrad`.
 * The values stay on the GPU until read with `await t.data()`, `item()` or `array()`.
 * GPU memory is not garbage-collected: free a tensor with `dispose()`, or make it inside
 * `tidy()`. Using a disposed tensor throws `DisposedError`.
 */
export class Tensor {
  /** Creation order: a topological order of the graph, which backward() walks in reverse. */
  readonly id = nextId++;
  readonly shape: Shape;
  readonly size: number;
  /** The gradient left by `backward()` on a leaf that requires it. */
  grad: Tensor | null = null;
  private storage: Storage | null;

  /** The op that made this tensor, when it was recorded for autograd (set by the op runner). */
  node: TapeNode | null = null;

  constructor(storage: Storage, shape: Shape, public requiresGrad = false) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    memoryCounters.liveTensors++;
    track(this);
  }

  /**
   * Allocates an uninitialized tensor (kernels write every element). Throws ShapeError naming
   * `op` and the shape when it would not fit in one buffer of the device, before allocating.
   */
  static empty(shape: Shape, op = 'tensor'): Tensor {
    const bytes = Math.max(4, sizeOf(shape) * 4);
    const device = getDevice();
    return new Tensor(new Storage(device, device.createStorage(bytes, op, shape), bytes), shape);
  }

  /** Set by retainGrad(): backward() also leaves .grad on this non-leaf tensor. */
  retainsGrad = false;

  /** Asks backward() to keep dL/d(this) in .grad although this is not a leaf (for statistics). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** A tensor made by no recorded op: created by the user, or detached. */
  get isLeaf(): boolean { return this.node === null; }
  /** Number of dimensions, `shape.length`. */
  get rank(): number { return this.shape.length; }
  /** True after `dispose()`, or after the `tidy()` that made it returned without it. */
  get isDisposed(): boolean { return this.storage === null; }

  /** The GPU buffer; throws DisposedError after dispose(). `op` names the caller in the message. */
  buffer(op = 'use'): GPUBuffer {
    return this.live(op).buffer;
  }

  /**
   * A new handle on the same buffer, in a shape of the same size (no copy, not recorded for
   * autograd). For the library's own use: users reshape with `reshape` or `view`.
   * @internal
   */
  alias(shape: Shape = this.shape): Tensor {
    if (sizeOf(shape) !== this.size) throw new ShapeError(`alias: ${formatShape(this.shape)} has ${this.size} elements, ${formatShape(shape)} needs ${sizeOf(shape)}`);
    return new Tensor(this.live('alias').share(), shape);
  }

  private live(op: string): Storage {
    if (!this.storage) {
      throw new DisposedError(`${op}: tensor #${this.id} of shape ${formatShape(this.shape)} was disposed ` +
        '(by dispose() or by the tidy() that made it); keep it by returning it from tidy().');
    }
    const lost = this.storage.device.lost;
    if (lost) {
      throw new DeviceLostError(`${op}: tensor #${this.id} of shape ${formatShape(this.shape)} lived on a GPU device that was ` +
        `lost (${lost.reason}); after await ready(), make it again (from a checkpoint: load()).`);
    }
    return this.storage;
  }

  /** Frees the GPU buffer now (views keep it until they are freed too). Safe to call twice. */
  dispose(): void {
    if (!this.storage) return;
    this.storage.release();
    this.storage = null;
    memoryCounters.liveTensors--;
    untrack(this);
    if (this.grad) this.grad.dispose();
    this.grad = null;
  }

  /** Copies the values to the CPU, after all GPU work recorded so far. */
  async data(): Promise<Float32Array> {
    const storage = this.live('data');
    const bytes = await storage.device.read(storage.buffer, this.size * 4);
    return new Float32Array(bytes);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError(`item: tensor has shape ${formatShape(this.shape)}, not one element`);
    return (await this.data())[0];
  }

  /** A nested-array copy of the values (for printing and tests). */
  async array(): Promise<unknown> {
    const flat = Array.from(await this.data());
    const nest = (offset: number, dim: number): unknown => {
      if (dim === this.rank) return flat[offset];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => nest(offset + i * step, dim + 1));
    };
    return nest(0, 0);
  }

  /** The same values, cut from the graph: no gradient flows through. Shares the buffer. */
  detach(): Tensor {
    return new Tensor(this.live('detach').share(), this.shape);
  }

  /** `Tensor([2,3], requiresGrad)`: the shape and flags, never the values (reading them is async). */
  toString(): string {
    return `Tensor(${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''}${this.isDisposed ? ', disposed' : ''})`;
  }
}

/** Marks a tensor as owned by the caller: no enclosing tidy() will dispose it. */
export function keep<T extends Tensor>(t: T): T {
  untrack(t);
  return t;
}
