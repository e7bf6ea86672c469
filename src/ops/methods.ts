// Tensor methods, attached in one place: every public op whose first argument is a tensor is
// also a method (`x.relu()`, `x.sum(0, true)`), unless its table entry says otherwise, plus
// backward(). The Tensor class itself knows no op, so tensor.ts, the op files and the
// autograd engine do not import each other in a circle.

import { backward, type BackwardOptions } from '../autograd.ts';
import { Tensor } from '../tensor.ts';
import { OP_BRAND } from './op.ts';
import { publicOps, type PublicOps } from './table.ts';

// Typed from each op's declared signature without comparing Tensor's structure (which would
// make Tensor's type depend on itself): the brand says method or not, inference drops x.
type Rest<F> = F extends (...args: infer A) => infer Out ? (A extends [unknown, ...infer R] ? (...rest: R) => Out : never) : never;
type MethodNames = { [K in keyof PublicOps]: PublicOps[K] extends { readonly [OP_BRAND]: true } ? K : never }[keyof PublicOps];

/** The op methods of Tensor: `x.op(...rest)` is `op(x, ...rest)`; `var` is variance's PyTorch name. */
export type TensorMethods = {
  /** The op of this name with this tensor as its first argument: `x.relu()` is `relu(x)`; see the function for its arguments. */
  [K in MethodNames]: Rest<PublicOps[K]>;
} & {
  /** `variance(this, axis, options)` under PyTorch's name. */
  var: Rest<PublicOps['variance']>;
  /** Runs reverse-mode autodiff from this tensor (see autograd.ts): a seed for non-scalars, { retainGraph } to run twice. */
  backward(seed?: Tensor | BackwardOptions, options?: BackwardOptions): void;
};

const proto = Tensor.prototype as unknown as Record<string, unknown>;
for (const [name, op] of Object.entries(publicOps as unknown as Record<string, ((...args: unknown[]) => unknown) & { [OP_BRAND]: boolean }>)) {
  if (!op[OP_BRAND]) continue;
  proto[name] = function (this: Tensor, ...rest: unknown[]) { return op(this, ...rest); };
}
proto.var = proto.variance;
proto.backward = function (this: Tensor, seed?: Tensor | BackwardOptions, options?: BackwardOptions) { backward(this, seed, options); };

export { Tensor };
