// Files in Node: saveFile() and loadFile() are save() and load() plus node:fs. node:fs comes
// from process.getBuiltinModule() when they are called, never from an import, so a browser
// bundle never sees it, and loadFile() can be synchronous: `tidy(() => model.loadStateDict(
// loadFile(path)))` frees what it loaded. A page downloads save()'s bytes as a Blob and loads a
// File with load(await file.arrayBuffer()) (README, "Save and load").

import { GpugradError } from '../errors.ts';
import { show } from '../validate.ts';
import { loadBytes, save, type HasStateDict, type SaveOptions } from './save-load.ts';
import type { StateDict } from './state-dict.ts';

function nodeFs(fn: string): typeof import('node:fs') {
  // Node 20.16+, and Deno and Bun where they provide it; undefined in a page.
  const fs = typeof process === 'undefined' ? undefined : process.getBuiltinModule?.('node:fs');
  if (!fs) throw new GpugradError(`${fn}: needs Node's file system (Node 20.16 or later); in a browser use save() and load() on bytes`);
  return fs;
}

function checkPath(fn: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new GpugradError(`${fn}: path must be a non-empty string, got ${show(path)}`);
}

/**
 * Writes `save(source, options)` to a file (Node only). The bytes go to a temporary file
 * first and are renamed over `path`, so a crash never leaves half a checkpoint behind.
 */
export async function saveFile(path: string, source: StateDict | HasStateDict, options: SaveOptions = {}): Promise<void> {
  checkPath('saveFile', path);
  const fs = nodeFs('saveFile');
  const bytes = await save(source, options);
  const partial = `${path}.${Date.now()}-${Math.floor(Math.random() * 1e9)}.partial`;
  try {
    await fs.promises.writeFile(partial, bytes);
    await fs.promises.rename(partial, path);
  } catch (cause) {
    await fs.promises.rm(partial, { force: true });
    throw new GpugradError(`saveFile: cannot write '${path}': ${(cause as Error).message}`, { cause });
  }
}

/**
 * `load()` of a file's bytes (Node only), synchronous: new tensors the caller owns, so
 * `tidy(() => model.loadStateDict(loadFile(path)))` frees them. Errors name the file.
 */
export function loadFile(path: string): StateDict {
  checkPath('loadFile', path);
  const fs = nodeFs('loadFile');
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (cause) {
    throw new GpugradError(`loadFile: cannot read '${path}': ${(cause as Error).message}`, { cause });
  }
  return loadBytes(`loadFile: '${path}'`, bytes);
}
