// Reverse-mode autodiff, define-by-run. Every op run while some input requires a gradient
// leaves a TapeNode on its output (the op's name, its inputs, and a closure over its VJP).
// backward() collects the nodes that lead to the loss, walks them newest first (creation
// order is a topological order), calls each VJP once, sums gradients where a tensor feeds
// several ops, undoes broadcasting once here (not in each VJP), and leaves .grad on leaves.
// Where an op's output is act(z) and feeds only one op that can apply act' in its own gradient
// kernel (linear after linear), that op does, and the producer's VJP starts from dL/dz.

import { GpugradError, ShapeError, TypeError } from './errors.ts';
import { describe } from './ops/args.ts';
import { noGrad } from './grad-mode.ts';
import { tidy, untrack } from './scope.ts';
import { Tensor, formatShape } from './tensor.ts';
import { add } from './ops/elementwise.ts';
import { ones } from './ops/creation.ts';
import { sumTo } from './ops/reduce.ts';

export { isGradEnabled, noGrad } from './grad-mode.ts';

/**
 * An input's gradient as a VJP gives it: a tensor, a function that computes it (called only
 * when that input requires a gradient, so a VJP never pays for one nobody wants), a
 * FoldableGrad, or null.
 */
export type InputGrad = Tensor | (() => Tensor) | FoldableGrad | null;

/**
 * An input gradient that can also come out multiplied by act'(y), where y, the input, is the
 * output of an op with an activation (see TapeNode.pre): one kernel instead of two.
 */
export interface FoldableGrad { plain: () => Tensor; folded: (fold: Fold) => Tensor }
/** The activation whose derivative a folded gradient applies, at y (the input itself). */
export interface Fold { activation: string; alpha: number; y: Tensor }

/** The record an op leaves on its output for backward(): the op, its inputs and its VJP. */
export interface TapeNode {
  op: string;
  inputs: Tensor[];
  /** Gradients for each input given the output's gradient; null once a backward() has used it. */
  vjp: ((dy: Tensor) => InputGrad[]) | null;
  /**
   * Where the output is act(z) (linear with an activation): the activation, and the VJP
   * given dL/dz, the gradient with act' already applied. backward() uses it when the one op
   * that consumes the output gave its input gradient folded (FoldableGrad).
   */
  pre?: { activation: string; alpha: number; vjp: ((dz: Tensor) => InputGrad[]) | null };
}

/** Options of backward(). */
export interface BackwardOptions {
  /**
   * Keep the graph for another backward() through it (default false). As in PyTorch, a
   * backward() frees the graph it walked; a second one through the same graph then throws.
   */
  retainGraph?: boolean;
}

/**
 * Computes d(root)/d(leaf) for every leaf with requiresGrad that root depends on, adding it
 * into leaf.grad. A root with more than one element needs an explicit `seed` (dL/droot).
 * The graph is freed as it is walked unless `retainGraph` is set.
 */
