// save(), load(), loadMetadata(), saveFile() and loadFile() (src/io/) against safetensors files
// written and taken apart by hand (test/reference/safetensors.ts): the bytes save() writes
// (header length, JSON, space padding, contiguous offsets, little-endian float32 bits), files
// written byte by byte loading with the right values, numbers and metadata coming back exactly,
// and every kind of bad file failing with one line that names the tensor.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpugradError, load, loadFile, loadMetadata, memory, ready, save, saveFile, tensor, Tensor, tidy, type StateDict } from '../src/index.ts';
import { bits, handWritten, parseFile, valuesOf } from './reference/safetensors.ts';

let dir: string;
beforeAll(async () => {
  await ready({ verbose: false });
  dir = mkdtempSync(join(tmpdir(), 'gpugrad-safetensors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (shape: number[], begin: number, end: number, dtype = 'F32') => ({ dtype, shape, data_offsets: [begin, end] });
const dispose = (dict: StateDict) => Object.values(dict).forEach((v) => v instanceof Tensor && v.dispose());
async function contents(dict: StateDict): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) out[key] = value instanceof Tensor ? { shape: value.shape, values: Array.from(await value.data()) } : value;
  return out;
}

describe('save() writes safetensors', () => {
  it('header length, JSON, space padding to 8, contiguous F32 offsets in order, little-endian bits', async () => {
    const a = [0.1, -2.5, 3e-30, 7, 8, 9];
    const dict = { 'layer.w': tensor(a, [2, 3]), b: tensor([1e10]), empty: tensor([], [0, 4]), s: tensor(5, []) };
    const file = parseFile(await save(dict, { metadata: { note: 'hi' } }));
    expect(file.headerLength % 8).toBe(0);
    expect(file.headerText).toMatch(/^\{.*\} *$/);
    expect(file.headerText.trimEnd().length).toBeGreaterThan(file.headerLength - 8);
    expect(file.header).toEqual({
      __metadata__: { note: 'hi' },
      'layer.w': entry([2, 3], 0, 24), b: entry([1], 24, 28), empty: entry([0, 4], 28, 28), s: entry([], 28, 32),
    });
    expect(Object.keys(file.header).slice(1)).toEqual(['layer.w', 'b', 'empty', 's']);
    expect(file.data.byteLength).toBe(32);
    expect(bits(valuesOf(file, 'layer.w'))).toEqual(bits(a));
    expect(valuesOf(file, 'b')).toEqual([1e10]);
    expect(valuesOf(file, 's')).toEqual([5]);
    dispose(dict);
  });

  it('an empty dict is a header of {} alone; no metadata means no __metadata__', async () => {
    const bytes = await save({});
    expect(Array.from(bytes.subarray(0, 8))).toEqual([8, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8))).toBe('{}      ');
    expect(await contents(load(bytes))).toEqual({});
  });

  it('numbers, booleans and lists go to the metadata as exact JSON and come back exactly', async () => {
    const dict = { w: tensor([1, 2]), 'state.0.step': 3, 'param_groups.0.lr': 0.1, flag: true, betas: [0.9, 0.999] };
    const bytes = await save(dict, { metadata: { epoch: '4' } });
    expect(JSON.parse(parseFile(bytes).header.__metadata__!['gpugrad.values'])).toEqual({ 'state.0.step': 3, 'param_groups.0.lr': 0.1, flag: true, betas: [0.9, 0.999] });
    const back = load(bytes);
    expect(await contents(back)).toEqual({ w: { shape: [2], values: [1, 2] }, 'state.0.step': 3, 'param_groups.0.lr': 0.1, flag: true, betas: [0.9, 0.999] });
    expect(loadMetadata(bytes)).toEqual({ epoch: '4' });
    dispose(back);
    dispose(dict);
  });

  it('bad arguments fail with one line naming the key', async () => {
    const t = tensor([1]);
    const gone = tensor([2]);
    gone.dispose();
    await expect(save({ a: t, b: 'text' as never })).rejects.toThrow(/^save: 'b' is a string \('text'\); expected a tensor/);
    await expect(save({ a: NaN })).rejects.toThrow(/save: 'a' is a number \(NaN\)/);
    await expect(save({ gone })).rejects.toThrow(/^save: 'gone' was disposed$/);
    await expect(save({ __metadata__: t })).rejects.toThrow(/'__metadata__' cannot name a tensor/);
    await expect(save({ a: t }, { metadata: { n: 3 as never } })).rejects.toThrow(/^save: metadata 'n' must be a string, got 3$/);
    await expect(save({ a: t }, { metadata: { 'gpugrad.values': '{}' } })).rejects.toThrow(/reserved/);
    await expect(save({ a: t }, { layout: 'torch' })).rejects.toThrow(/^save: layout 'torch' needs the model itself/);
    await expect(save({ a: t }, { layout: 'keras' as never })).rejects.toThrow(/^save: layout must be 'gpugrad' or 'torch', got 'keras'$/);
    await expect(save(t as never)).rejects.toThrow(/^save: expected a state dict .*, got a Tensor$/);
    t.dispose();
  });
});

describe('load() reads files written by hand', () => {
  it('values, shapes and metadata; tensors in data order; an unpadded header and extra header fields are fine', async () => {
    // Data order differs from header order: the bias's 2 floats come first.
    const header = { __metadata__: { format: 'pt' }, w: entry([2, 2], 8, 24), b: entry([2], 0, 8) };
    for (const pad of [true, false]) {
      const bytes = handWritten(header, [0.5, -1, 1, 2, 3, 4], { pad });
      const dict = load(bytes);
      expect(Object.keys(dict)).toEqual(['b', 'w']);
      expect(await contents(dict)).toEqual({ b: { shape: [2], values: [0.5, -1] }, w: { shape: [2, 2], values: [1, 2, 3, 4] } });
      expect(loadMetadata(bytes.buffer as ArrayBuffer)).toEqual({ format: 'pt' });
      dispose(dict);
    }
  });

  it('takes an ArrayBuffer (File.arrayBuffer()) and a Uint8Array at an offset (a Node Buffer slice)', async () => {
    const bytes = handWritten({ x: entry([3], 0, 12) }, [1, 2, 3]);
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 5);
    for (const input of [bytes.buffer as ArrayBuffer, padded.subarray(5)]) {
      const dict = load(input);
      expect(await contents(dict)).toEqual({ x: { shape: [3], values: [1, 2, 3] } });
      dispose(dict);
    }
  });
});

