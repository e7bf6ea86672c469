// memory(): what the GPU holds for gpugrad right now, for leak checks and benchmarks.

import { getDevice } from './device/device.ts';
import { memoryCounters } from './storage.ts';

/** A snapshot of gpugrad's GPU memory and work counters; see memory(). */
export interface MemoryInfo {
  /** Tensor handles not yet disposed. */
  liveTensors: number;
  /** Bytes of GPU buffers behind live tensors. */
  liveBytes: number;
  /** Bytes of freed buffers kept in the pool for reuse. */
  pooledBytes: number;
  /** Compiled pipelines, and how often a dispatch found its pipeline already compiled. */
  pipelines: { compiled: number; hits: number; misses: number };
  /** Dispatches, their workgroups, submits and readbacks since the device was made. */
  dispatches: number;
  workgroups: number;
  submits: number;
  readbacks: number;
}

/**
 * What the GPU holds for gpugrad right now and how much work it has done: compare
 * `liveTensors` before and after a training step to find a leak. Throws GpugradError before ready().
 */
export function memory(): MemoryInfo {
  const device = getDevice();
  const { pipelines, pool, stats } = device;
  return {
    liveTensors: memoryCounters.liveTensors,
    liveBytes: memoryCounters.storageBytes,
    pooledBytes: pool.pooledBytes,
    pipelines: { compiled: pipelines.size, hits: pipelines.hits, misses: pipelines.misses },
    ...stats,
  };
}
