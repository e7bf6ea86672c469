// Saving and loading: state dicts, the safetensors format, files in Node. Exported from the
// package root.
export { save, load, loadMetadata, type SaveOptions, type HasStateDict } from './save-load.ts';
export { saveFile, loadFile } from './files.ts';
export type { StateDict, StateValue, Layout } from './state-dict.ts';
