// The matmul kernels (matmul*.wgsl) as data, and which one runs a product. A variant names a
// family of kernels; each layout (which operand is transposed) has its own entry point where
// the variant has vec4 loads, and those need some dimensions to be multiples of 4.
//
// 'auto' picks per adapter and shape: the choice measured by tuneMatmul() for this adapter,
// layout and shape class when there is one, else a default by adapter kind: the register-
// blocked kernels on CPU adapters (where workgroup barriers are emulated and a load is a
// gather; quad, which shares loads within subgroup quads, where the adapter has subgroups),
// the workgroup-memory tiles on GPUs. setMatmulTuning() loads or overrides choices.

import { getDevice } from '../device/device.ts';
import type { Shader } from '../device/shaders.ts';
import { GpugradError, ShapeError } from '../errors.ts';

/** A matmul kernel family; see MatmulOptions.variant. */
export type MatmulVariant = 'auto' | 'naive' | 'block' | 'block_vec4' | 'wide' | 'quad' | 'tiled';
export type Kernel = Exclude<MatmulVariant, 'auto'>;
/** Which operands are read transposed: 'nn' a·b, 'tn' aᵀ·b, 'nt' a·bᵀ, 'tt' aᵀ·bᵀ. */
export type Layout = 'nn' | 'tn' | 'nt' | 'tt';
type Dim = 'm' | 'k' | 'n';
interface Entry { entry: string; along: Dim[] }

const ANY_LAYOUT = (entry: string): Record<Layout, Entry> =>
  ({ nn: { entry, along: [] }, tn: { entry, along: [] }, nt: { entry, along: [] }, tt: { entry, along: [] } });
const VEC4 = (prefix: string): Partial<Record<Layout, Entry>> => ({
  nn: { entry: prefix, along: ['k', 'n'] },
  tn: { entry: `${prefix}_tn`, along: ['m', 'n'] },
  nt: { entry: `${prefix}_nt`, along: ['k'] },
});

/**
 * Each variant: its entry point per layout, the outputs one invocation (tiled: one workgroup)
 * computes, whether its aᵀ·b kernel also sums b's columns (linear's bias gradient), and whether
 * it needs the device's 'subgroups' feature.
 */
const KERNELS: Record<Kernel, { entries: Partial<Record<Layout, Entry>>; rows: number; cols: number; perWorkgroup?: boolean; sums?: boolean; subgroups?: boolean }> = {
  naive: { entries: ANY_LAYOUT('naive'), rows: 1, cols: 1 },
  block: { entries: ANY_LAYOUT('block'), rows: 4, cols: 4 },
  block_vec4: { entries: VEC4('block_vec4'), rows: 4, cols: 4, sums: true },
  wide: { entries: VEC4('wide'), rows: 8, cols: 8, sums: true },
  quad: { entries: VEC4('quad'), rows: 8, cols: 8, sums: true, subgroups: true },
  tiled: { entries: ANY_LAYOUT('tiled'), rows: 64, cols: 64, perWorkgroup: true },
};
export const VARIANTS: readonly MatmulVariant[] = ['auto', ...Object.keys(KERNELS) as Kernel[]];

export interface Dims { m: number; k: number; n: number }

export const layoutOf = (transposeA: boolean, transposeB: boolean): Layout =>
  `${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}` as Layout;
const LAYOUT_TEXT: Record<Layout, string> = { nn: 'a·b', tn: 'aᵀ·b', nt: 'a·bᵀ', tt: 'aᵀ·bᵀ' };

/**
 * Whether `kernel` runs on this device (subgroups where it needs them) and has an entry point
 * for the layout whose vec4 loads fit these dimensions.
 */
export function fits(kernel: Kernel, layout: Layout, dims: Dims): boolean {
  const { entries, subgroups } = KERNELS[kernel];
  const e = entries[layout];
  return e !== undefined && e.along.every((d) => dims[d] % 4 === 0) && (!subgroups || getDevice().info.subgroups);
}

/** Whether the kernel's aᵀ·b entry point also sums b's columns (linear-grad-io.wgsl's SUM_B). */
export const sumsColumns = (kernel: Kernel): boolean => KERNELS[kernel].sums === true;
/** Whether the kernel is compiled in the product shaders' versions with subgroups (quadVersion). */
export const usesSubgroups = (kernel: Kernel): boolean => KERNELS[kernel].subgroups === true;

