// memory(): what the GPU holds for gpugrad right now, for leak checks and benchmarks.

import { getDevice } from './device/device.ts';
import { memoryCounters } from './tensor.ts';

export interface MemoryInfo {
  /** Tensor handles not yet disposed. */
  liveTensors: number;
  /** Bytes of GPU buffers behind live tensors. */
  liveBytes: number;
  /** Bytes of freed buffers kept in the pool for reuse. */
  pooledBytes: number;
  /** Compiled pipelines, and how often a dispatch found its pipeline already compiled. */
  pipelines: { compiled: number; hits: number; misses: number };
  /** Dispatches, submits and readbacks since the device was made. */
  dispatches: number;
  submits: number;
  readbacks: number;
}

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
