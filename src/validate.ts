// Argument checks shared by the public functions that take plain numbers (optimizers, their
// parameter groups and state dicts, learning-rate schedules, gradient clipping). One message
// form, `fn: name must be ..., got value`, so every error names the function, the argument and
// what was expected, and a NaN or an Infinity is caught before it reaches a GPU kernel.

import { TypeError } from './errors.ts';

/** A value as the messages show it: strings quoted, arrays bracketed. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(',')}]`;
  return String(value);
}

function fail(fn: string, name: string, expected: string, value: unknown): never {
  throw new TypeError(`${fn}: ${name} must be ${expected}, got ${show(value)}`);
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A finite number > 0. */
export function positive(fn: string, name: string, value: unknown): number {
  return isFiniteNumber(value) && value > 0 ? value : fail(fn, name, 'positive and finite', value);
}

/** A finite number >= 0. */
export function nonNegative(fn: string, name: string, value: unknown): number {
  return isFiniteNumber(value) && value >= 0 ? value : fail(fn, name, 'a finite number >= 0', value);
}

/** An integer >= 1. */
export function positiveInteger(fn: string, name: string, value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) >= 1 ? (value as number) : fail(fn, name, 'an integer >= 1', value);
}

/** An integer >= 0. */
export function count(fn: string, name: string, value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : fail(fn, name, 'an integer >= 0', value);
}

/** A number in [0, 1) (a moving-average coefficient). */
export function unitInterval(fn: string, name: string, value: unknown): number {
  return isFiniteNumber(value) && value >= 0 && value < 1 ? value : fail(fn, name, 'in [0, 1)', value);
}

/** true or false. */
export function boolean(fn: string, name: string, value: unknown): boolean {
  return typeof value === 'boolean' ? value : fail(fn, name, 'true or false', value);
}
