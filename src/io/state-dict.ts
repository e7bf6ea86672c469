// State dicts: the state of a model or an optimizer as one flat, ordered record from names
// ('0.weight', 'state.0.exp_avg', ...) to tensors, as PyTorch's state_dict(). An optimizer's
// step counts and hyperparameters are plain numbers in the same record, not tensors: they must
// come back exactly (float64, not float32) and without an asynchronous GPU readback.
// Here: the types, and what modules and optimizers share when loading one. Every entry is
// checked before any is written, so a bad dict leaves the model as it was; values are copied
// on the GPU into the existing buffers, so whoever holds a parameter keeps seeing it.

import { getDevice } from '../device/device.ts';
import { DisposedError, GpugradError, ShapeError } from '../errors.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';
import { show } from '../validate.ts';

/** A number kept next to the tensors of a state dict: an optimizer's step count or hyperparameter. */
export type StateValue = number | boolean | readonly number[];

/**
 * Named tensors in order (and, for optimizers, plain numbers): what `stateDict()` returns,
 * `save()` writes, `load()` returns and `loadStateDict()` takes. A module's has only tensors:
 * its own parameters (not copies), named as PyTorch names them (`0.weight`, `0.bias`, ...).
 */
export type StateDict = Record<string, Tensor | StateValue>;

/**
 * How 2-D Linear weights are laid out: 'gpugrad' is [in, out] (x·W), 'torch' is PyTorch's
 * nn.Linear [out, in]. Only modules know which tensors are Linear weights, so a layout is
 * given with a module: `save(model, { layout })` and `model.loadStateDict(dict, { layout })`.
 */
export type Layout = 'gpugrad' | 'torch';

/** Checks a layout option; `fn` names the caller. */
export function checkLayout(fn: string, layout: unknown = 'gpugrad'): Layout {
  if (layout !== 'gpugrad' && layout !== 'torch') throw new GpugradError(`${fn}: layout must be 'gpugrad' or 'torch', got ${show(layout)}`);
  return layout;
}

/** Throws unless `dict` is a plain object (a record of entries). */
export function checkDict(fn: string, dict: unknown): asserts dict is StateDict {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict instanceof Tensor) {
    throw new GpugradError(`${fn}: expected a state dict (an object of named tensors), got ${dict instanceof Tensor ? 'a Tensor' : show(dict)}`);
  }
}

/** What a value is, for messages. */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : `a ${typeof value}`;
}

/**
 * The tensor under `key`, checked: present, a tensor, not disposed, of the given shape. When
 * its shape is `hint.shape` instead, the error ends with `hint.text` (the probable cause).
 */
export function tensorEntry(fn: string, dict: StateDict, key: string, shape: Shape, hint?: { shape: Shape; text: string }): Tensor {
  if (!Object.hasOwn(dict, key)) throw new GpugradError(`${fn}: missing key '${key}' (a tensor of shape ${formatShape(shape)})`);
  const value = dict[key];
  if (!(value instanceof Tensor)) throw new GpugradError(`${fn}: '${key}' is ${describe(value)}, expected a tensor of shape ${formatShape(shape)}`);
  if (value.isDisposed) throw new DisposedError(`${fn}: '${key}' was disposed`);
  const got = formatShape(value.shape);
  if (got !== formatShape(shape)) {
    throw new ShapeError(`${fn}: '${key}' has shape ${got}, expected ${formatShape(shape)}${hint && got === formatShape(hint.shape) ? hint.text : ''}`);
  }
  return value;
}

/** Throws for the first key of `dict` that is not in `known`. */
export function rejectUnexpected(fn: string, dict: StateDict, known: ReadonlySet<string>): void {
  for (const key of Object.keys(dict)) {
    if (!known.has(key)) throw new GpugradError(`${fn}: unexpected key '${key}' (nothing of that name to load it into)`);
  }
}

/** Copies src's values into dst (same size) on the GPU, after all work recorded so far. */
export function copyInto(dst: Tensor, src: Tensor): void {
  const [from, to] = [src.buffer('loadStateDict'), dst.buffer('loadStateDict')];
  if (from !== to && dst.size > 0) getDevice().copy(from, to, dst.size * 4);
}
