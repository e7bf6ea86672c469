// What an op is. Every op is one entry of the op table: an exported constant of a family file
// (elementwise.ts, reduce.ts, ...) whose export name is the op's public name. The table
// (table.ts) collects those exports and names each op after its key, so the name is written
// once: it is the function users call, the Tensor method, the name in errors, and, for the
// elementwise families, the WGSL function `op_<snake_case name>`.
//
// A primitive op has a shape rule that runs before any GPU work, a forward that dispatches its
// kernel, and a vector-Jacobian product (VJP) written with other ops. A composite op is a
// function of other ops: its gradient comes from theirs. Internal ops (fused backward kernels,
// tensor-number forms) hang off the public op they serve, in `kernels`, and report errors in
// its public name.

import type { InputGrad } from '../autograd.ts';
import type { Family } from '../device/shaders.ts';
import { GpugradError, TypeError } from '../errors.ts';
import { checkOutput, isCheckingNumerics } from '../debug.ts';
import { isGradEnabled } from '../grad-mode.ts';
import { Tensor, type Shape } from '../tensor.ts';
import { describe } from './args.ts';

/** Names an op for its kernels and its errors. */
export interface OpInfo {
  /** The table key: 'relu', or an internal op's own key such as 'reluGrad'. */
  readonly name: string;
  /** What users called: the op itself, or for an internal op the public op it serves. */
  readonly publicName: string;
}

/** A primitive op's definition. */
export interface OpDef<A> {
  /** The output shape; throws ShapeError naming the op and the input shapes. */
  shape: (inputs: Tensor[], attrs: A, op: OpInfo) => Shape;
  /** Makes the output (usually Tensor.empty(shape) plus one dispatch). */
  forward: (inputs: Tensor[], attrs: A, shape: Shape, op: OpInfo) => Tensor;
  /**
   * Gradients for each input from dy (a function for one that costs work: it runs only when
   * that input requires a gradient). 'none': the output is a constant (comparisons, argmax);
   * null: an internal kernel that is itself a gradient, never differentiated.
   */
  vjp: ((dy: Tensor, inputs: Tensor[], out: Tensor, attrs: A) => InputGrad[]) | 'none' | null;
  /**
   * For an op whose output is act(z) (linear with an activation): the activation, or null where
   * there is none, and the VJP given dL/dz (act' already applied by the consumer). See
   * TapeNode.pre in autograd.ts.
   */
  pre?: {
    activation: (attrs: A) => { activation: string; alpha: number } | null;
    vjp: (dz: Tensor, inputs: Tensor[], out: Tensor, attrs: A) => InputGrad[];
  };
}

/** Table metadata of an op besides its function. */
export interface OpMeta {
  /** One line for the README's "ops at a glance" table. */
  note: string;
  /** Whether Tensor gets a method of this name (default true; false for where, concat, ...). */
  method?: boolean;
  /** For elementwise primitives: the WGSL family file that defines `op_<name>`. */
  family?: Family;
  /** Internal ops this one dispatches, by their table keys. */
  kernels?: Record<string, Op>;
  /** A composite whose output is a constant for autograd (oneHot): no gradient flows through it. */
  isConstant?: boolean;
}

/** Marks an object as an op, so the table can tell ops from other exports; its value says whether Tensor gets a method. */
export const OP_BRAND: unique symbol = Symbol('gpugrad.op');

/**
 * An op: the function users call, with its table entry attached. `IsMethod` is false for ops
 * that are functions only (where, concat, the losses). Exported ops carry their type
 * explicitly (`Op<[x: Tensor]>`): Tensor's methods are derived from these types, and an
 * inferred one would make the Tensor type depend on itself.
 */
export interface Op<Args extends unknown[] = any[], R = Tensor, IsMethod extends boolean = boolean> { // eslint-disable-line @typescript-eslint/no-explicit-any
  (...args: Args): R;
  readonly [OP_BRAND]: IsMethod;
  readonly info: OpInfo;
  /** The primitive's definition; null for a composite. */
  readonly def: OpDef<unknown> | null;
  readonly meta: OpMeta;
}

