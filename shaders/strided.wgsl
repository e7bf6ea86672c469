// Shared by unary.wgsl, binary.wgsl and ternary.wgsl (prepended by src/device/shaders.ts):
// the strided indexing. The special-value helpers every family uses are in real.wgsl.
// Elementwise kernels see their inputs through strides over the output's shape, so one
// kernel covers contiguous data, NumPy broadcasting (stride 0) and transposes (permuted
// strides). The including file declares `params`, the uniform at its last binding. Up to
// rank 8: shape and strides are packed in vec4s because uniform arrays need 16-byte elements.
//
// Two fast paths skip the per-dimension index loop, which costs several times the op itself
// on CPU adapters:
//  - an operand with a period P is a contiguous block of P elements repeated along the
//    leading axes (P = size: laid out like the output; P = n: a bias row under [m, n]), read
//    at i % P;
//  - main_vec4 (in each family file) handles 4 outputs as one vec4 when every operand has a
//    period and the size and periods are multiples of 4.

// The layout of this struct is the one description of these parameters: the TypeScript side
// (src/device/uniforms.ts) parses it and packs fields by name.
struct Params {
  size: u32,        // number of output elements
  rank: u32,
  p: f32,           // the op's scalar parameter (pow exponent, leaky relu slope), else 0
  offset: u32,      // added to operand a's index (a slice's start); unary `place`: to the output's
  period_a: u32,    // 0: read through strides_a; else a[i % period_a]
  period_b: u32,
  period_c: u32,
  _pad: u32,
  shape: array<vec4<u32>, 2>,
  strides_a: array<vec4<u32>, 2>,
  strides_b: array<vec4<u32>, 2>,
  strides_c: array<vec4<u32>, 2>,
}

override WG: u32 = 64;
// Each invocation of `main` handles ITEMS consecutive outputs: fewer invocations run faster
// on CPU adapters and change little on GPUs.
const ITEMS: u32 = 4u;

fn period_of(which: u32) -> u32 {
  if (which == 0u) { return params.period_a; }
  if (which == 1u) { return params.period_b; }
  return params.period_c;
}

// Where operand `which` (0: a or x, 1: b, 2: c) holds output element i.
fn at(i: u32, which: u32) -> u32 {
  let period = period_of(which);
  let base = select(0u, params.offset, which == 0u);
  if (period == params.size) { return base + i; }
  if (period != 0u) { return base + i % period; }
  return base + strided_offset(i, which);
}

// Where operand `which`, periodic with a period that divides by 4, holds the output's vec4
// number j (the offset divides by 4 too when main_vec4 runs).
fn at4(j: u32, which: u32) -> u32 {
  let period = period_of(which);
  let base = select(0u, params.offset / 4u, which == 0u);
  if (period == params.size) { return base + j; }
  return base + j % (period / 4u);
}

fn invocation(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn strided_offset(i: u32, which: u32) -> u32 {
  var rest = i;
  var offset = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let dim = params.shape[d / 4][d % 4];
    let coord = rest % dim;
    rest = rest / dim;
    var stride: u32;
    if (which == 0u) { stride = params.strides_a[d / 4][d % 4]; }
    else if (which == 1u) { stride = params.strides_b[d / 4][d % 4]; }
    else { stride = params.strides_c[d / 4][d % 4]; }
    offset += coord * stride;
  }
  return offset;
}

fn first_item(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return invocation(gid, nwg) * ITEMS;
}
