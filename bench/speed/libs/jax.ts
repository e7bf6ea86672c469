// jax-js 0.1.25 on its WebGPU or Wasm device, written as its users write it: a pure loss of a
// parameter tree, valueAndGrad, and the whole SGD step (and the forward pass) under jit(),
// which fuses it into few kernels. Arrays are reference-counted: each use consumes one
// reference, so .ref / tree.ref keep what is used again.

import * as jax from '@jax-js/jax';
import type { MlpData } from '../reference.ts';
import type { MatmulTask, MlpTask, Runner } from './types.ts';

const np = jax.numpy;
type Params = { w: jax.Array; b: jax.Array }[];

/** data() takes the array's reference (as every jax-js function does), so it frees t. */
async function read(t: jax.Array): Promise<Float32Array> {
  return Float32Array.from(await t.data() as Float32Array);
}

export function jaxRunner(device: 'webgpu' | 'wasm'): Runner {
  const use = () => { jax.defaultDevice(device); };
  return {
    id: device === 'webgpu' ? 'jax-webgpu' : 'jax-wasm',
    async init() {
      const devices = await jax.init(device);
      if (!devices.includes(device)) throw new Error(`jax.init('${device}') did not start the ${device} device (got ${devices.join(', ') || 'none'})`);
      use();
      return `jax-js on ${device}`;
    },
    async matmul(aValues, bValues, n): Promise<MatmulTask> {
      use();
      const a = np.array(aValues, { shape: [n, n], device });
      const b = np.array(bValues, { shape: [n, n], device });
      return {
        run: () => { use(); return read(np.matmul(a.ref, b.ref)); },
        dispose: () => { a.dispose(); b.dispose(); },
      };
    },
    async mlp(data: MlpData, lr: number): Promise<MlpTask> {
      use();
      const { spec } = data;
      let params: Params = data.layers.map((l) => ({
        w: np.array(l.w, { shape: [l.in, l.out], device }),
        b: np.array(l.b, { shape: [l.out], device }),
      }));
      const x = np.array(data.x, { shape: [spec.batch, spec.inputs], device });
      const y = np.array(data.y, { shape: [spec.batch, spec.outputs], device });
      const act = spec.activation === 'relu' ? jax.nn.relu : np.tanh;
      const forward = (p: Params, input: jax.Array): jax.Array => {
        let h = input;
        p.forEach((layer, i) => {
          h = np.matmul(h, layer.w).add(layer.b);
          if (i < p.length - 1) h = act(h);
        });
        return h;
      };
      const lossOf = (p: Params, input: jax.Array, target: jax.Array): jax.Array => np.mean(np.square(forward(p, input).sub(target)));
      const step = jax.jit((p: Params, input: jax.Array, target: jax.Array) => {
        const [loss, grads] = jax.valueAndGrad(lossOf)(jax.tree.ref(p), input, target);
        const next = jax.tree.map((w: jax.Array, g: jax.Array) => w.sub(g.mul(lr)), p, grads as Params) as Params;
        return [loss, next] as [jax.Array, Params];
      });
      const infer = jax.jit(forward);
      return {
        async train() {
          use();
          const [loss, next] = step(params, x.ref, y.ref);
          params = next;
          return (await read(loss))[0];
        },
        async forward() {
          use();
          return read(infer(jax.tree.ref(params), x.ref));
        },
        dispose() {
          jax.tree.dispose(params);
          x.dispose();
          y.dispose();
          step.dispose();
          infer.dispose();
        },
      };
    },
  };
}
