// The op runner. An op is one entry in the op table (ops/table.ts): a shape rule that runs
// before any GPU work, a forward that dispatches its kernel, and a VJP written with other ops.
// run() validates the inputs, runs the forward, and records a tape node when an input
// requires a gradient and recording is on.

import { isGradEnabled, type InputGrad } from '../autograd.ts';
import { GpugradError } from '../errors.ts';
import type { Tensor, Shape } from '../tensor.ts';

export interface OpDef<A> {
  /** The output shape; throws ShapeError naming the op and the input shapes. */
  shape: (inputs: Tensor[], attrs: A) => Shape;
  /** Makes the output (usually Tensor.empty(shape) plus one dispatch). */
  forward: (inputs: Tensor[], attrs: A, shape: Shape) => Tensor;
  /**
   * Gradients for each input from dy (a function for one that costs work: it runs only when
   * that input requires a gradient); null for a kernel that is itself a gradient.
   */
  vjp: ((dy: Tensor, inputs: Tensor[], out: Tensor, attrs: A) => InputGrad[]) | null;
}

export function runOp<A>(name: string, def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor {
  for (const input of inputs) input.buffer(name); // throws DisposedError naming the op
  const shape = def.shape(inputs, attrs);
  const out = def.forward(inputs, attrs, shape);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    const vjp = def.vjp;
    if (!vjp) throw new GpugradError(`${name}: this op has no gradient; run it under noGrad()`);
    out.requiresGrad = true;
    out.node = { op: name, inputs, vjp: (dy) => vjp(dy, inputs, out, attrs) };
  }
  return out;
}
