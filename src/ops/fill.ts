// fill.wgsl's two kernels behind one launcher: a tensor with `value` everywhere (full, zeros,
// ones) or on the main diagonal of its last two axes (init.identity).

import { getDevice } from '../device/device.ts';
import { shaders } from '../device/shaders.ts';
import { Tensor, type Shape } from '../tensor.ts';
import { constantOf, grid } from './launch.ts';

/** A new tensor filled on the GPU; `op` names the caller in errors. The shape must already be checked. */
export function fillTensor(op: string, shape: Shape, value: number, requiresGrad = false, entryPoint: 'main' | 'eye' = 'main'): Tensor {
  const t = Tensor.empty(shape, op);
  t.requiresGrad = requiresGrad;
  if (t.size === 0) return t;
  const shader = shaders.fill;
  const perGroup = constantOf(shader, 'WG') * constantOf(shader, 'ITEMS');
  getDevice().dispatch({ shader, entryPoint }, [], [t.buffer(op)], { size: t.size, value, cols: shape[shape.length - 1] ?? 1 }, grid(t.size, perGroup));
  return t;
}
