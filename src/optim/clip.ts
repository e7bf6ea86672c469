// Gradient clipping by total norm, as torch.nn.utils.clip_grad_norm_: the norm of all the
// gradients taken together, and every gradient scaled by min(1, maxNorm / (norm + 1e-6)).
// Composed from existing ops and computed on the GPU with no readback, so a training loop
// that clips stays free of GPU round trips; the norm comes back as a 0-d tensor to read when wanted.

import { noGrad } from '../autograd.ts';
import { GpugradError } from '../errors.ts';
import { abs, add, clamp, div, full, max, maximum, mul, pow, sqrt, square, sum } from '../ops/index.ts';
import { tidy } from '../scope.ts';
import { Tensor, keep } from '../tensor.ts';
import { positive, show } from '../validate.ts';

/** Options of clipGradNorm(). */
export interface ClipOptions {
  /** The p of the p-norm: 2 (default), any finite p > 0, or Infinity (the largest |g|). */
  normType?: number;
}

/**
 * Scales the gradients of `params` in place so that their total p-norm is at most `maxNorm`:
 * each `.grad` is multiplied by min(1, maxNorm / (norm + 1e-6)) (parameters without a gradient
 * are skipped). Returns the total norm before clipping as a 0-d tensor (0 when no parameter has
 * a gradient). Runs on the GPU without reading anything back. Call it between backward() and
 * optimizer.step(). Throws GpugradError for a maxNorm or normType that is not a positive number.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options: ClipOptions = {}): Tensor {
  const fn = 'clipGradNorm';
  const list = [...params];
  const bad = list.find((p) => !(p instanceof Tensor));
  if (bad !== undefined) throw new GpugradError(`${fn}: params must be tensors, got ${show(bad)}`);
  positive(fn, 'maxNorm', maxNorm);
  const p = options.normType ?? 2;
  if (p !== Infinity) positive(fn, 'normType', p);
  const withGrad = list.filter((t) => t.grad && t.size > 0);
  if (!withGrad.length) return full([], 0);
  return noGrad(() => tidy(() => {
    const grads = withGrad.map((t) => t.grad!);
    const total = p === Infinity ? grads.map((g) => max(abs(g))).reduce((a, b) => maximum(a, b))
      : p === 2 ? sqrt(grads.map((g) => sum(square(g))).reduce((a, b) => add(a, b)))
      : p === 1 ? grads.map((g) => sum(abs(g))).reduce((a, b) => add(a, b))
      : pow(grads.map((g) => sum(pow(abs(g), p))).reduce((a, b) => add(a, b)), 1 / p);
    // min(1, c): exactly 1 when no clipping is needed, so the gradients stay bit for bit.
    const scale = clamp(div(maxNorm, add(total, 1e-6)), null, 1);
    for (const t of withGrad) {
      const scaled = keep(mul(t.grad!, scale)); // the parameter owns its gradient, not this tidy()
      t.grad!.dispose();
      t.grad = scaled;
    }
    return total;
  }));
}
