// Error classes. Each names a kind of failure so callers can catch one and let others through;
// messages name the op and the shapes involved.

/** The base class of every error gpugrad throws; also thrown as is (no adapter, no `webgpu` package in Node, misuse). */
export class GpugradError extends Error {
  override name = 'GpugradError';
}

/** Shapes that an op cannot combine, a bad axis, or data of the wrong length. Thrown before any GPU work. */
export class ShapeError extends GpugradError {
  override name = 'ShapeError';
}

/** Use of a tensor after `dispose()` (directly, or by a `tidy` that did not return it). */
export class DisposedError extends GpugradError {
  override name = 'DisposedError';
}

/** A WebGPU validation or out-of-memory error, or a lost device, reported by the GPU. */
export class GPUError extends GpugradError {
  override name = 'GPUError';
}

/**
 * An argument of the wrong kind (not a Tensor where one is needed, a string where a number
 * is, an unknown name): the message names the public function, the argument and what is
 * allowed. A GpugradError, so one `catch` takes every error gpugrad throws.
 */
export class TypeError extends GpugradError {
  override name = 'TypeError';
}

/** The GPU device was lost (driver reset, `destroy()`); tensors made on it cannot be used. */
export class DeviceLostError extends GPUError {
  override name = 'DeviceLostError';
}
