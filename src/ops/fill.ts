// fill.wgsl's two kernels behind one launcher: a tensor with `value` everywhere (full, zeros,
// ones) or on the main diagonal of its last two axes (init.identity).

import { getDevice } from '../device/device.ts';
import { sources } from '../device/shaders.ts';
import { Tensor, type Shape } from '../tensor.ts';
import { grid } from './launch.ts';

/** A new tensor filled on the GPU; `op` names the caller in errors. The shape must already be checked. */
export function fillTensor(op: string, shape: Shape, value: number, requiresGrad = false, entryPoint: 'main' | 'eye' = 'main'): Tensor {
  const t = Tensor.empty(shape);
  t.requiresGrad = requiresGrad;
  if (t.size === 0) return t;
  const params = new ArrayBuffer(16);
  new Uint32Array(params).set([t.size, 0, shape[shape.length - 1] ?? 1, 0]); // size, value, cols
  new Float32Array(params)[1] = value;
  // 4 elements per invocation, 64 invocations per workgroup (fill.wgsl).
  getDevice().dispatch({ name: entryPoint === 'eye' ? 'eye' : 'fill', source: sources.fill, entryPoint }, [], [t.buffer(op)], params, grid(t.size, 256));
  return t;
}
