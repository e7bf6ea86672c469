// Fan-in and fan-out of a weight shape: one convention for the whole library.
// A 2-D weight is [in, out], the layout `x.matmul(w)` uses, so fanIn = in, fanOut = out.
// Higher ranks follow the [..., in, out] convolution layout (TensorFlow's): the leading
// dimensions are the receptive field and multiply both fans. A 1-D shape (a bias) has
// fanIn = fanOut = its length.

import { ShapeError } from '../errors.ts';
import { formatShape, type Shape } from '../tensor.ts';

/** Fan-in and fan-out of a weight shape; see computeFans(). */
export interface Fans { fanIn: number; fanOut: number }

/**
 * The fans of a weight shape: [in, out] gives fanIn = in, fanOut = out; [..., in, out] multiplies
 * both by the leading (receptive-field) sizes; a 1-D shape has both equal to its length.
 * `override` replaces either. Throws ShapeError when a fan is not positive.
 */
export function computeFans(shape: Shape, override: Partial<Fans> = {}): Fans {
  let fans: Fans;
  if (shape.length === 0) fans = { fanIn: 1, fanOut: 1 };
  else if (shape.length === 1) fans = { fanIn: shape[0], fanOut: shape[0] };
  else {
    const receptive = shape.slice(0, -2).reduce((n, d) => n * d, 1);
    fans = { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
  }
  const result = { fanIn: override.fanIn ?? fans.fanIn, fanOut: override.fanOut ?? fans.fanOut };
  if (!(result.fanIn > 0 && result.fanOut > 0)) {
    throw new ShapeError(`init: fans must be positive, got fanIn ${result.fanIn}, fanOut ${result.fanOut} for shape ${formatShape(shape)}`);
  }
  return result;
}
