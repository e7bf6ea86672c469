// Losses, as compositions of table ops (so their gradients come for free), each with a
// `reduction`: 'mean' (default), 'sum', or 'none' (the per-element or per-row losses).

import { ShapeError, TypeError } from '../errors.ts';
import { Tensor, formatShape } from '../tensor.ts';
import { checkNumber, checkOneOf, checkTensor, describe } from './args.ts';
import { fromData } from './creation.ts';
import { abs, add, equal, exp, lessEqual, log, mul, neg, relu, square, sub, where } from './elementwise.ts';
import { gather } from './indexing.ts';
import { composite, type FunctionOp, type Op } from './op.ts';
import { mean, sum } from './reduce.ts';
import { reshape } from './shape.ts';
import { logSoftmax } from './softmax.ts';

/** How a loss folds its per-element (or per-row) values. */
export type Reduction = 'mean' | 'sum' | 'none';
/** Options every loss takes. */
export interface LossOptions { reduction?: Reduction }

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

function checkReduction(op: string, options: LossOptions): Reduction {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: options must be an object like { reduction: 'mean' }, got ${describe(options)}`);
  return checkOneOf(op, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
}

function reduce(op: string, losses: Tensor, options: LossOptions): Tensor {
  const reduction = checkReduction(op, options);
  return reduction === 'none' ? losses : reduction === 'sum' ? sum(losses) : mean(losses);
}

function samePair(op: string, pred: unknown, target: unknown): [Tensor, Tensor] {
  const p = checkTensor(op, 'pred', pred);
  const t = checkTensor(op, 'target', target);
  if (formatShape(p.shape) !== formatShape(t.shape)) throw new ShapeError(`${op}: pred ${formatShape(p.shape)} and target ${formatShape(t.shape)} differ`);
  return [p, t];
}

/** Squared error (pred - target)², reduced (default: the mean over all elements); shapes must match. */
export const mseLoss: FunctionOp<[pred: Tensor, target: Tensor, options?: LossOptions]> = composite({ note: '(pred − target)², reduction', method: false }, (op) => (pred: Tensor, target: Tensor, options: LossOptions = {}) => {
  const [p, t] = samePair(op.publicName, pred, target);
  return reduce(op.publicName, square(sub(p, t)), options);
});

/** Absolute error |pred - target|, reduced; its gradient at 0 is 0. */
export const l1Loss: Op<[pred: Tensor, target: Tensor, options?: LossOptions]> = composite({ note: '|pred − target|, reduction', method: false }, (op) => (pred: Tensor, target: Tensor, options: LossOptions = {}) => {
  const [p, t] = samePair(op.publicName, pred, target);
  return reduce(op.publicName, abs(sub(p, t)), options);
});

/** Huber loss: ½d² where |d| ≤ delta, delta·(|d| − ½delta) beyond (d = pred − target; delta default 1), reduced. */
export const huberLoss: FunctionOp<[pred: Tensor, target: Tensor, options?: LossOptions & { delta?: number }]> = composite({ note: '½d² inside delta, linear beyond, reduction', method: false },
  (op) => (pred: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}) => {
    const [p, t] = samePair(op.publicName, pred, target);
    checkReduction(op.publicName, options);
    const delta = checkNumber(op.publicName, 'delta', options.delta ?? 1, { finite: true, above: 0 });
    const d = abs(sub(p, t));
    return reduce(op.publicName, where(lessEqual(d, delta), mul(square(d), 0.5), mul(sub(d, 0.5 * delta), delta)), options);
  });

/**
 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed from the logits
 * without forming the sigmoid: max(x, 0) − x·t + log(1 + e^−|x|). Shapes must match.
 */
export const binaryCrossEntropyWithLogits: FunctionOp<[logits: Tensor, targets: Tensor, options?: LossOptions]> = composite({ note: 'stable, from logits; reduction', method: false },
  (op) => (logits: Tensor, targets: Tensor, options: LossOptions = {}) => {
    const [x, t] = samePair(op.publicName, logits, targets);
    return reduce(op.publicName, add(sub(relu(x), mul(x, t)), log(add(exp(neg(abs(x))), 1))), options);
  });

/**
 * Cross-entropy of softmax(logits) against labels: logits [N, C]; labels are class indices
 * (a [N] tensor or an array of N integers in [0, C)) or a [N, C] tensor of probabilities.
 * Reduced over rows (default: the mean). A logit of -Infinity (a masked class) contributes
 * nothing; an index tensor entry out of range gives NaN.
 */
export const softmaxCrossEntropy: FunctionOp<[logits: Tensor, labels: Tensor | ArrayLike<number>, options?: LossOptions]> = composite({ note: 'logits [N, C]; class indices (tensor or array) or probabilities', method: false },
  (op) => (logits: Tensor, labels: Tensor | ArrayLike<number>, options: LossOptions = {}) => {
    const name = op.publicName;
    const x = checkTensor(name, 'logits', logits);
    if (x.rank !== 2) throw new ShapeError(`${name}: logits must be [N, C], got ${formatShape(x.shape)}`);
    const [rows, classes] = x.shape;
    checkReduction(name, options);
    if (labels instanceof Tensor && labels.rank === 2) {
      checkTensor(name, 'labels', labels);
      if (formatShape(labels.shape) !== formatShape(x.shape)) {
        throw new ShapeError(`${name}: probability labels ${formatShape(labels.shape)} do not match logits ${formatShape(x.shape)}`);
      }
      // 0 · log p is 0 even where p is 0 (log p = -inf): the where keeps NaN out.
      return reduce(name, neg(sum(where(equal(labels, 0), 0, mul(labels, logSoftmax(x))), 1)), options);
    }
    const indices = classIndices(name, labels, rows, classes);
    return reduce(name, neg(reshape(gather(logSoftmax(x), indices, 1), [rows])), options);
  });

/** Class indices as a [N, 1] tensor: a [N] tensor, or N integers checked against [0, classes). */
function classIndices(op: string, labels: unknown, rows: number, classes: number): Tensor {
  if (labels instanceof Tensor) {
    checkTensor(op, 'labels', labels);
    if (labels.rank !== 1 || labels.size !== rows) {
      throw new ShapeError(`${op}: labels ${formatShape(labels.shape)} must be [${rows}] class indices or [${rows},${classes}] probabilities`);
    }
    return reshape(labels, [rows, 1]);
  }
  if (!Array.isArray(labels) && !ArrayBuffer.isView(labels)) {
    throw new TypeError(`${op}: labels must be a Tensor of class indices or probabilities, or an array of class indices, got ${describe(labels)}`);
  }
  const list = Array.from(labels as ArrayLike<number>);
  if (list.length !== rows) throw new ShapeError(`${op}: ${list.length} labels for logits with ${rows} rows`);
  list.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= classes) {
      throw new ShapeError(`${op}: label ${String(c)} at row ${i} is not a class index in [0, ${classes})`);
    }
  });
  return fromData(Float32Array.from(list), [rows, 1]);
}
