// Making tensors: from JavaScript data (one upload), or filled on the GPU (zeros, ones, full).

import { getDevice } from '../device/device.ts';
import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { checkNumber, checkShape, describe } from './args.ts';
import { fillTensor } from './fill.ts';

/** Options shared by the functions that make tensors. */
export interface TensorOptions {
  /** Record ops on this tensor so backward() can compute its gradient. */
  requiresGrad?: boolean;
}

/** A number, or arrays of them nested to any depth (rectangular). */
type Nested = number | readonly Nested[];
/** What tensor() accepts: a number, (nested) arrays of numbers, or a typed array. Values become float32. */
export type TensorData = Nested | Float32Array | Float64Array | Int32Array | Uint8Array | ArrayLike<number>;

/** Flattens nested arrays, checking that they are rectangular; returns values and shape. */
function flatten(data: Nested): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: Nested = data; Array.isArray(level); level = (level as readonly Nested[])[0]) {
    shape.push((level as readonly Nested[]).length);
    if ((level as readonly Nested[]).length === 0) break;
  }
  const values: number[] = [];
  const walk = (node: Nested, depth: number, path: string) => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new TypeError(`tensor: expected a number at ${path || 'the top'}, found ${Array.isArray(node) ? 'an array' : typeof node}`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new ShapeError(`tensor: ragged nested array: ${path || 'the top'} has ${Array.isArray(node) ? node.length : 'no'} elements, expected ${shape[depth]}`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return { values, shape };
}

/** Uploads float32 values in row-major order as a tensor of the given shape. */
export function fromData(values: Float32Array, shape: Shape, options: TensorOptions = {}): Tensor {
  const t = Tensor.empty(shape, 'tensor');
  if (values.length) getDevice().write(t.buffer('tensor'), values);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/**
 * A float32 tensor from a number, nested arrays or a typed array. With `shape`, the data is
 * read in row-major order and its length must match; without, nested arrays give the shape
 * and flat data is 1-D. Options may come second when there is no shape:
 * `tensor([1, 2], { requiresGrad: true })`. Throws ShapeError for ragged arrays or a length
 * that does not match `shape`, TypeError for data that is not numbers.
 */
export function tensor(data: TensorData, shape?: readonly number[] | TensorOptions, options: TensorOptions = {}): Tensor {
  if (shape === null) throw new TypeError('tensor: the second argument must be a shape (an array of sizes) or options, got null');
  if (shape !== undefined && !Array.isArray(shape) && typeof shape === 'object' && !ArrayBuffer.isView(shape)) {
    options = shape as TensorOptions;
    shape = undefined;
  }
  checkOptions('tensor', options);
  let values: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number' || Array.isArray(data)) {
    ({ values, shape: inferred } = flatten(data as Nested));
  } else if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    values = data as ArrayLike<number>;
    inferred = [values.length];
  } else {
    throw new TypeError(`tensor: data must be a number, nested arrays of numbers or a typed array, got ${describe(data)}`);
  }
  if (shape !== undefined) {
    shape = checkShape('tensor', 'shape', shape);
    if (sizeOf(shape) !== values.length) {
      throw new ShapeError(`tensor: data has ${values.length} values but shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
    }
  }
  return fromData(Float32Array.from(values), (shape as number[] | undefined) ?? inferred, options);
}

function checkOptions(op: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${op}: options must be an object like { requiresGrad: true }, got ${describe(options)}`);
  }
  const requiresGrad = (options as TensorOptions).requiresGrad;
  if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean') {
    throw new TypeError(`${op}: options.requiresGrad must be true or false, got ${describe(requiresGrad)}`);
  }
}

/** A tensor of the given shape with every element equal to `value`, filled on the GPU. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

function filled(op: string, shape: unknown, value: unknown, options: TensorOptions): Tensor {
  const dims = checkShape(op, 'shape', shape);
  checkNumber(op, 'value', value);
  checkOptions(op, options);
  return fillTensor(op, dims, value as number, options.requiresGrad);
}

/** A tensor of the given shape filled with 0 on the GPU. */
export const zeros = (shape: readonly number[], options: TensorOptions = {}): Tensor => filled('zeros', shape, 0, options);
/** A tensor of the given shape filled with 1 on the GPU. */
export const ones = (shape: readonly number[], options: TensorOptions = {}): Tensor => filled('ones', shape, 1, options);

/** [start, start + step, ...] below `end` (NumPy's arange): `arange(5)` is [0, 1, 2, 3, 4]. */
export function arange(start: number, end?: number, step = 1): Tensor {
  if (end === undefined) [start, end] = [0, start];
  checkNumber('arange', 'start', start, { finite: true });
  checkNumber('arange', 'end', end, { finite: true });
  checkNumber('arange', 'step', step, { finite: true });
  if (step === 0) throw new TypeError('arange: step must not be 0');
  const count = Math.max(0, Math.ceil((end - start) / step));
  return fromData(Float32Array.from({ length: count }, (_, i) => start + i * step), [count]);
}

