// TensorFlow.js 4.22 on its WebGPU or Wasm backend, written as its users write it: variables,
// tf.train.sgd's minimize() with the loss read back, tf.tidy around the forward pass.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { MlpData } from '../reference.ts';
import { runnerConfig, type MatmulTask, type MlpTask, type Runner } from './types.ts';

async function read(t: tf.Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from(await t.data() as Float32Array);
  } finally {
    t.dispose();
  }
}

export function tfjsRunner(backend: 'webgpu' | 'wasm'): Runner {
  // One tf for both backends: each call makes sure its backend is the current one.
  const use = async () => {
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  };
  return {
    id: backend === 'webgpu' ? 'tfjs-webgpu' : 'tfjs-wasm',
    async init() {
      await runnerConfig.tfjsGradients?.();
      if (backend === 'wasm' && runnerConfig.tfjsWasmPaths) setWasmPaths(runnerConfig.tfjsWasmPaths);
      tf.env().set('PROD', true);
      await use();
      await tf.ready();
      let detail = '';
      if (backend === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        detail = ` (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'one thread'})`;
      }
      return `TensorFlow.js ${tf.version_core} on ${backend}${detail}`;
    },
    async matmul(aValues, bValues, n): Promise<MatmulTask> {
      await use();
      const a = tf.tensor2d(aValues, [n, n]);
      const b = tf.tensor2d(bValues, [n, n]);
      return {
        run: async () => { await use(); return read(tf.matMul(a, b)); },
        dispose: () => { a.dispose(); b.dispose(); },
      };
    },
    async mlp(data: MlpData, lr: number): Promise<MlpTask> {
      await use();
      const { spec } = data;
      // tidy() frees the tensors the variables copy from and keeps the variables.
      const vars = tf.tidy(() => data.layers.map((l) => ({ w: tf.variable(tf.tensor2d(l.w, [l.in, l.out])), b: tf.variable(tf.tensor1d(l.b)) })));
      const x = tf.tensor2d(data.x, [spec.batch, spec.inputs]);
      const y = tf.tensor2d(data.y, [spec.batch, spec.outputs]);
      const act = spec.activation === 'relu' ? tf.relu : tf.tanh;
      const model = (): tf.Tensor => {
        let h: tf.Tensor = x;
        vars.forEach((v, i) => {
          h = tf.add(tf.matMul(h, v.w), v.b);
          if (i < vars.length - 1) h = act(h);
        });
        return h;
      };
      const opt = tf.train.sgd(lr);
      return {
        async train() {
          await use();
          const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(model(), y))) as tf.Scalar, true);
          return (await read(loss!))[0];
        },
        async forward() {
          await use();
          return read(tf.tidy(model));
        },
        dispose() {
          opt.dispose();
          for (const v of vars) { v.w.dispose(); v.b.dispose(); }
          x.dispose();
          y.dispose();
        },
      };
    },
    liveTensors: () => tf.memory().numTensors,
  };
}
