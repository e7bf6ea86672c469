// The safetensors format (Hugging Face's), written and read on the CPU: an 8-byte
// little-endian length N, N bytes of JSON header {name: {dtype, shape, data_offsets: [begin,
// end]}, "__metadata__": {string: string}} padded with spaces to a multiple of 8, then the
// tensors' raw little-endian bytes back to back; offsets count from the start of that data.
// gpugrad holds float32 only, so it writes F32 and reads F32, and refuses any other dtype by
// name. A file is checked whole (header, every entry, offsets that tile the data exactly)
// before any tensor is returned, so a truncated or corrupt file fails with one line.

import { GpugradError } from '../errors.ts';
import { show } from '../validate.ts';

/** One tensor as the file holds it. */
export interface TensorRecord {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A parsed header: entries in data order, user metadata, and where the data starts. */
export interface Header {
  entries: { name: string; shape: number[]; begin: number; end: number }[];
  metadata: Record<string, string>;
  dataStart: number;
}

/** The dtypes the format defines; gpugrad reads F32 and names the others when it refuses them. */
const DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'I16', 'U16',
  'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64', 'C64']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The bytes of a safetensors file holding `tensors` in order, as F32, and `metadata` if not empty. */
export function encode(tensors: TensorRecord[], metadata: Record<string, string>): Uint8Array<ArrayBuffer> {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let end = 0;
  for (const t of tensors) header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [end, (end += t.data.length * 4)] };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8; // so the data starts 8-byte aligned
  const out = new Uint8Array(8 + n + end);
  const view = new DataView(out.buffer);
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let at = 8 + n;
  for (const t of tensors) {
    for (const v of t.data) {
      view.setFloat32(at, v, true); // little-endian on every host
      at += 4;
    }
  }
  return out;
}

/** The bytes as a Uint8Array; `fn` names the caller in the error for anything else. */
export function asBytes(fn: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new GpugradError(`${fn}: expected the file's bytes (a Uint8Array or an ArrayBuffer), got ${show(bytes)}`);
}

/** Parses and checks the header against the file's length; reads no tensor data. */
export function parseHeader(fn: string, bytes: Uint8Array): Header {
  if (bytes.length < 8) throw new GpugradError(`${fn}: the file is truncated: ${bytes.length} bytes, fewer than the 8 of its header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > bytes.length - 8) {
    throw new GpugradError(`${fn}: the file is truncated or not safetensors: its header length says ${n} bytes, ${bytes.length - 8} follow`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (cause) {
    throw new GpugradError(`${fn}: the header is not JSON text (a corrupt file, or not safetensors): ${(cause as Error).message}`, { cause });
  }
  if (!isRecord(header)) throw new GpugradError(`${fn}: the header is not a JSON object`);
  const dataLength = bytes.length - 8 - n;
  const metadata = checkMetadata(fn, header.__metadata__ ?? {});
  const entries: Header['entries'] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isRecord(info)) throw new GpugradError(`${fn}: tensor '${name}': its header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (dtype !== 'F32') {
      throw new GpugradError(`${fn}: tensor '${name}' has ${DTYPES.has(dtype as string) ? 'dtype' : 'an unknown dtype'} ` +
        `${show(dtype)}; gpugrad reads float32 (F32) only`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new GpugradError(`${fn}: tensor '${name}': shape must be a list of integers >= 0, got ${show(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw new GpugradError(`${fn}: tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${show(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const bytesNeeded = shape.reduce((a: number, b: number) => a * b, 1) * 4;
    if (end - begin !== bytesNeeded) {
      throw new GpugradError(`${fn}: tensor '${name}' of shape ${show(shape)} needs ${bytesNeeded} bytes, its data_offsets [${begin},${end}] hold ${end - begin}`);
    }
    if (end > dataLength) throw new GpugradError(`${fn}: the file is truncated: tensor '${name}' ends at byte ${end} of the data, which has ${dataLength}`);
    entries.push({ name, shape, begin, end });
  }
  // The data must be tiled exactly: no tensor overlaps another, and no byte belongs to none.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin < at) throw new GpugradError(`${fn}: tensor '${e.name}' overlaps the tensor before it in the data (a corrupt file)`);
    if (e.begin > at) throw new GpugradError(`${fn}: ${e.begin - at} bytes before tensor '${e.name}' belong to no tensor (a corrupt file)`);
    at = e.end;
  }
  if (at < dataLength) throw new GpugradError(`${fn}: ${dataLength - at} bytes after the last tensor belong to no tensor (a corrupt file)`);
  return { entries, metadata, dataStart: 8 + n };
}

/** Every tensor of a checked file, in data order, and its metadata. */
export function decode(fn: string, bytes: Uint8Array): { tensors: TensorRecord[]; metadata: Record<string, string> } {
  const { entries, metadata, dataStart } = parseHeader(fn, bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = entries.map(({ name, shape, begin, end }) => {
    const data = new Float32Array((end - begin) / 4);
    for (let i = 0, at = dataStart + begin; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    return { name, shape, data };
  });
  return { tensors, metadata };
}

/** Checks metadata: an object of strings to strings, as the format requires. */
export function checkMetadata(fn: string, metadata: unknown): Record<string, string> {
  if (!isRecord(metadata)) throw new GpugradError(`${fn}: metadata must be an object of strings, got ${show(metadata)}`);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new GpugradError(`${fn}: metadata '${key}' must be a string, got ${show(value)}`);
  }
  return metadata as Record<string, string>;
}
