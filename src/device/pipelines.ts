// The pipeline cache: one compiled compute pipeline per (shader, entry point, override
// constants), with explicit bind group layouts: inputs as read-only storage, then outputs as
// storage, then one uniform. Compiling WGSL is the slowest thing a WebGPU program does, so a
// kernel variant is compiled once per device.

import { GPUError } from '../errors.ts';
import type { Shader } from './shaders.ts';

/** A shader, one of its entry points, and values for its override constants. */
export interface Kernel {
  shader: Shader;
  entryPoint?: string;
  constants?: Record<string, number>;
}

interface Compiled { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }

export class PipelineCache {
  private pipelines = new Map<string, Compiled>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private modules = new Map<string, GPUShaderModule>();
  hits = 0;
  misses = 0;
  /** Compile checks still in flight; settled before anyone reads errors. */
  private pending: Promise<void>[] = [];

  constructor(private gpu: GPUDevice, private onError: (e: GPUError) => void) {}

  get size(): number { return this.pipelines.size; }

  /** Waits for every compile check started so far. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  get(kernel: Kernel, inputs: number, outputs: number, hasUniform: boolean): Compiled {
    const { shader } = kernel;
    const key = `${shader.name}|${kernel.entryPoint ?? 'main'}|${JSON.stringify(kernel.constants ?? {})}|${inputs}|${outputs}|${hasUniform}`;
    const cached = this.pipelines.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const layout = this.layout(inputs, outputs, hasUniform);
    this.gpu.pushErrorScope('validation');
    let module = this.modules.get(shader.code);
    if (!module) this.modules.set(shader.code, (module = this.gpu.createShaderModule({ label: shader.name, code: shader.code })));
    const pipeline = this.gpu.createComputePipeline({
      label: shader.name,
      layout: this.gpu.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: kernel.constants },
    });
    this.pending.push(this.gpu.popErrorScope().then(async (error) => {
      if (!error) return;
      const info = await module.getCompilationInfo();
      // Each message names the .wgsl file and its own line, not a line of the composed code.
      const lines = info.messages.map((m) => `  ${shader.locate(m.lineNum)}: ${m.message}`).join('\n');
      this.onError(new GPUError(`gpugrad: shader '${shader.name}' failed to compile: ${error.message}${lines ? '\n' + lines : ''}`));
    }));
    const compiled = { pipeline, layout };
    this.pipelines.set(key, compiled);
    return compiled;
  }

  private layout(inputs: number, outputs: number, hasUniform: boolean): GPUBindGroupLayout {
    const key = `${inputs}:${outputs}:${hasUniform}`;
    let layout = this.layouts.get(key);
    if (layout) return layout;
    const entries: GPUBindGroupLayoutEntry[] = [];
    const visibility = GPUShaderStage.COMPUTE;
    for (let i = 0; i < inputs; i++) entries.push({ binding: i, visibility, buffer: { type: 'read-only-storage' } });
    for (let i = 0; i < outputs; i++) entries.push({ binding: inputs + i, visibility, buffer: { type: 'storage' } });
    if (hasUniform) entries.push({ binding: inputs + outputs, visibility, buffer: { type: 'uniform' } });
    layout = this.gpu.createBindGroupLayout({ entries });
    this.layouts.set(key, layout);
    return layout;
  }
}
