// Argument checks for the public API. Every public function validates what it is given before
// any GPU work, and a bad argument gets a gpugrad error that names the function, the argument
// and what is allowed: TypeError for the wrong kind of value, ShapeError for a shape or axis
// that does not fit.

import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';

/** A short description of a value for error messages: 'a string "abc"', 'undefined', 'an array'. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return `a string ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** The value itself when it is a live gpugrad Tensor; else TypeError (or DisposedError) naming op and argument. */
export function checkTensor(op: string, arg: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}: ${arg} must be a Tensor, got ${describe(value)}`);
  value.buffer(op); // throws DisposedError naming the op
  return value;
}

/** A Tensor or a number (which stands for a tensor of that value); else TypeError. */
export function checkOperand(op: string, arg: string, value: unknown): Tensor | number {
  if (value instanceof Tensor || typeof value === 'number') return value;
  throw new TypeError(`${op}: ${arg} must be a Tensor or a number, got ${describe(value)}`);
}

export interface NumberRule { finite?: boolean; integer?: boolean; min?: number; max?: number; above?: number }

/** A number obeying `rule` (finite, integer, bounds); else TypeError naming the op, the argument and the rule. */
export function checkNumber(op: string, arg: string, value: unknown, rule: NumberRule = {}): number {
  if (typeof value !== 'number') throw new TypeError(`${op}: ${arg} must be a number, got ${describe(value)}`);
  const fail = (what: string) => { throw new TypeError(`${op}: ${arg} must be ${what}, got ${value}`); };
  if (Number.isNaN(value)) fail('a number (not NaN)');
  if (rule.integer && !Number.isSafeInteger(value)) fail('an integer');
  if (rule.finite && !Number.isFinite(value)) fail('finite');
  if (rule.min !== undefined && value < rule.min) fail(`>= ${rule.min}`);
  if (rule.max !== undefined && value > rule.max) fail(`<= ${rule.max}`);
  if (rule.above !== undefined && !(value > rule.above)) fail(`> ${rule.above}`);
  return value;
}

/** A boolean; else TypeError. */
export function checkBoolean(op: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${op}: ${arg} must be true or false, got ${describe(value)}`);
  return value;
}

/** An options object (not null, not an array); else TypeError. */
export function checkOptions<T extends object>(op: string, value: unknown, arg = 'options'): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${op}: ${arg} must be an object, got ${describe(value)}`);
  return value as T;
}

/** One of `allowed`; else TypeError listing them. */
export function checkOneOf<T extends string>(op: string, arg: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${op}: ${arg} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
}

/** A shape: an array of non-negative safe integers. */
export function checkShape(op: string, arg: string, value: unknown): number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw new TypeError(`${op}: ${arg} must be an array of sizes, got ${describe(value)}`);
  const dims = Array.from(value as ArrayLike<unknown>);
  if (dims.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: ${arg} [${dims.map(String).join(',')}] must hold non-negative integers`);
  }
  return dims as number[];
}

/** An axis in [-rank, rank), made non-negative; ShapeError naming the op and the shape. */
export function checkAxis(op: string, value: unknown, shape: Shape, arg = 'axis'): number {
  const rank = shape.length;
  if (typeof value !== 'number') throw new TypeError(`${op}: ${arg} must be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < -rank || value >= rank) {
    throw new ShapeError(`${op}: ${arg} ${value} is out of range for shape ${formatShape(shape)} (rank ${rank}; axes run from ${-rank} to ${rank - 1})`);
  }
  return value < 0 ? value + rank : value;
}

/** One axis, several (no repeats), or undefined/null for all: sorted non-negative axes, or null for all. */
export function checkAxes(op: string, value: unknown, shape: Shape): number[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  const axes = list.map((a) => checkAxis(op, a, shape));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`${op}: axis [${list.join(',')}] repeats an axis of ${formatShape(shape)}`);
  return axes.sort((a, b) => a - b);
}

/** A non-empty list of tensors; TypeError naming the bad element. */
export function checkTensorList(op: string, arg: string, value: unknown): Tensor[] {
  if (!Array.isArray(value)) throw new TypeError(`${op}: ${arg} must be an array of Tensors, got ${describe(value)}`);
  if (value.length === 0) throw new ShapeError(`${op}: ${arg} is empty; it needs at least one Tensor`);
  return value.map((t, i) => checkTensor(op, `${arg}[${i}]`, t));
}
