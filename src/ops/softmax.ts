// Softmax and log-softmax over the last axis (softmax.wgsl): one workgroup per row, the row
// max subtracted before exp.

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { ShapeError } from '../errors.ts';
import { Tensor, formatShape, type Shape } from '../tensor.ts';
import { checkTensor } from './args.ts';
import { exp, mul, sub } from './elementwise.ts';
import { grid } from './launch.ts';
import { primitive, type MethodOp, type OpDef } from './op.ts';
import { sum } from './reduce.ts';

function launchSoftmax(isLog: boolean, x: Tensor, shape: Shape, op: string): Tensor {
  const cols = shape[shape.length - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = Tensor.empty(shape, op);
  if (out.size === 0) return out;
  getDevice().dispatch({ shader: shaders.softmax, constants: { LOG: isLog ? 1 : 0 } }, [x.buffer(op)], [out.buffer(op)], { rows, cols }, grid(rows, 1));
  return out;
}

const lastAxis = (isLog: boolean, vjp: OpDef<unknown>['vjp'], note: string) => primitive<unknown, [x: Tensor]>({
  shape: ([x], _, op) => {
    if (x.rank === 0) throw new ShapeError(`${op.publicName}: needs at least one axis, got a scalar ${formatShape(x.shape)}`);
    return x.shape;
  },
  forward: ([x], _, shape, op) => launchSoftmax(isLog, x, shape, op.publicName),
  vjp,
}, { note }, (run, op) => (x) => run([checkTensor(op.publicName, 'x', x)], {}));

// d softmax: dx = y (dy - sum(dy y, last axis))
/** exp(x) / sum(exp(x)) over the last axis, computed stably (minus the row max). */
export const softmax: MethodOp<[x: Tensor]> = lastAxis(false, (dy, _, y) => [mul(y, sub(dy, sum(mul(dy, y), -1, true)))], 'over the last axis, stable');
// d logSoftmax: dx = dy - softmax(x) sum(dy, last axis), softmax(x) = exp(out)
/** log(softmax(x)) over the last axis, without forming softmax (no log of an underflowed 0). */
export const logSoftmax: MethodOp<[x: Tensor]> = lastAxis(true, (dy, _, out) => [sub(dy, mul(exp(out), sum(dy, -1, true)))], 'log of softmax, never log of 0');