/** An op that is also a Tensor method: `x.op(...)`. */
export type MethodOp<Args extends unknown[], R = Tensor> = Op<Args, R, true>;
/** An op that is a function only. */
export type FunctionOp<Args extends unknown[], R = Tensor> = Op<Args, R, false>;

export function isOp(value: unknown): value is Op<never[], unknown> {
  return typeof value === 'function' && OP_BRAND in value;
}

/** A tensor, or a number that stands for a tensor of that value broadcast to the other operand's shape. */
export type Operand = Tensor | number;
/** The type of f(x). */
export type UnaryOp = Op<[x: Tensor], Tensor, true>;
/** The type of f(a, b) on tensors or numbers. */
export type BinaryOp = Op<[a: Operand, b: Operand], Tensor, true>;

// The result's IsMethod is `any`: the export's declared type (MethodOp or FunctionOp) states it
// for TypeScript, and meta.method for the prototype; the two must agree (a function-only op is
// declared FunctionOp with `method: false`).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Made<Args extends unknown[], R> = Op<Args, R, any>;

function makeOp<Args extends unknown[], R>(def: OpDef<unknown> | null, meta: OpMeta, fn: (info: OpInfo) => (...args: Args) => R): Made<Args, R> {
  const info = { name: '', publicName: '' };
  const call = fn(info);
  const op = ((...args: Args) => {
    if (!info.name) throw new GpugradError('gpugrad: an op ran before the op table named it (import from the package index)');
    return call(...args);
  }) as Made<Args, R>;
  Object.assign(op, { info, def, meta, [OP_BRAND]: meta.method !== false });
  return op;
}

/**
 * Runs a primitive: inputs, attributes, and the tensors `call` made for this call alone (a
 * number operand's 0-d tensor, uploaded indices). Those are freed at once when no gradient is
 * recorded; otherwise the graph holds them, like any intermediate, until its tidy() ends.
 */
export type Run<A> = (inputs: Tensor[], attrs: A, temporaries?: Tensor[]) => Tensor;

/**
 * A primitive op. `call` turns the public arguments into inputs and attributes and runs the
 * op through `run`; it validates what `run` cannot (numbers, names, options).
 */
export function primitive<A, Args extends unknown[]>(def: OpDef<A>, meta: OpMeta,
  call: (run: Run<A>, info: OpInfo) => (...args: Args) => Tensor): Made<Args, Tensor> {
  return makeOp(def as OpDef<unknown>, meta, (info) => call((inputs, attrs, temporaries = []) => {
    const out = runOp(info, def, inputs, attrs);
    if (!out.node) for (const t of temporaries) t.dispose();
    return out;
  }, info));
}

/** A composite op: a function of other ops, whose gradient comes from theirs. */
export function composite<Args extends unknown[], R = Tensor>(meta: OpMeta, fn: (info: OpInfo) => (...args: Args) => R): Made<Args, R> {
  return makeOp(null, meta, fn);
}

/** Names an op after its table key; internal ops report errors under their public op's name. */
export function nameOp(op: Op<never[], unknown>, name: string, publicName: string): void {
  Object.assign(op.info, { name, publicName });
}

/** Validates the inputs, runs the forward, and records a tape node when a gradient is wanted. */
export function runOp<A>(info: OpInfo, def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor {
  inputs.forEach((input, i) => {
    if (!(input instanceof Tensor)) throw new TypeError(`${info.publicName}: input ${i} must be a Tensor, got ${describe(input)}`);
    input.buffer(info.publicName); // throws DisposedError naming the op
  });
  const shape = def.shape(inputs, attrs, info);
  const out = def.forward(inputs, attrs, shape, info);
  if (isCheckingNumerics()) checkOutput(info.publicName, inputs.map((t) => t.shape), out);
  const vjp = def.vjp;
  if (vjp !== 'none' && isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    if (!vjp) throw new GpugradError(`${info.publicName}: this op has no gradient; run it under noGrad()`);
    out.requiresGrad = true;
    out.node = { op: info.name, inputs, vjp: (dy) => vjp(dy, inputs, out, attrs) };
    const act = def.pre?.activation(attrs);
    if (act) out.node.pre = { ...act, vjp: (dz) => def.pre!.vjp(dz, inputs, out, attrs) };
  }
  return out;
}
