// What each library's runner provides to the speed benchmark. A runner owns its tensors: run()
// returns plain arrays (the readback that forces completion), dispose() frees everything else.

import type { MlpData } from '../reference.ts';

/** The libraries and backends the benchmark knows, in table order. */
export const LIBS = ['gpugrad', 'tfjs-webgpu', 'tfjs-wasm', 'jax-webgpu', 'jax-wasm'] as const;
export type LibId = typeof LIBS[number];

/** A matmul with its inputs already on the device: each run() computes C = A·B and reads C back. */
export interface MatmulTask { run(): Promise<Float32Array>; dispose(): void }

/** A model with the benchmark's weights loaded. */
export interface MlpTask {
  /** One SGD training step on the batch (forward, MSE loss, backward, update); the loss, read back. */
  train(): Promise<number>;
  /** The forward pass alone (no gradient); the output [batch, outputs], read back. */
  forward(): Promise<Float32Array>;
  dispose(): void;
}

export interface Runner {
  readonly id: LibId;
  /** Loads the library on its backend; throws (with the reason) when it cannot. Returns a one-line description. */
  init(): Promise<string>;
  matmul(a: Float32Array, b: Float32Array, n: number): Promise<MatmulTask>;
  mlp(data: MlpData, lr: number): Promise<MlpTask>;
  /**
   * Dispatches so far, where the library counts them (gpugrad: memory().dispatches). The hook
   * for per-step dispatch counts: a runner without a counter leaves it out.
   */
  dispatches?(): number;
  /** Live tensors, where the library counts them: the harness checks a workload leaves none behind. */
  liveTensors?(): number;
}

/** Loads a runner module on demand, so a peer that is not installed or fails to load fails alone. */
export async function loadRunner(id: LibId): Promise<Runner> {
  switch (id) {
    case 'gpugrad': return (await import('./gpugrad.ts')).gpugradRunner();
    case 'tfjs-webgpu': return (await import('./tfjs.ts')).tfjsRunner('webgpu');
    case 'tfjs-wasm': return (await import('./tfjs.ts')).tfjsRunner('wasm');
    case 'jax-webgpu': return (await import('./jax.ts')).jaxRunner('webgpu');
    case 'jax-wasm': return (await import('./jax.ts')).jaxRunner('wasm');
  }
}

/** Set by the environment before a runner's init(). */
export const runnerConfig: {
  /** Where the page serves tfjs' .wasm files (Node reads them from the package). */
  tfjsWasmPaths?: Record<string, string>;
  /**
   * Registers tfjs' gradients, which its packages ship only as ES modules with extensionless
   * imports (@tensorflow/tfjs-core/dist/register_all_gradients.js): a bundler resolves them,
   * Node's loader does not, so each environment imports them its own way.
   */
  tfjsGradients?: () => Promise<unknown>;
} = {};
