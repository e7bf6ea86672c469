// Making tensors: from JavaScript data (one upload), or filled on the GPU (zeros, ones, full).

import { getDevice } from '../device/device.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, formatShape, sizeOf, type Shape } from '../tensor.ts';
import { fillTensor } from './fill.ts';
import { checkShape } from './launch.ts';

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
      if (typeof node !== 'number') throw new ShapeError(`tensor: expected a number at ${path || 'the top'}, found ${Array.isArray(node) ? 'an array' : typeof node}`);
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
  const t = Tensor.empty(shape);
  if (values.length) getDevice().write(t.buffer('tensor'), values);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/**
 * A float32 tensor from a number, nested arrays or a typed array. With `shape`, the data is
 * read in row-major order and its length must match; without, nested arrays give the shape
 * and flat data is 1-D. Throws ShapeError for ragged arrays or a length that does not match `shape`.
 */
export function tensor(data: TensorData, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  let values: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number' || Array.isArray(data)) {
    ({ values, shape: inferred } = flatten(data as Nested));
  } else {
    values = data as ArrayLike<number>;
    inferred = [values.length];
  }
  if (shape) {
    checkShape('tensor', shape);
    if (sizeOf(shape) !== values.length) {
      throw new ShapeError(`tensor: data has ${values.length} values but shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
    }
  }
  return fromData(Float32Array.from(values), shape ?? inferred, options);
}

/** A tensor of the given shape with every element equal to `value`, filled on the GPU. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape('full', shape);
  return fillTensor('full', shape, value, options.requiresGrad);
}

/** A tensor of the given shape filled with 0 on the GPU. */
export const zeros = (shape: readonly number[], options?: TensorOptions): Tensor => full(shape, 0, options);
/** A tensor of the given shape filled with 1 on the GPU. */
export const ones = (shape: readonly number[], options?: TensorOptions): Tensor => full(shape, 1, options);

