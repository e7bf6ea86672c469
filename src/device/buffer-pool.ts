// A pool of GPU buffers keyed by (size class, usage). Creating and destroying buffers every
// step costs driver calls and fragments memory; a training step asks for the same sizes
// again and again, so freed buffers are kept and handed out again.

/** Size classes: powers of two up to 1 MiB, then multiples of 1 MiB (so big tensors waste little). */
export function sizeClass(bytes: number): number {
  const min = 16; // WebGPU has no zero-size bindings; uniforms want 16-byte multiples
  if (bytes <= min) return min;
  if (bytes <= 1 << 20) return 2 ** Math.ceil(Math.log2(bytes));
  return Math.ceil(bytes / (1 << 20)) * (1 << 20);
}

// Above the dispatches in one batch (MAX_BATCH in device.ts): each holds its own uniform
// buffer, and they all come back at once when the batch is submitted.
const MAX_PER_CLASS = 256;

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  /** Bytes held by buffers handed out and not yet returned. */
  liveBytes = 0;
  /** Bytes held by buffers waiting in the pool. */
  pooledBytes = 0;
  created = 0;

  constructor(private gpu: GPUDevice) {}

  acquire(bytes: number, usage: number): GPUBuffer {
    const size = sizeClass(bytes);
    const buffer = this.free.get(`${size}:${usage}`)?.pop();
    this.liveBytes += size;
    if (buffer) {
      this.pooledBytes -= size;
      return buffer;
    }
    this.created++;
    return this.gpu.createBuffer({ size, usage });
  }

  release(buffer: GPUBuffer): void {
    this.liveBytes -= buffer.size;
    const key = `${buffer.size}:${buffer.usage}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    if (list.length >= MAX_PER_CLASS) {
      buffer.destroy();
      return;
    }
    list.push(buffer);
    this.pooledBytes += buffer.size;
  }

  /** Destroys a handed-out buffer instead of returning it to the pool. */
  discard(buffer: GPUBuffer): void {
    this.liveBytes -= buffer.size;
    buffer.destroy();
  }

  /** Destroys every pooled buffer (live ones are untouched). */
  trim(): void {
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
