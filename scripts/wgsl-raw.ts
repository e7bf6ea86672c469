// A Vite plugin for `import text from './x.wgsl?raw'`: the WGSL without its comments. The
// shaders explain themselves at length, and a browser app should not download that: it is
// about a third of the library's gzipped size. Each comment becomes an empty line end, so line
// numbers stay those of the .wgsl file (compile errors name the file and its own line).
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

/** The text with `//` comments removed (WGSL has no string literals) and trailing spaces trimmed. */
export function stripWgslComments(text: string): string {
  return text.split('\n').map((line) => line.replace(/\/\/.*$/, '').trimEnd()).join('\n');
}

export function wgslRaw(): Plugin {
  return {
    name: 'gpugrad:wgsl-raw',
    enforce: 'pre',
    load(id) {
      const [file, query] = id.split('?');
      if (!file.endsWith('.wgsl') || query !== 'raw') return null;
      return `export default ${JSON.stringify(stripWgslComments(readFileSync(file, 'utf8')))};`;
    },
  };
}
