// Storage: the GPU buffer behind one or more tensors (a tensor and its reshapes and detached
// copies share one), freed with its last user, and the counters memory() reports. Apart from
// tensor.ts so that the op files, the autograd engine and memory() can depend on it without
// depending on each other.

import type { Device } from './device/device.ts';

/** Live tensor handles and the bytes of the buffers behind them. */
export const memoryCounters = { liveTensors: 0, storageBytes: 0 };

/**
 * A GPU buffer shared by a tensor and its views (reshape, detach); freed with its last user,
 * back to the device that made it (a lost device's buffers are gone with it).
 */
export class Storage {
  private users = 1;
  constructor(readonly device: Device, readonly buffer: GPUBuffer, readonly bytes: number) {
    memoryCounters.storageBytes += bytes;
  }
  share(): this {
    this.users++;
    return this;
  }
  release(): void {
    if (--this.users > 0) return;
    memoryCounters.storageBytes -= this.bytes;
    if (!this.device.lost) this.device.release(this.buffer);
  }
}
