// Debug mode. With `setDebug({ checkNumerics: true })` every op's output is checked on the
// GPU for NaN and infinity by one small dispatch that sets a flag in a slot of a shared
// buffer (numerics.wgsl); nothing is read back per op. The flags come back in one readback,
// at the next `await t.data()` (or `await checkNumerics()`), and the first op whose output
// held a non-finite value throws NumericsError naming the op, its input shapes and its
// position in the sequence of ops run since checking was turned on.

import { getDevice, type Device } from './device/device.ts';
import { shaders } from './device/shaders.ts';
import { GpugradError, TypeError } from './errors.ts';
import { constantOf, grid } from './ops/launch.ts';
import { formatShape, type Shape } from './tensor.ts';

/** A non-finite value appeared in an op's output while checkNumerics was on. */
export class NumericsError extends GpugradError {
  override name = 'NumericsError';
}

/** Debug switches; see setDebug(). */
export interface DebugOptions {
  /** Check every op's output for NaN and infinity on the GPU (slower: one extra dispatch per op). */
  checkNumerics?: boolean;
}

const SLOTS = 1024; // ops checked per flags buffer; a full buffer starts a new one

interface Pending { op: string; inputs: string; position: number }
let enabled = false;
let position = 0;
let pending: Pending[] = [];
let buffers: { device: Device; buffer: GPUBuffer }[] = [];
let verifying = false;

/** Turns debug checks on or off; returns the previous settings. */
export function setDebug(options: DebugOptions): DebugOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`setDebug: options must be { checkNumerics: boolean }`);
  const before = { checkNumerics: enabled };
  if (options.checkNumerics !== undefined) {
    if (typeof options.checkNumerics !== 'boolean') throw new TypeError(`setDebug: checkNumerics must be true or false, got ${String(options.checkNumerics)}`);
    enabled = options.checkNumerics;
    position = 0;
    discard();
    const device = getDevice();
    device.beforeRead = enabled ? checkNumerics : null;
  }
  return before;
}

/** Whether checkNumerics is on (the op runner asks before each op). */
export const isCheckingNumerics = (): boolean => enabled;

/** Records a check of `out`, the output of `op` on inputs of the given shapes (called by the op runner). */
export function checkOutput(op: string, inputShapes: Shape[], out: { buffer(op: string): GPUBuffer; size: number }): void {
  position++;
  if (out.size === 0) return;
  const device = getDevice();
  const slot = pending.length % SLOTS;
  if (slot === 0) {
    const buffer = device.createStorage(SLOTS * 4, 'checkNumerics');
    const perGroup = constantOf(shaders.fill, 'WG') * constantOf(shaders.fill, 'ITEMS');
    device.dispatch({ shader: shaders.fill }, [], [buffer], { size: SLOTS, value: 0, cols: 1 }, grid(SLOTS, perGroup));
    buffers.push({ device, buffer });
  }
  pending.push({ op, inputs: inputShapes.map(formatShape).join(', '), position });
  device.dispatch({ shader: shaders.numerics }, [out.buffer(op)], [buffers.at(-1)!.buffer], { size: out.size, slot }, [1, 1, 1]);
}

/**
 * Reads the flags of every op checked since the last call (one readback per 1024 ops) and
 * throws NumericsError for the first op whose output held NaN or infinity. Resolves at once
 * when checkNumerics is off.
 */
export async function checkNumerics(): Promise<void> {
  if (!enabled || verifying || pending.length === 0) return;
  verifying = true;
  const [checks, chunks] = [pending, buffers];
  pending = [];
  buffers = [];
  try {
    for (let c = 0; c < chunks.length; c++) {
      const { device, buffer } = chunks[c];
      const flags = new Float32Array(await device.read(buffer, SLOTS * 4));
      const first = flags.findIndex((f, slot) => f !== 0 && c * SLOTS + slot < checks.length);
      if (first >= 0) {
        const { op, inputs, position: at } = checks[c * SLOTS + first];
        throw new NumericsError(`checkNumerics: ${op} (op #${at} since checking began) gave a non-finite value (NaN or ±Infinity); its inputs: ${inputs || 'none'}`);
      }
    }
  } finally {
    for (const { device, buffer } of chunks) if (!device.lost) device.release(buffer);
    verifying = false;
  }
}

function discard(): void {
  for (const { device, buffer } of buffers) if (!device.lost) device.release(buffer);
  buffers = [];
  pending = [];
}
