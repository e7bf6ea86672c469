// Finding a WebGPU adapter: navigator.gpu in a browser, Dawn (the `webgpu` package) in Node.
// Kept apart from device.ts because it is the only code that knows about runtimes; everything
// after it sees a plain GPUAdapter.

import { GpugradError } from '../errors.ts';
import { mayHaveVulkanDriver } from './vulkan-drivers.ts';
import type { WaitMode } from './waiting.ts';

/** Options of ready(). */
export interface ReadyOptions {
  /** Any object shaped like `navigator.gpu` (Deno, Bun, Dawn's `create()`); overrides detection. */
  gpu?: GPU;
  /** Passed to requestAdapter(): 'high-performance' or 'low-power' where a machine has both. */
  powerPreference?: GPUPowerPreference;
  /** Print a line when falling back to a CPU adapter (default true). */
  verbose?: boolean;
  /**
   * How a readback waits for the GPU in Node, where Dawn polls for finished work in a busy loop
   * on the JavaScript thread. 'spin' keeps that loop (the lowest latency); 'yield' keeps it for
   * 4 ms and then polls less and less often, down to once a millisecond (a wait ends at most
   * about 6% late; the core goes to other work); 'auto' (the default) yields on CPU adapters,
   * whose shaders need that core, when the work waited for is spread over many workgroups (see
   * PARALLEL_WORKGROUPS in waiting.ts), and spins on GPUs. Browsers poll on their own: there it
   * changes nothing. `getDevice().waiting` changes it later.
   */
  waiting?: WaitMode;
}

/** The adapter ready() chose, from GPUAdapter.info (fields may be empty strings: browsers may withhold them). */
export interface AdapterInfo {
  /** e.g. 'nvidia', 'apple', 'google' */
  vendor: string;
  /** e.g. 'ampere', 'swiftshader' */
  architecture: string;
  device: string;
  description: string;
  /** True for a CPU implementation (SwiftShader) or an adapter that says it is a fallback. */
  isFallback: boolean;
  /** Where the adapter came from: 'navigator.gpu', 'webgpu (Dawn for Node)' or 'options.gpu'. */
  source: string;
  /**
   * Whether the adapter has the 'subgroups' feature. gpugrad then asks for it, and the matmul
   * kernels 'quad' (where quads of a subgroup share their loads) can run.
   */
  subgroups: boolean;
}

/** Debian's chromium package ships SwiftShader, a CPU Vulkan driver Dawn can run on. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export async function findAdapter(options: ReadyOptions): Promise<{ adapter: GPUAdapter; info: AdapterInfo }> {
  const request = { powerPreference: options.powerPreference };
  if (options.gpu) return withInfo(await options.gpu.requestAdapter(request), 'options.gpu', options);
  if (typeof navigator !== 'undefined' && navigator.gpu) {
    return withInfo(await navigator.gpu.requestAdapter(request), 'navigator.gpu', options);
  }
  if (!isNode) {
    throw new GpugradError('gpugrad: this browser has no WebGPU (navigator.gpu is missing). ' +
      'Use a browser with WebGPU enabled (Chrome/Edge 113+, Safari 26+, Firefox 141+), over https or localhost.');
  }
  const dawn = await importDawn();
  const swiftShader = !process.env.VK_ICD_FILENAMES && (await fileExists(SWIFTSHADER_ICD));
  // No Vulkan driver installed at all: go straight to SwiftShader, sparing the user Dawn's
  // warnings from an instance that cannot work (vulkan-drivers.ts).
  if (swiftShader && !(await mayHaveVulkanDriver(process.env, process.platform))) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  dawnInstance = dawn.create([]);
  let adapter = await dawnInstance.requestAdapter(request);
  if (!adapter && swiftShader && !process.env.VK_ICD_FILENAMES) {
    // A driver is installed but gives no adapter: point the Vulkan loader at SwiftShader. It
    // reads the variable when Dawn creates its next instance, so this works in this process.
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    dawnInstance = dawn.create([]);
    adapter = await dawnInstance.requestAdapter(request);
  }
  return withInfo(adapter, 'webgpu (Dawn for Node)', options);
}

// Dawn's instance must outlive the device: if it is garbage-collected, the process crashes
// (segfault) in the middle of the next long GPU wait. Held here for the life of the process.
let dawnInstance: GPU | null = null;

interface DawnModule { create(flags: string[]): GPU; globals: Record<string, unknown> }

async function importDawn(): Promise<DawnModule> {
  const name = 'webgpu'; // a variable, so bundlers leave this Node-only import alone
  let dawn: DawnModule;
  try {
    dawn = (await import(/* @vite-ignore */ name)) as DawnModule;
  } catch (cause) {
    throw new GpugradError('gpugrad: no WebGPU in this Node process. Install Dawn for Node: npm i webgpu', { cause });
  }
  // GPUBufferUsage, GPUMapMode, ... are globals in browsers; Dawn hands them over separately.
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  return dawn;
}

async function fileExists(path: string): Promise<boolean> {
  const fsName = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs');
  return fs.existsSync(path);
}

function withInfo(adapter: GPUAdapter | null, source: string, options: ReadyOptions) {
  if (!adapter) {
    throw new GpugradError(`gpugrad: ${source} found no WebGPU adapter. On Linux without a GPU, install ` +
      'the Vulkan loader and a CPU driver: apt-get install libvulkan1 chromium (it ships SwiftShader).');
  }
  const raw = adapter.info;
  const isFallback = raw.architecture === 'swiftshader' || raw.vendor === 'google' && /swiftshader/i.test(raw.description)
    || (raw as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const info: AdapterInfo = {
    vendor: raw.vendor, architecture: raw.architecture, device: raw.device, description: raw.description,
    isFallback, source, subgroups: !!adapter.features?.has('subgroups'),
  };
  if (isFallback && options.verbose !== false) {
    console.warn(`gpugrad: no GPU adapter, running on the CPU fallback (${raw.architecture || raw.description}); expect it to be slow.`);
  }
  return { adapter, info };
}
