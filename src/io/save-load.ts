// save() and load(): state dicts to and from safetensors bytes (safetensors.ts). save() reads
// the tensors back gathered into one transfer per 64 MiB, all recorded at the call, so the
// bytes are the state at that moment even if training goes on while it waits. The numbers of
// an optimizer's state dict travel as JSON in the file's metadata (key VALUES_KEY), exact.
// load() uploads each tensor once and returns new tensors; a model copies them in with
// loadStateDict(). PyTorch's layout is applied here on save (on the CPU, after the readback)
// and by Module.loadStateDict on load.

import { GpugradError } from '../errors.ts';
import { fromData } from '../ops/creation.ts';
import { readAll } from '../stats/stats.ts';
import { Tensor } from '../tensor.ts';
import { show } from '../validate.ts';
import { asBytes, checkMetadata, decode, encode, parseHeader, type TensorRecord } from './safetensors.ts';
import { checkDict, checkLayout, describe, type Layout, type StateDict, type StateValue } from './state-dict.ts';

/** The metadata key under which save() stores a state dict's numbers (JSON); reserved. */
export const VALUES_KEY = 'gpugrad.values';

/** Bytes gathered per readback. */
const CHUNK_BYTES = 64 << 20;

/** Options of save(). */
export interface SaveOptions {
  /** Strings kept in the file's `__metadata__`, e.g. `{ step: '1200' }`; read back with loadMetadata(). */
  metadata?: Record<string, string>;
  /**
   * 'torch' writes Linear weights as PyTorch's nn.Linear [out, in], so the file is a PyTorch
   * state_dict, and adds `format: 'pt'` to the metadata. Needs the model: `save(model, { layout: 'torch' })`.
   */
  layout?: Layout;
}

/** What save() takes besides a state dict: anything that has one (a module, an optimizer). */
export interface HasStateDict {
  /** The named tensors (and numbers) to save. */
  stateDict(): StateDict;
}

/** A module as save() sees it for PyTorch's layout: its tensors, and which PyTorch stores transposed. */
interface HasStateEntries extends HasStateDict {
  stateEntries(): { name: string; tensor: Tensor; torchTransposed?: boolean }[];
}

const hasStateDict = (v: unknown): v is HasStateDict => typeof (v as HasStateDict | null)?.stateDict === 'function';

function isStateValue(v: unknown): v is StateValue {
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  return finite(v) || typeof v === 'boolean' || (Array.isArray(v) && v.every(finite));
}

/**
 * The safetensors bytes of a state dict, or of a module's or optimizer's (`save(model)` is
 * `save(model.stateDict())`). Tensors are written as F32 in the dict's order; numbers (an
 * optimizer's steps and hyperparameters) as JSON in the metadata. Asynchronous: it reads the
 * tensors back from the GPU. Throws GpugradError naming the key for a disposed tensor or a value
 * that is neither a tensor nor a finite number, boolean or list of numbers.
 */