/** The kernels that can run this product, in the order tried by the tuner. */
export const candidates = (layout: Layout, dims: Dims): Kernel[] =>
  (Object.keys(KERNELS) as Kernel[]).filter((k) => k !== 'naive' && fits(k, layout, dims));

/** Throws, naming `op`, when an explicitly asked variant cannot run this product: ShapeError, or GpugradError for a kernel that needs subgroups the adapter lacks. */
export function checkVariant(op: string, variant: MatmulVariant, layout: Layout, dims: Dims): void {
  if (variant === 'auto' || fits(variant, layout, dims)) return;
  if (KERNELS[variant].subgroups && !getDevice().info.subgroups) {
    throw new GpugradError(`${op}: ${variant} needs the adapter's 'subgroups' feature, which this one (${adapterKey()}) lacks; use 'auto' or 'wide'`);
  }
  const e = KERNELS[variant].entries[layout];
  if (!e) throw new ShapeError(`${op}: ${variant} has no kernel for ${LAYOUT_TEXT[layout]} (both operands transposed)`);
  const need = e.along.map((d) => `${d.toUpperCase()}=${dims[d]}`).join(', ');
  throw new ShapeError(`${op}: ${variant} for ${LAYOUT_TEXT[layout]} needs ${e.along.map((d) => d.toUpperCase()).join(' and ')} divisible by 4, got ${need}`);
}

// ---- the choice for 'auto' ----

/** Choices measured (or set) for adapter|layout|shape class. */
const tuned = new Map<string, Kernel>();

/** Dimensions rounded up to powers of two (at least 16): products of one class share a choice. */
const shapeClass = ({ m, k, n }: Dims) => [m, k, n].map((d) => 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(d, 1))))).join('x');
export function adapterKey(): string {
  const { vendor, architecture, device } = getDevice().info;
  return [vendor, architecture, device].map((s) => s || '?').join('/');
}
export const tuningKey = (layout: Layout, dims: Dims) => `${adapterKey()}|${layout}|${shapeClass(dims)}`;

/** The kernel for 'auto': the tuned choice if any, else the adapter kind's default. */
export function autoKernel(layout: Layout, dims: Dims): Kernel {
  // Untuned (the usual case), no key is built: this runs for every product.
  const choice = tuned.size ? tuned.get(tuningKey(layout, dims)) : undefined;
  if (choice && fits(choice, layout, dims)) return choice;
  if (getDevice().info.isFallback) {
    return (['quad', 'wide', 'block_vec4'] as const).find((k) => fits(k, layout, dims)) ?? 'block';
  }
  return Math.min(dims.m, dims.n) >= 64 ? 'tiled' : fits('block_vec4', layout, dims) ? 'block_vec4' : 'block';
}

export function recordChoice(key: string, kernel: Kernel): void {
  tuned.set(key, kernel);
}

/** The tuned choices, as `adapter|layout|shape class` → variant (for saving; see setMatmulTuning). */
export function matmulTuning(): Record<string, MatmulVariant> {
  return Object.fromEntries(tuned);
}

/**
 * Loads choices made by tuneMatmul() (in this or an earlier run: matmulTuning()'s object), or
 * overrides some by hand; `null` forgets every choice. Keys name the adapter, so choices made
 * on one machine do nothing on another.
 */
export function setMatmulTuning(choices: Record<string, MatmulVariant> | null): void {
  if (choices === null) return tuned.clear();
  for (const [key, variant] of Object.entries(choices)) {
    if (!(variant in KERNELS)) throw new GpugradError(`setMatmulTuning: '${variant}' for ${key} is not a kernel (${Object.keys(KERNELS).join(', ')})`);
    tuned.set(key, variant as Kernel);
  }
}

// ---- launching ----

/** The entry point and workgroup grid of `kernel` for a [batch, m, n] output. */
export function grid(shader: Shader, kernel: Kernel, layout: Layout, dims: Dims, batch: number): { entryPoint: string; groups: [number, number, number] } {
  const { entries, rows, cols, perWorkgroup } = KERNELS[kernel];
  const entryPoint = entries[layout]!.entry;
  if (perWorkgroup) return { entryPoint, groups: [Math.ceil(dims.n / cols), Math.ceil(dims.m / rows), batch] };
  const { WG_X, WG_Y } = shader.constants;
  return { entryPoint, groups: [Math.ceil(Math.ceil(dims.n / cols) / WG_X), Math.ceil(Math.ceil(dims.m / rows) / WG_Y), batch] };
}