describe('bad files fail cleanly, before any tensor is made', () => {
  const good = handWritten({ a: entry([2], 0, 8), b: entry([1], 8, 12) }, [1, 2, 3]);
  const headerEnd = 8 + new DataView(good.buffer).getUint32(0, true);
  const text = (json: string) => { const t = new TextEncoder().encode(json); const b = new Uint8Array(8 + t.length); new DataView(b.buffer).setUint32(0, t.length, true); b.set(t, 8); return b; };
  const cases: [string, Uint8Array | unknown, RegExp][] = [
    ['fewer than 8 bytes', good.subarray(0, 5), /^load: the file is truncated: 5 bytes, fewer than the 8 of its header length$/],
    ['cut inside the header', good.subarray(0, 20), /^load: the file is truncated or not safetensors: its header length says \d+ bytes, 12 follow$/],
    ['cut inside the data', good.subarray(0, headerEnd + 10), /^load: the file is truncated: tensor 'b' ends at byte 12 of the data, which has 10$/],
    ['bytes after the last tensor', Uint8Array.from([...good, 0, 0, 0, 0]), /^load: 4 bytes after the last tensor belong to no tensor/],
    ['not JSON', text('{"a": '), /^load: the header is not JSON text/],
    ['not UTF-8', Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe]), /^load: the header is not JSON text/],
    ['a JSON array', text('[1, 2]'), /^load: the header is not a JSON object$/],
    ['F16', handWritten({ a: entry([2], 0, 4, 'F16') }, [0]), /^load: tensor 'a' has dtype 'F16'; gpugrad reads float32 \(F32\) only$/],
    ['I64', handWritten({ a: entry([1], 0, 8, 'I64') }, [0, 0]), /^load: tensor 'a' has dtype 'I64'; gpugrad reads float32/],
    ['an unknown dtype', handWritten({ a: entry([1], 0, 4, 'Q4') }, [0]), /^load: tensor 'a' has an unknown dtype 'Q4'/],
    ['a shape that does not match its bytes', handWritten({ a: entry([3], 0, 8) }, [1, 2]), /^load: tensor 'a' of shape \[3\] needs 12 bytes, its data_offsets \[0,8\] hold 8$/],
    ['a negative dimension', handWritten({ a: entry([-1], 0, 0) }, []), /^load: tensor 'a': shape must be a list of integers >= 0, got \[-1\]$/],
    ['reversed offsets', handWritten({ a: entry([0], 4, 0) }, [1]), /^load: tensor 'a': data_offsets must be \[begin, end\]/],
    ['overlapping tensors', handWritten({ a: entry([2], 0, 8), b: entry([2], 4, 12) }, [1, 2, 3]), /^load: tensor 'b' overlaps the tensor before it/],
    ['a gap', handWritten({ a: entry([1], 0, 4), b: entry([1], 8, 12) }, [1, 2, 3]), /^load: 4 bytes before tensor 'b' belong to no tensor/],
    ['metadata that is not strings', handWritten({ __metadata__: { n: 1 } }, []), /^load: metadata 'n' must be a string, got 1$/],
    ['corrupt numbers', handWritten({ __metadata__: { 'gpugrad.values': '{"lr": "x"}' } }, []), /^load: metadata 'gpugrad.values' holds 'lr' = 'x'/],
    ['not bytes', 'model.safetensors', /^load: expected the file's bytes \(a Uint8Array or an ArrayBuffer\), got 'model.safetensors'$/],
  ];
  for (const [label, bytes, message] of cases) {
    it(label, () => {
      const before = memory();
      let error: unknown = null;
      try {
        load(bytes as Uint8Array);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GpugradError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect(memory().liveTensors).toBe(before.liveTensors);
      expect(memory().dispatches).toBe(before.dispatches);
    });
  }
});

