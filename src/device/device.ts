// The Device owns everything GPU: the GPUDevice and its queue, the open command encoder, the
// pipeline cache, the buffer pool and the uniform buffers. Nothing else calls WebGPU directly.
//
// Dispatches are recorded into one compute pass and submitted together: on readback, on
// `flush()`, or every MAX_BATCH dispatches. Buffers released while their work is still
// unsubmitted go back to the pool only after that submit, because `queue.writeBuffer` on a
// reused buffer would otherwise land before the dispatches that still read its old contents.
// For the same reason `write()` submits the recorded work first when that work uses its buffer.

import { DeviceLostError, GPUError, GpugradError, ShapeError } from '../errors.ts';
import { findAdapter, type AdapterInfo, type ReadyOptions } from './adapter.ts';
import { BufferPool, sizeClass } from './buffer-pool.ts';
import { PipelineCache, type Kernel } from './pipelines.ts';
import { packUniform, type UniformValues } from './uniforms.ts';
import { WAIT_MODES, yieldingWait, yields, type WaitMode } from './waiting.ts';
import { checkOneOf } from '../ops/args.ts';

export type { AdapterInfo, ReadyOptions } from './adapter.ts';
export type { WaitMode } from './waiting.ts';

const MAX_BATCH = 128;
const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const UNIFORM = () => GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
const READBACK = () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;

/** The GPU side of gpugrad: device, queue, batched dispatches, buffer pool and pipeline cache. Made by ready(). */
export class Device {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batched = 0;
  private releasedAfterSubmit: GPUBuffer[] = [];
  /** Buffers that the work recorded since the last submit reads or writes. */
  private recorded = new Set<GPUBuffer>();
  private error: GPUError | null = null;
  /** Set when the device is lost (driver reset, destroy()): every later use throws DeviceLostError. */
  lost: { reason: string; message: string; error: DeviceLostError } | null = null;
  /** Whether `error` is a validation error of a dispatch, which a compile error may explain. */
  private errorIsValidation = false;
  /** Runs before every readback (debug mode's numerics check); null when off. */
  beforeRead: (() => Promise<void>) | null = null;
  /** Counters for tests and benchmarks. */
  readonly stats = { dispatches: 0, workgroups: 0, submits: 0, readbacks: 0 };
  /** The counts when the last wait began: what came since is the work the next wait waits for. */
  private atLastWait = { dispatches: 0, workgroups: 0 };

  private waitMode: WaitMode = 'auto';

  constructor(readonly gpu: GPUDevice, readonly info: AdapterInfo, waiting: WaitMode = 'auto') {
    this.waiting = waiting;
    this.pool = new BufferPool(gpu);
    // A compile error is the cause of the validation errors of the dispatches that used the
    // pipeline: it replaces those, but not an earlier compile error or a device loss.
    this.pipelines = new PipelineCache(gpu, (e) => {
      if (!this.error || this.errorIsValidation) [this.error, this.errorIsValidation] = [e, false];
    });
    gpu.addEventListener?.('uncapturederror', (event) => {
      this.fail(new GPUError(`gpugrad: GPU error: ${(event as GPUUncapturedErrorEvent).error.message}`), true);
    });
    void gpu.lost.then((info) => {
      const reason = info.reason === 'destroyed' ? 'destroyed' : 'lost by the driver';
      const message = info.message || 'no message';
      const error = new DeviceLostError(`gpugrad: the GPU device was ${reason} (${message}); call await ready() for a new ` +
        'device and make the tensors again (a checkpoint saved with save() loads into a new model).');
      this.lost = { reason, message, error };
      onLost(this);
    });
  }

  /** How readbacks wait for the GPU in Node (ReadyOptions.waiting); may be changed at any time. */
  get waiting(): WaitMode { return this.waitMode; }
  set waiting(mode: WaitMode) { this.waitMode = checkOneOf('Device', 'waiting', mode, WAIT_MODES); }

  /** The device's limits (the adapter's largest storage-buffer sizes were requested). */
  get limits(): GPUSupportedLimits { return this.gpu.limits; }

  /**
   * Throws a GPU error seen since the last check, once, so a failure surfaces at the next call,
   * never as zeros; the device stays usable after it. A lost device throws every time.
   */
  check(): void {
    if (this.lost) throw this.lost.error;
    const error = this.error;
    if (error) {
      this.error = null;
      throw error;
    }
  }

