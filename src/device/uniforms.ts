// Uniform parameter blocks, described once: by the WGSL struct `Params` of the shader that
// reads them. The layout (offsets, alignment, padding) is parsed from that struct with
// WGSL's uniform layout rules, so TypeScript packs fields by name and no byte offset is
// written by hand anywhere else. Fields named `_pad*` are padding and take no value.
// Workgroup sizes come the same way, from the shader's `override WG...` defaults.

interface Field { name: string; offset: number; scalar: 'u32' | 'i32' | 'f32'; count: number }

/** Where each field of a uniform struct lives, the struct's size in bytes, and its field names. */
export interface UniformLayout { fields: Field[]; size: number; names: ReadonlySet<string> }

/** Field values by name: a number for a scalar, numbers for a vector or an array (zero-filled past their end). */
export type UniformValues = Record<string, number | readonly number[]>;

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** Size and alignment of a WGSL type in a uniform buffer, and its scalar kind and count. */
function typeInfo(type: string): { size: number; align: number; scalar: Field['scalar']; count: number } {
  const t = type.replace(/\s+/g, '');
  if (t === 'u32' || t === 'i32' || t === 'f32') return { size: 4, align: 4, scalar: t, count: 1 };
  const vec = /^vec([234])<(u32|i32|f32)>$/.exec(t);
  if (vec) {
    const n = Number(vec[1]);
    return { size: 4 * n, align: n === 2 ? 8 : 16, scalar: vec[2] as Field['scalar'], count: n };
  }
  const array = /^array<(.+),(\d+)>$/.exec(t);
  if (array) {
    const element = typeInfo(array[1]);
    const stride = roundUp(element.size, 16); // uniform arrays: element stride is a multiple of 16
    if (stride !== element.size) throw new Error(`uniforms: array element ${array[1]} needs 16-byte elements in a uniform buffer`);
    const length = Number(array[2]);
    return { size: stride * length, align: 16, scalar: element.scalar, count: element.count * length };
  }
  throw new Error(`uniforms: unsupported WGSL type '${type}' in a uniform struct`);
}

/** Parses `struct Params { ... }` out of WGSL source; null when the shader has none. */
export function parseLayout(code: string, struct = 'Params'): UniformLayout | null {
  const body = new RegExp(`struct\\s+${struct}\\s*\\{([^}]*)\\}`).exec(code)?.[1];
  if (body === undefined) return null;
  const declarations = body.replace(/\/\/[^\n]*/g, '').split(/,(?![^<]*>)/).map((s) => s.trim()).filter(Boolean);
  const fields: Field[] = [];
  let offset = 0;
  let maxAlign = 4;
  for (const declaration of declarations) {
    const match = /^(\w+)\s*:\s*(.+)$/.exec(declaration);
    if (!match) throw new Error(`uniforms: cannot read field '${declaration}' of struct ${struct}`);
    const info = typeInfo(match[2]);
    offset = roundUp(offset, info.align);
    fields.push({ name: match[1], offset, scalar: info.scalar, count: info.count });
    offset += info.size;
    maxAlign = Math.max(maxAlign, info.align);
  }
  return { fields, size: roundUp(offset, Math.max(16, maxAlign)), names: new Set(fields.map((f) => f.name)) };
}

/** Packs `values` into a buffer laid out as `layout`; every non-padding field must be given. */
export function packUniform(layout: UniformLayout, values: UniformValues, shader: string): ArrayBuffer {
  const buffer = new ArrayBuffer(layout.size);
  const views = { u32: new Uint32Array(buffer), i32: new Int32Array(buffer), f32: new Float32Array(buffer) };
  for (const field of layout.fields) {
    if (field.name.startsWith('_pad')) continue;
    const value = values[field.name];
    if (value === undefined) throw new Error(`uniforms: ${shader}: no value for Params.${field.name}`);
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > field.count) throw new Error(`uniforms: ${shader}: Params.${field.name} holds ${field.count} values, got ${list.length}`);
    views[field.scalar].set(list, field.offset / 4);
  }
  for (const name in values) {
    if (!layout.names.has(name)) throw new Error(`uniforms: ${shader}: Params has no field '${name}'`);
  }
  return buffer;
}

/**
 * The values of `override NAME: u32 = N;` (defaults) and `const NAME: u32 = N;` declarations:
 * workgroup sizes and items per invocation, which the launchers need to size their grids.
 */
export function parseConstants(code: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of code.matchAll(/(?:override|const)\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u?\s*;/g)) out[m[1]] = Number(m[2]);
  return out;
}