export async function save(source: StateDict | HasStateDict, options: SaveOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const fn = 'save';
  const layout = checkLayout(fn, options.layout);
  const metadata = { ...checkMetadata(fn, options.metadata ?? {}) };
  if (VALUES_KEY in metadata) throw new GpugradError(`${fn}: metadata key '${VALUES_KEY}' is reserved for the state dict's numbers`);
  let transposed = new Set<string>();
  if (layout === 'torch') {
    const entries = (source as Partial<HasStateEntries>).stateEntries?.();
    if (!entries) {
      throw new GpugradError(`${fn}: layout 'torch' needs the model itself, save(model, { layout: 'torch' }): ` +
        'a state dict does not say which tensors are Linear weights');
    }
    transposed = new Set(entries.filter((e) => e.torchTransposed && e.tensor.rank === 2).map((e) => e.name));
    metadata.format ??= 'pt';
  }
  const dict = hasStateDict(source) ? source.stateDict() : source;
  checkDict(fn, dict);
  const tensors: [string, Tensor][] = [];
  const values: Record<string, StateValue> = {};
  for (const [key, value] of Object.entries(dict)) {
    if (key === '' || key === '__metadata__') throw new GpugradError(`${fn}: ${show(key)} cannot name a tensor in a safetensors file`);
    if (value instanceof Tensor) {
      if (value.isDisposed) throw new GpugradError(`${fn}: '${key}' was disposed`);
      tensors.push([key, value]);
    } else if (isStateValue(value)) {
      values[key] = value;
    } else {
      throw new GpugradError(`${fn}: '${key}' is ${describe(value)} (${show(value)}); expected a tensor, a finite number, a boolean or a list of numbers`);
    }
  }
  if (Object.keys(values).length) metadata[VALUES_KEY] = JSON.stringify(values);
  const data = await gather(tensors.map(([, t]) => t));
  const records: TensorRecord[] = tensors.map(([name, t], i) => {
    if (!transposed.has(name)) return { name, shape: [...t.shape], data: data[i] };
    const [rows, cols] = t.shape;
    const flipped = new Float32Array(t.size);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) flipped[c * rows + r] = data[i][r * cols + c];
    return { name, shape: [cols, rows], data: flipped };
  });
  return encode(records, metadata);
}

/** Every tensor's values, read back in transfers of at most CHUNK_BYTES, all recorded before the first await. */
async function gather(tensors: Tensor[]): Promise<Float32Array[]> {
  const chunks: Tensor[][] = [];
  let bytes = Infinity;
  for (const t of tensors) {
    if (bytes + t.size * 4 > CHUNK_BYTES) {
      chunks.push([]);
      bytes = 0;
    }
    chunks.at(-1)!.push(t);
    bytes += t.size * 4;
  }
  return (await Promise.all(chunks.map((chunk) => readAll(chunk)))).flat();
}

/**
 * New tensors (and numbers) from safetensors bytes (a Uint8Array, or the ArrayBuffer of a
 * File), in the file's data order. The file is checked whole first: a truncated or corrupt
 * file, or a dtype other than F32 (F16, BF16, I64, ...), throws GpugradError naming the tensor.
 * The tensors belong to the caller: `tidy(() => model.loadStateDict(load(bytes)))` frees them.
 */
export function load(bytes: Uint8Array | ArrayBuffer): StateDict {
  return loadBytes('load', bytes);
}

/** load(), with `fn` naming the caller in errors. */
export function loadBytes(fn: string, bytes: Uint8Array | ArrayBuffer): StateDict {
  const { tensors, metadata } = decode(fn, asBytes(fn, bytes));
  const values = parseValues(fn, metadata[VALUES_KEY]);
  const clash = tensors.find((t) => Object.hasOwn(values, t.name));
  if (clash) throw new GpugradError(`${fn}: '${clash.name}' is both a tensor and a number in metadata '${VALUES_KEY}' (a corrupt file)`);
  const dict: StateDict = {};
  for (const { name, shape, data } of tensors) dict[name] = fromData(data, shape);
  return Object.assign(dict, values);
}

function parseValues(fn: string, text: string | undefined): Record<string, StateValue> {
  if (text === undefined) return {};
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (cause) {
    throw new GpugradError(`${fn}: metadata '${VALUES_KEY}' is not JSON (a corrupt file)`, { cause });
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new GpugradError(`${fn}: metadata '${VALUES_KEY}' is not a JSON object`);
  for (const [key, value] of Object.entries(values)) {
    if (!isStateValue(value)) throw new GpugradError(`${fn}: metadata '${VALUES_KEY}' holds '${key}' = ${show(value)}, not a number, boolean or list of numbers`);
  }
  return values as Record<string, StateValue>;
}

/** The metadata save() was given (without gpugrad's own key), read from the header only. */
export function loadMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  const { [VALUES_KEY]: _values, ...metadata } = parseHeader('loadMetadata', asBytes('loadMetadata', bytes)).metadata;
  return metadata;
}
