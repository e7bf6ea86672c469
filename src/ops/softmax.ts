// Softmax and log-softmax over the last axis (softmax.wgsl), and the two losses, which are
// compositions of table ops (so their gradients come for free).

import { getDevice } from '../device/device.ts';
import { sources } from '../device/shaders.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';
import { exp, mul, neg, square, sub } from './elementwise.ts';
import { fromData } from './creation.ts';
import { grid } from './launch.ts';
import { runOp, type OpDef } from './op.ts';
import { mean, sum } from './reduce.ts';

function launchSoftmax(isLog: boolean, x: Tensor, shape: Shape): Tensor {
  const op = isLog ? 'logSoftmax' : 'softmax';
  if (x.rank === 0) throw new ShapeError(`${op}: needs at least one axis, got a scalar`);
  const cols = shape[shape.length - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  const kernel = { name: op, source: sources.softmax, constants: { LOG: isLog ? 1 : 0 } };
  getDevice().dispatch(kernel, [x.buffer(op)], [out.buffer(op)], new Uint32Array([rows, cols, 0, 0]).buffer, grid(rows, 1));
  return out;
}

type None = Record<string, never>;

export const softmaxOps = {
  // d softmax: dx = y (dy - sum(dy y, last axis))
  softmax: {
    shape: ([x]) => x.shape,
    forward: ([x], _, shape) => launchSoftmax(false, x, shape),
    vjp: (dy, _, y) => [mul(y, sub(dy, sum(mul(dy, y), -1, true)))],
  } satisfies OpDef<None>,
  // d logSoftmax: dx = dy - softmax(x) sum(dy, last axis), softmax(x) = exp(out)
  logSoftmax: {
    shape: ([x]) => x.shape,
    forward: ([x], _, shape) => launchSoftmax(true, x, shape),
    vjp: (dy, _, out) => [sub(dy, mul(exp(out), sum(dy, -1, true)))],
  } satisfies OpDef<None>,
};

/** exp(x) / sum(exp(x)) over the last axis, computed stably (minus the row max). */
export const softmax = (x: Tensor): Tensor => runOp('softmax', softmaxOps.softmax, [x], {});
/** log(softmax(x)) over the last axis, without forming softmax (no log of an underflowed 0). */
export const logSoftmax = (x: Tensor): Tensor => runOp('logSoftmax', softmaxOps.logSoftmax, [x], {});

/** Mean squared error: mean((pred - target)^2) over all elements; shapes must match. */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  if (formatShape(pred.shape) !== formatShape(target.shape)) {
    throw new ShapeError(`mseLoss: pred ${formatShape(pred.shape)} and target ${formatShape(target.shape)} differ`);
  }
  return mean(square(sub(pred, target)));
}

/**
 * Cross-entropy of softmax(logits) against labels, averaged over rows: logits [N, C];
 * labels either class indices (N integers in [0, C)) or a [N, C] tensor of probabilities.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor | ArrayLike<number>): Tensor {
  if (logits.rank !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be [N, C], got ${formatShape(logits.shape)}`);
  const [rows, classes] = logits.shape;
  // A one-hot target made here stays alive with the graph (mul's VJP reads it); tidy() frees it.
  const target = labels instanceof Tensor ? labels : oneHot(labels, rows, classes);
  if (formatShape(target.shape) !== formatShape(logits.shape)) {
    throw new ShapeError(`softmaxCrossEntropy: labels ${formatShape(target.shape)} do not match logits ${formatShape(logits.shape)}`);
  }
  return neg(mul(sum(mul(target, logSoftmax(logits))), 1 / rows));
}

function oneHot(labels: ArrayLike<number>, rows: number, classes: number): Tensor {
  if (labels.length !== rows) {
    throw new ShapeError(`softmaxCrossEntropy: ${labels.length} labels for logits with ${rows} rows`);
  }
  const data = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new ShapeError(`softmaxCrossEntropy: label ${c} at row ${i} is not a class index in [0, ${classes})`);
    }
    data[i * classes + c] = 1;
  }
  return fromData(data, [rows, classes]);
}
