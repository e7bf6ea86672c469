// Files in Node: saveFile() and loadFile() are save() and load() plus node:fs. node:fs is
// imported only when they are called, through a variable, so a browser bundle never sees it;
// a page downloads save()'s bytes as a Blob and loads a File with load(await file.arrayBuffer())
// (README, "Save and load").

import { GpugradError } from '../errors.ts';
import { show } from '../validate.ts';
import { loadBytes, save, type HasStateDict, type SaveOptions } from './save-load.ts';
import type { StateDict } from './state-dict.ts';

type Fs = typeof import('node:fs');

async function nodeFs(fn: string): Promise<Fs> {
  // Node, and Deno and Bun, which say which Node they stand in for; a page never fetches node:fs.
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new GpugradError(`${fn}: needs Node's file system; in a browser use save() and load() on bytes (README, "Save and load")`);
  }
  const name = 'node:fs'; // a variable, so bundlers leave this Node-only import alone
  return (await import(/* @vite-ignore */ name)) as Fs;
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
  const fs = await nodeFs('saveFile');
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

/** `load()` of a file's bytes (Node only): new tensors the caller owns. Errors name the file. */
export async function loadFile(path: string): Promise<StateDict> {
  checkPath('loadFile', path);
  const fs = await nodeFs('loadFile');
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(path);
  } catch (cause) {
    throw new GpugradError(`loadFile: cannot read '${path}': ${(cause as Error).message}`, { cause });
  }
  return loadBytes(`loadFile: '${path}'`, bytes);
}
