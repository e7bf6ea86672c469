// Scopes for tidy(): every tensor made inside `tidy(fn)` is disposed when fn returns, except
// what fn returns. GPU memory is not garbage-collected, so training loops and benchmarks wrap
// each step in tidy() to stay flat in memory.

import { GpugradError } from './errors.ts';
import type { Tensor } from './tensor.ts';

const scopes: Set<Tensor>[] = [];

export function track(t: Tensor): void {
  scopes.at(-1)?.add(t);
}

/** Takes a tensor out of every open scope (its owner is now someone else: a leaf's .grad, keep()). */
export function untrack(t: Tensor): void {
  for (const scope of scopes) scope.delete(t);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the ones it returns (a tensor,
 * or an array or plain object holding tensors), which move to the enclosing scope.
 * `fn` must be synchronous: work after an `await` would run after the scope closed.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new GpugradError('tidy: the function returned a Promise; tidy() needs a synchronous function ' +
      '(do the awaits outside, on the tensors it returns).');
  }
  const kept = new Set<Tensor>();
  collect(result, kept);
  for (const t of scope) {
    if (kept.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

function collect(value: unknown, into: Set<Tensor>): void {
  if (value === null || typeof value !== 'object') return;
  if ('shape' in value && 'dispose' in value && 'id' in value) {
    into.add(value as Tensor);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, into);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into);
  }
}