describe('files in Node', () => {
  it('saveFile then loadFile round-trips, bit for bit; no partial file is left behind; tidy() frees what loadFile made', async () => {
    const v = Float32Array.from({ length: 37 }, (_, i) => Math.sin(i) * 1e-3);
    const dict = { v: tensor(v, [37]), n: 12 };
    const path = join(dir, 'round.safetensors');
    await saveFile(path, dict, { metadata: { run: 'a' } });
    expect(readFileSync(path)).toEqual(Buffer.from(await save(dict, { metadata: { run: 'a' } })));
    const back = loadFile(path);
    expect(bits(await (back.v as Tensor).data())).toEqual(bits(v));
    expect(back.n).toBe(12);
    expect(loadMetadata(readFileSync(path))).toEqual({ run: 'a' });
    expect(readdirSync(dir).filter((f) => f.includes('round'))).toEqual(['round.safetensors']);
    dispose(back);
    const live = memory().liveTensors;
    expect(tidy(() => loadFile(path).n)).toBe(12);
    expect(memory().liveTensors).toBe(live);
    dispose(dict);
  });

  it('errors name the file: missing, corrupt, an unwritable path', async () => {
    expect(() => loadFile(join(dir, 'nope.safetensors'))).toThrow(/^loadFile: cannot read '.*nope\.safetensors': ENOENT/);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, handWritten({ a: entry([1], 0, 8, 'F64') }, [0, 0]));
    expect(() => loadFile(bad)).toThrow(/^loadFile: '.*bad\.safetensors': tensor 'a' has dtype 'F64'/);
    await expect(saveFile(join(dir, 'missing-dir', 'x.safetensors'), {})).rejects.toThrow(/^saveFile: cannot write '.*x\.safetensors': ENOENT/);
    await expect(saveFile('' as string, {})).rejects.toThrow(/^saveFile: path must be a non-empty string, got ''$/);
  });
});
