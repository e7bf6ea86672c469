// WGSL sources, inlined at build time (Vite's `?raw`), as Shader objects: the composed code,
// its uniform layout and override defaults (parsed once, see uniforms.ts), and a map from a
// line of the composed code back to its .wgsl file and line, for compile errors.
// This is the one place that composes source: a kernel file after the helpers it uses, and for
// the elementwise families an `fn apply` naming the op's WGSL function. It knows no op names:
// the op table (src/ops) passes the function's name in.

import strided from '../../shaders/strided.wgsl?raw';
import real from '../../shaders/real.wgsl?raw';
import activations from '../../shaders/activations.wgsl?raw';
import unary from '../../shaders/unary.wgsl?raw';
import binary from '../../shaders/binary.wgsl?raw';
import ternary from '../../shaders/ternary.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import softmax from '../../shaders/softmax.wgsl?raw';
import matmul from '../../shaders/matmul.wgsl?raw';
import matmulWide from '../../shaders/matmul-wide.wgsl?raw';
import matmulTiled from '../../shaders/matmul-tiled.wgsl?raw';
import matmulQuad from '../../shaders/matmul-quad.wgsl?raw';
import matmulIo from '../../shaders/matmul-io.wgsl?raw';
import linearIo from '../../shaders/linear-io.wgsl?raw';
import linearGradIo from '../../shaders/linear-grad-io.wgsl?raw';
import linearDxIo from '../../shaders/linear-dx-io.wgsl?raw';
import fill from '../../shaders/fill.wgsl?raw';
import rng from '../../shaders/rng.wgsl?raw';
import optim from '../../shaders/optim.wgsl?raw';
import moments from '../../shaders/moments.wgsl?raw';
import tree from '../../shaders/tree.wgsl?raw';
import gather from '../../shaders/gather.wgsl?raw';
import numerics from '../../shaders/numerics.wgsl?raw';
import histogram from '../../shaders/histogram.wgsl?raw';
import { parseLayout, parseConstants, type UniformLayout } from './uniforms.ts';

/** Composed WGSL with what the device needs to run it and to report its errors. */
export interface Shader {
  /** Names the shader in cache keys and error messages, e.g. 'reduce' or 'unary:relu'. */
  name: string;
  code: string;
  /** The uniform struct `Params`, or null when the shader takes none. */
  layout: UniformLayout | null;
  /** u32 `override` defaults and `const` values (workgroup sizes, items per invocation). */
  constants: Record<string, number>;
  /** 'reduce.wgsl:12' for line 40 of the composed code. */
  locate(line: number): string;
}

type Part = [file: string, text: string];

function compose(name: string, parts: Part[]): Shader {
  const starts: { file: string; first: number; lines: number }[] = [];
  let line = 1;
  for (const [file, text] of parts) {
    const lines = text.split('\n').length;
    starts.push({ file, first: line, lines });
    line += lines;
  }
  const code = parts.map(([, text]) => text).join('\n');
  return {
    name, code, layout: parseLayout(code), constants: parseConstants(code),
    locate: (n) => {
      const part = starts.find((p) => n >= p.first && n < p.first + p.lines);
      return part ? `${part.file}:${n - part.first + 1}` : `line ${n}`;
    },
  };
}

const REAL: Part = ['real.wgsl', real];
const ACTIVATIONS: Part = ['activations.wgsl', activations];
/** The matmul kernels, after the bindings of plain products, the linear layer or its gradient. */
const MATMUL_KERNELS: Part[] = [['matmul.wgsl', matmul], ['matmul-wide.wgsl', matmulWide], ['matmul-tiled.wgsl', matmulTiled]];
// matmul-quad.wgsl's kernels use subgroup operations, which a module may only name after
// `enable subgroups;`, and which compile only on a device with the feature: each product
// shader has a second version with them, used for those kernels alone.
const SUBGROUPS: Part = ['(subgroups)', 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);'];
const withQuads = new Map<Shader, Shader>();
function product(name: string, head: Part[]): Shader {
  const shader = compose(name, [...head, ...MATMUL_KERNELS]);
  withQuads.set(shader, compose(`${name}+quads`, [SUBGROUPS, ...head, ...MATMUL_KERNELS, ['matmul-quad.wgsl', matmulQuad]]));
  return shader;
}
/** The version of a product shader (shaders.matmul, linear, linearGrad, linearDx) with the quad kernels. */
export function quadVersion(shader: Shader): Shader {
  const quads = withQuads.get(shader);
  if (!quads) throw new Error(`gpugrad: shader '${shader.name}' has no quad kernels`);
  return quads;
}

// reduce, softmax and moments fold across a workgroup with tree.wgsl's helpers.
export const shaders = {
  reduce: compose('reduce', [REAL, ['tree.wgsl', tree], ['reduce.wgsl', reduce]]),
  softmax: compose('softmax', [REAL, ['tree.wgsl', tree], ['softmax.wgsl', softmax]]),
  moments: compose('moments', [REAL, ['tree.wgsl', tree], ['moments.wgsl', moments]]),
  matmul: product('matmul', [['matmul-io.wgsl', matmulIo]]),
  linear: product('linear', [REAL, ACTIVATIONS, ['linear-io.wgsl', linearIo]]),
  linearGrad: product('linearGrad', [['linear-grad-io.wgsl', linearGradIo]]),
  linearDx: product('linearDx', [REAL, ACTIVATIONS, ['linear-dx-io.wgsl', linearDxIo]]),
  fill: compose('fill', [['fill.wgsl', fill]]),
  rng: compose('rng', [['rng.wgsl', rng]]),
  optim: compose('optim', [['optim.wgsl', optim]]),
  gather: compose('gather', [['gather.wgsl', gather]]),
  numerics: compose('numerics', [['numerics.wgsl', numerics]]),
  histogram: compose('histogram', [REAL, ['histogram.wgsl', histogram]]),
};

/** The elementwise families: how many operands `fn apply` takes. */
export type Family = 'unary' | 'binary' | 'ternary';
// Each family after strided.wgsl and real.wgsl; unary and binary also after the activations
// (their forward functions, and the gradients binary.wgsl runs).
const FAMILIES: Record<Family, { parts: Part[]; args: string[] }> = {
  unary: { parts: [ACTIVATIONS, ['unary.wgsl', unary]], args: ['x'] },
  binary: { parts: [ACTIVATIONS, ['binary.wgsl', binary]], args: ['a', 'b'] },
  ternary: { parts: [['ternary.wgsl', ternary]], args: ['c', 'a', 'b'] },
};

const composed = new Map<string, Shader>();

/** strided.wgsl, the family's file and `fn apply` calling the WGSL function `fn` (e.g. 'op_relu'). */
export function elementwiseShader(family: Family, fn: string): Shader {
  const name = `${family}:${fn}`;
  let shader = composed.get(name);
  if (!shader) {
    const { parts, args } = FAMILIES[family];
    const signature = [...args, 'p'].map((a) => `${a}: f32`).join(', ');
    const apply = `fn apply(${signature}) -> f32 { return ${fn}(${[...args, 'p'].join(', ')}); }`;
    composed.set(name, (shader = compose(name, [['strided.wgsl', strided], REAL, ...parts, [`(apply for ${fn})`, apply]])));
  }
  return shader;
}

/** Whether the family's WGSL file defines function `fn` (the op table's test checks every entry). */
export function definesFunction(family: Family, fn: string): boolean {
  return new RegExp(`\\bfn\\s+${fn}\\s*\\(`).test(FAMILIES[family].parts.map(([, text]) => text).join('\n'));
}
