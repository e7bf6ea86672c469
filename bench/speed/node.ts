// Node side: the peers find WebGPU at navigator.gpu, as in a browser. Node 20 has no
// navigator, so this puts Dawn's (the `webgpu` package, on SwiftShader where there is no GPU)
// there, with the GPU* globals Dawn hands over. gpugrad finds the same navigator.gpu.

import { runSpeed, type EnvResult, type RunOptions, type Workload } from './run.ts';
import { loss64, mlpData } from './reference.ts';
import { runnerConfig } from './libs/types.ts';

let dawn: GPU | null = null; // held for the life of the process: a collected instance crashes Dawn

export async function installNavigatorGpu(): Promise<void> {
  if (dawn) return;
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  const name = 'webgpu';
  const { create, globals } = (await import(/* @vite-ignore */ name)) as { create(flags: string[]): GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, globals);
  dawn = create([]);
  const g = globalThis as { navigator?: object };
  // jax-js reads navigator.userAgent (to detect Firefox) when it loads its WebGPU backend.
  g.navigator ??= { userAgent: `Node.js/${process.versions.node}` };
  Object.defineProperty(g.navigator, 'gpu', { value: dawn, configurable: true });
}

/** The float64 initial loss of an MLP workload. */
export const reference64 = (w: Workload, seed = 1): number => {
  if (w.kind === 'matmul') throw new Error('matmul has no loss');
  return loss64(mlpData(w.spec, seed));
};

export async function runInNode(o: RunOptions): Promise<EnvResult> {
  await installNavigatorGpu();
  // By file path, so Vite's module runner transforms the ES modules (and resolves their
  // extensionless imports) instead of handing the bare name to Node. Its copy of tfjs-core
  // registers into the same global registries as the CommonJS build the backends use.
  runnerConfig.tfjsGradients = () => import('../../node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js');
  return runSpeed(o, 'node', (w) => reference64(w, o.seed));
}