  private fail(error: GPUError, isValidation = false): void {
    if (this.error || this.lost) return;
    [this.error, this.errorIsValidation] = [error, isValidation];
  }

  /**
   * A storage buffer of at least `bytes` bytes, from the pool when one is free. A size over the
   * device's limits throws ShapeError naming `op` and the shape before WebGPU sees it (WebGPU
   * would report it later, on the device, and break the device for every later call).
   */
  createStorage(bytes: number, op = 'tensor', shape?: readonly number[]): GPUBuffer {
    this.check();
    const limit = Math.min(this.limits.maxBufferSize, this.limits.maxStorageBufferBindingSize);
    const rounded = sizeClass(bytes);
    if (rounded > limit) {
      const which = this.limits.maxBufferSize <= this.limits.maxStorageBufferBindingSize ? 'maxBufferSize' : 'maxStorageBufferBindingSize';
      const what = shape ? `shape [${shape.join(',')}]` : `${bytes} bytes`;
      throw new ShapeError(`${op}: ${what} needs ${formatBytes(bytes)}, over this device's ${which} of ${formatBytes(limit)}`);
    }
    return this.pool.acquire(bytes, STORAGE());
  }

  /** Returns a buffer to the pool once the work recorded so far has been submitted. */
  release(buffer: GPUBuffer): void {
    if (this.encoder) this.releasedAfterSubmit.push(buffer);
    else this.pool.release(buffer);
  }