export function backward(root: Tensor, seedOrOptions?: Tensor | BackwardOptions, options: BackwardOptions = {}): void {
  if (!(root instanceof Tensor)) throw new TypeError(`backward: expected a Tensor, got ${describe(root)}`);
  const seed = seedOrOptions instanceof Tensor ? seedOrOptions : undefined;
  if (seedOrOptions !== undefined && !seed) {
    if (typeof seedOrOptions !== 'object' || seedOrOptions === null) {
      throw new TypeError(`backward: the first argument is a seed Tensor or { retainGraph }, got ${describe(seedOrOptions)}`);
    }
    options = seedOrOptions as BackwardOptions;
  }
  const retainGraph = options.retainGraph ?? false;
  if (!root.requiresGrad) {
    throw new GpugradError(`backward: the tensor of shape ${formatShape(root.shape)} does not require grad ` +
      '(no input of the ops that made it has requiresGrad: true).');
  }
  if (seed && formatShape(seed.shape) !== formatShape(root.shape)) {
    throw new ShapeError(`backward: seed has shape ${formatShape(seed.shape)}, output has ${formatShape(root.shape)}`);
  }
  if (!seed && root.size !== 1) {
    throw new ShapeError(`backward: output has shape ${formatShape(root.shape)}; only a one-element output gets ` +
      'the implicit seed 1, pass backward(seed) with dL/doutput for others.');
  }
  const nodes = reachableNodes(root);
  const consumers = countConsumers(nodes);
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>([[root, seed ?? ones(root.shape)]]);
    // Gradients with respect to a node's pre-activation z, act' applied by its consumer.
    const preGrads = new Map<Tensor, Tensor>();
    for (const t of nodes) {
      const dy = grads.get(t);
      const dz = preGrads.get(t);
      if (!dy && !dz) continue;
      grads.delete(t);
      preGrads.delete(t);
      if (dy && t.retainsGrad) accumulateLeaf(t, dy.alias());
      const node = t.node!;
      const vjp = dz ? node.pre!.vjp! : node.vjp!;
      if (!retainGraph) {
        node.vjp = null;
        if (node.pre) node.pre.vjp = null;
      }
      const incoming = (dz ?? dy)!;
      const folded = new Set<number>();
      // The VJP's temporaries die with it; only the gradients it returns live on.
      const dxs = tidy(() => vjp(incoming).map((g, i) => {
        if (g === null || g instanceof Tensor) return g;
        const input = node.inputs[i];
        if (!input.requiresGrad) return null;
        if (typeof g === 'function') return g();
        const fold = foldFor(input, consumers);
        if (!fold) return g.plain();
        folded.add(i);
        return g.folded(fold);
      }));
      const handedOut = new Set<Tensor>([incoming]);
      node.inputs.forEach((input, i) => {
        let dx = dxs[i];
        if (!dx || !input.requiresGrad) return;
        // Each gradient gets its own handle: a VJP may pass dy through (add) or return one
        // tensor twice (x * x), and every receiver disposes its own.
        if (handedOut.has(dx)) dx = dx.alias();
        handedOut.add(dx);
        if (folded.has(i)) {
          preGrads.set(input, dx); // the same shape as the input: the folding op is linear, 2-D
          return;
        }
        const g = sumTo(dx, input.shape);
        if (g !== dx) dx.dispose();
        if (input.isLeaf) accumulateLeaf(input, g);
        else grads.set(input, accumulate(grads.get(input), g));
      });
      if (incoming !== seed) incoming.dispose();
    }
    if (root.isLeaf) accumulateLeaf(root, seed ? add(seed, 0) : grads.get(root)!);
  });
}

/** Non-leaf tensors that lead to root through recorded nodes, newest first. */
function reachableNodes(root: Tensor): Tensor[] {
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.node) continue;
    if (!t.node.vjp) {
      throw new GpugradError(`backward: the graph through '${t.node.op}' (shape ${formatShape(t.shape)}) was freed by an ` +
        'earlier backward(); pass { retainGraph: true } to the first backward() to run backward twice.');
    }
    seen.add(t);
    for (const input of t.node.inputs) {
      if (input.isDisposed) {
        throw new GpugradError(`backward: an input of '${t.node.op}' (shape ${formatShape(input.shape)}) was disposed ` +
          'before backward(); call backward() inside the tidy() that ran the forward pass.');
      }
      if (input.requiresGrad) stack.push(input);
    }
  }
  return [...seen].sort((a, b) => b.id - a.id);
}

/** How many inputs of the nodes that lead to the loss each tensor is (x * x counts twice). */
function countConsumers(nodes: Tensor[]): Map<Tensor, number> {
  const counts = new Map<Tensor, number>();
  for (const t of nodes) for (const input of t.node!.inputs) counts.set(input, (counts.get(input) ?? 0) + 1);
  return counts;
}

/**
 * Whether an input's gradient may come folded: it was made by an op with an activation, and
 * this consumer is the only source of its gradient (its dL/dy is never needed on its own:
 * no other consumer adds to it, and no retainGrad() keeps it).
 */
function foldFor(input: Tensor, consumers: Map<Tensor, number>): Fold | null {
  const pre = input.node?.pre;
  if (!pre?.vjp || input.retainsGrad || consumers.get(input) !== 1) return null;
  return { activation: pre.activation, alpha: pre.alpha, y: input };
}

function accumulate(total: Tensor | undefined, g: Tensor): Tensor {
  if (!total) return g;
  const sum = add(total, g);
  total.dispose();
  g.dispose();
  return sum;
}

/** A leaf (or a retainGrad() tensor) owns its gradient: it outlives the tidy() that ran backward, until zeroGrad(). */
function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  const previous = leaf.grad;
  leaf.grad = previous ? add(previous, g) : g;
  if (previous) {
    previous.dispose();
    g.dispose();
  }
  untrack(leaf.grad);
}

/** Frees the gradients of the given tensors (an optimizer calls this before each step). */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}
