// Reverse-mode autodiff, define-by-run. Every op run while some input requires a gradient
// leaves a TapeNode on its output (the op's name, its inputs, and a closure over its VJP).
// backward() collects the nodes that lead to the loss, walks them newest first (creation
// order is a topological order), calls each VJP once, sums gradients where a tensor feeds
// several ops, undoes broadcasting once here (not in each VJP), and leaves .grad on leaves.

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
 * when that input requires a gradient, so a VJP never pays for one nobody wants), or null.
 */
export type InputGrad = Tensor | (() => Tensor) | null;

/** The record an op leaves on its output for backward(): the op, its inputs and its VJP. */
export interface TapeNode {
  op: string;
  inputs: Tensor[];
  /** Gradients for each input given the output's gradient; null once a backward() has used it. */
  vjp: ((dy: Tensor) => InputGrad[]) | null;
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
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>([[root, seed ?? ones(root.shape)]]);
    for (const t of nodes) {
      const dy = grads.get(t);
      if (!dy) continue;
      grads.delete(t);
      if (t.retainsGrad) accumulateLeaf(t, dy.alias());
      const node = t.node!;
      const vjp = node.vjp!;
      if (!retainGraph) node.vjp = null;
      // The VJP's temporaries die with it; only the gradients it returns live on.
      const dxs = tidy(() => vjp(dy).map((g, i) => (typeof g !== 'function' ? g : node.inputs[i].requiresGrad ? g() : null)));
      const handedOut = new Set<Tensor>([dy]);
      node.inputs.forEach((input, i) => {
        let dx = dxs[i];
        if (!dx || !input.requiresGrad) return;
        // Each gradient gets its own handle: a VJP may pass dy through (add) or return one
        // tensor twice (x * x), and every receiver disposes its own.
        if (handedOut.has(dx)) dx = dx.alias();
        handedOut.add(dx);
        const g = sumTo(dx, input.shape);
        if (g !== dx) dx.dispose();
        if (input.isLeaf) accumulateLeaf(input, g);
        else grads.set(input, accumulate(grads.get(input), g));
      });
      if (dy !== seed) dy.dispose();
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