  /** Uploads data into a buffer (queue.writeBuffer), after all work recorded so far. */
  write(buffer: GPUBuffer, data: Float32Array | Uint32Array, offsetBytes = 0): void {
    this.check();
    // queue.writeBuffer runs at the next submit, before the dispatches still in the open
    // encoder: when one of them uses this buffer, submit them first. Fresh buffers cost nothing.
    if (this.recorded.has(buffer)) this.flush();
    this.gpu.queue.writeBuffer(buffer, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * Records one compute dispatch. `inputs` bind as read-only storage at 0..n-1, `outputs`
   * after them, and `params` (if any), packed as the shader's `struct Params`, as the uniform
   * at the last binding.
   */
  dispatch(kernel: Kernel, inputs: GPUBuffer[], outputs: GPUBuffer[], values: UniformValues | null,
    workgroups: [number, number, number]): void {
    this.check();
    const { shader } = kernel;
    const params = values && shader.layout ? packUniform(shader.layout, values, shader.name) : null;
    if (values && !shader.layout) throw new GpugradError(`gpugrad: shader '${shader.name}' has no struct Params for its parameters`);
    const { pipeline, layout } = this.pipelines.get(kernel, inputs.length, outputs.length, params !== null);
    const entries: GPUBindGroupEntry[] = [...inputs, ...outputs].map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (params) {
      // Each dispatch gets its own uniform buffer: rewriting a shared one would change the
      // parameters of dispatches recorded earlier in the same, still unsubmitted, batch.
      const uniform = this.pool.acquire(params.byteLength, UNIFORM());
      this.gpu.queue.writeBuffer(uniform, 0, params);
      entries.push({ binding: entries.length, resource: { buffer: uniform, size: params.byteLength } });
      this.releasedAfterSubmit.push(uniform);
    }
    const bindGroup = this.gpu.createBindGroup({ layout, entries });
    this.pass ??= (this.encoder ??= this.gpu.createCommandEncoder()).beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(...workgroups);
    for (const buffer of inputs) this.recorded.add(buffer);
    for (const buffer of outputs) this.recorded.add(buffer);
    this.stats.dispatches++;
    this.stats.workgroups += workgroups[0] * workgroups[1] * workgroups[2];
    if (++this.batched >= MAX_BATCH) this.flush();
  }

  /** Records a buffer-to-buffer copy (ends the open compute pass). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, dstOffset = 0): void {
    this.check();
    this.endPass();
    (this.encoder ??= this.gpu.createCommandEncoder()).copyBufferToBuffer(src, 0, dst, dstOffset, bytes);
    this.recorded.add(src).add(dst);
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits everything recorded so far. */
  flush(): void {
    this.endPass();
    if (this.encoder) {
      this.gpu.queue.submit([this.encoder.finish()]);
      this.stats.submits++;
      this.encoder = null;
    }
    this.batched = 0;
    this.recorded.clear();
    for (const buffer of this.releasedAfterSubmit) this.pool.release(buffer);
    this.releasedAfterSubmit = [];
  }

  /** Copies `bytes` bytes of `buffer` to the CPU, after all recorded work. */
  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    await this.beforeRead?.();
    const staging = this.pool.acquire(bytes, READBACK());
    this.copy(buffer, staging, bytes);
    this.flush();
    this.stats.readbacks++;
    try {
      await this.wait(() => staging.mapAsync(GPUMapMode.READ, 0, bytes));
    } catch (e) {
      this.pool.discard(staging); // a buffer whose mapping failed is not reused
      // A lost device fails the mapping first and reports why a moment later.
      await Promise.race([this.gpu.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
      await this.pipelines.settle();
      this.check();
      throw new GPUError(`gpugrad: reading a buffer back failed: ${(e as Error).message || (e as Error).name}`);
    }
    await this.pipelines.settle();
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.pool.release(staging);
    this.check();
    return copy;
  }

  /** Waits until the GPU has finished all submitted work (for timing). */
  async sync(): Promise<void> {
    this.flush();
    await this.wait(() => this.gpu.queue.onSubmittedWorkDone());
    await this.pipelines.settle();
    this.check();
  }

  /** Awaits a WebGPU promise that `start` begins, yielding the CPU while it waits if `waiting` says so. */
  private wait<T>(start: () => Promise<T>): Promise<T> {
    const { dispatches, workgroups } = this.stats;
    const meanWorkgroups = (workgroups - this.atLastWait.workgroups) / Math.max(1, dispatches - this.atLastWait.dispatches);
    this.atLastWait = { dispatches, workgroups };
    return yields(this.waiting, this.info.isFallback, meanWorkgroups) ? yieldingWait(start) : start();
  }
}

let current: Device | null = null;
let pending: Promise<Device> | null = null;
/** The error of the last device lost, until ready() makes a new one. */
let lastLost: DeviceLostError | null = null;

/** A lost device is forgotten: the next ready() makes a new one. */
function onLost(device: Device): void {
  if (current !== device) return;
  current = null;
  pending = null;
  lastLost = device.lost!.error;
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GiB`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${bytes} bytes`;
}

/**
 * Gets the WebGPU device: `navigator.gpu` in a browser, Dawn (`npm i webgpu`) in Node.
 * Without a GPU, Node falls back to SwiftShader (Debian's chromium package) and says so.
 * Asks for the adapter's largest storage-buffer limits. Call it before making any tensor.
 * `options.gpu` takes any object shaped like `navigator.gpu` (Deno, Bun, Dawn's `create()`)
 * instead of detecting one. The device is made once per process or page: later calls return
 * it and ignore their options, until the device is lost; then ready() makes a new one (the
 * old device's tensors throw DeviceLostError when used).
 *
 * Throws GpugradError with a one-line message saying what to do: a browser without WebGPU,
 * Node without the `webgpu` package (`npm i webgpu`), or no adapter at all.
 */
export function ready(options: ReadyOptions = {}): Promise<Device> {
  try {
    if (options.waiting !== undefined) checkOneOf('ready', 'waiting', options.waiting, WAIT_MODES);
  } catch (e) {
    return Promise.reject(e);
  }
  if (current) return Promise.resolve(current);
  pending ??= (async () => {
    const { adapter, info } = await findAdapter(options);
    const limits = adapter.limits;
    const gpu = await adapter.requestDevice({
      requiredFeatures: info.subgroups ? ['subgroups'] : [],
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      },
    });
    current = new Device(gpu, info, options.waiting);
    lastLost = null;
    return current;
  })();
  pending.catch(() => { pending = null; });
  return pending;
}

/** The device made by `ready()`; throws if `ready()` has not finished. */
export function getDevice(): Device {
  if (!current && lastLost) throw lastLost;
  if (!current) throw new GpugradError('gpugrad: no device yet: call `await ready()` before making tensors.');
  return current;
}

/** Which adapter runs the kernels: vendor, architecture, and whether it is a CPU fallback. */
export function adapterInfo(): AdapterInfo {
  return getDevice().info;
}
