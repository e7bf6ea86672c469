// The op table: every op of the family files, named after its export. A family file's
// exported ops are its public ops; each op's `kernels` are internal ops it dispatches (fused
// backward kernels, tensor-number forms), named after their keys. Naming happens here, once,
// when the package loads; after that an op knows its name, its WGSL function and its public
// name for errors.

import * as elementwise from './elementwise.ts';
import * as indexing from './indexing.ts';
import * as linear from './linear.ts';
import * as losses from './losses.ts';
import * as matmul from './matmul.ts';
import * as reduce from './reduce.ts';
import * as shape from './shape.ts';
import * as softmax from './softmax.ts';
import { isOp, nameOp, OP_BRAND, type Op } from './op.ts';

const families = { elementwise, indexing, linear, losses, matmul, reduce, shape, softmax };

/** The public ops of a family module, by name. @internal */
type OpsOf<M> = { [K in keyof M as M[K] extends { readonly [OP_BRAND]: boolean } ? K : never]: M[K] };
/** Every public op, by name, with its exact signature. @internal */
export type PublicOps = OpsOf<typeof elementwise> & OpsOf<typeof indexing> & OpsOf<typeof linear> & OpsOf<typeof losses> & OpsOf<typeof matmul> &
  OpsOf<typeof reduce> & OpsOf<typeof shape> & OpsOf<typeof softmax>;

type AnyOp = Op<never[], unknown>;

function build(): { all: Record<string, AnyOp>; public: Record<string, AnyOp>; familyOf: Record<string, string> } {
  const all: Record<string, AnyOp> = {};
  const publicOps: Record<string, AnyOp> = {};
  const familyOf: Record<string, string> = {};
  const add = (op: AnyOp, name: string, publicName: string, family: string) => {
    if (name in all) throw new Error(`op table: two ops are named '${name}'`);
    nameOp(op, name, publicName);
    all[name] = op;
    familyOf[name] = family;
    for (const [key, kernel] of Object.entries(op.meta.kernels ?? {})) add(kernel as AnyOp, key, publicName, family);
  };
  for (const [family, module] of Object.entries(families)) {
    for (const [name, value] of Object.entries(module)) {
      if (!isOp(value)) continue;
      add(value, name, name, family);
      publicOps[name] = value;
    }
  }
  return { all, public: publicOps, familyOf };
}

const built = build();

/**
 * Every op, public and internal, by name: its definition, kernels and metadata. For the tests
 * and for extending gpugrad; not a stable API.
 * @internal
 */
export const opTable: Readonly<Record<string, AnyOp>> = built.all;
/** The ops users call, by name (the package exports each as a function). @internal */
export const publicOps = built.public as unknown as Readonly<PublicOps>;
/** Which family file (src/ops/<family>.ts) holds each op. @internal */
export const familyOf: Readonly<Record<string, string>> = built.familyOf;
/** @internal */
export type OpName = keyof PublicOps;
