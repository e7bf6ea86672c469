// Shared by unary.wgsl, binary.wgsl and ternary.wgsl (prepended by src/device/shaders.ts):
// the strided indexing, and the special-value helpers every family uses.
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

// Special values. WGSL leaves its builtins undefined on NaN and Inf (and log, sqrt, pow outside
// their domain), and lets a compiler assume no value is NaN or infinite, so `x != x` may fold
// to false. gpugrad's kernels define those cases themselves (docs/special-values.md), and
// recognize NaN and ±Inf from the bits, which no such assumption touches: a few integer
// compares and selects per element (their cost, measured: docs/special-values.md).
// The compares are signed where they can be: CPU SIMD (SwiftShader) has no unsigned compare.
fn is_nan(x: f32) -> bool { return bitcast<i32>(bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000i; }
// Inf or NaN.
fn is_non_finite(x: f32) -> bool { return bitcast<i32>(bitcast<u32>(x) & 0x7fffffffu) >= 0x7f800000i; }
// Strictly below zero, -Inf included; not -0, not a NaN with its sign bit set: the bits as i32
// run from INT_MIN (-0) up to -8388608 (-Inf, 0xff800000), and i - 1 wraps INT_MIN to INT_MAX.
fn is_negative(x: f32) -> bool { return bitcast<i32>(x) - 1i <= -8388609i; }

// A float from its bits, made at run time: WGSL rejects inf and NaN in constant expressions.
// It costs two integer ops per call on SwiftShader; on hot paths, a select between u32
// constants (run-time too, since its condition is) and one bitcast is cheaper.
fn runtime_bits(bits: u32, anything: f32) -> f32 {
  return bitcast<f32>(bits | (bitcast<u32>(anything) & 0u));
}

// tanh without cancellation: (1 - e)/(1 + e) with e = exp(-2|x|) loses every digit of 1 - e
// for tiny x (tanh(1e-22) would come out 0), so below |x| = 0.125 use the Taylor series
// x - x^3/3 + 2x^5/15 - 17x^7/315 (next term < 2e-9 relative there). ±Inf gives ±1 through
// exp(-Inf) = 0; NaN, for which WGSL's exp is undefined (SwiftShader: +Inf), gives NaN; the
// sign is copied from x's bits, so tanh(-0) = -0.
fn stable_tanh(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.125) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 - x2 * (17.0 / 315.0))));
  }
  let e = exp(-2.0 * min(ax, 64.0));  // tanh is 1 in float32 from |x| ≈ 9; exp never sees Inf
  let t = bitcast<f32>(bitcast<u32>((1.0 - e) / (1.0 + e)) | (bitcast<u32>(x) & 0x80000000u));
  return select(t, x, is_nan(x));
}

// x^p for any real x and finite p, as C's (IEEE 754) pow. Integer exponents up to 64 in
// magnitude on finite nonzero x are exact products (repeated squaring: pow(5, 2) is 25, where
// WGSL's pow, exp2(p log2 x), gives 24.999998). WGSL's pow is undefined for x <= 0 and for
// non-finite x, so only |x| finite and nonzero goes through it:
//  - x^0 = 1 for every x, NaN included; otherwise NaN^p = NaN;
//  - 0^p and Inf^-p are +0 for p > 0 and +Inf for p < 0;
//  - negative x (-0 and -Inf included): an odd integer p gives -|x|^p, another integer |x|^p;
//    a non-integer p gives NaN for finite x, and |x|^p for -0 and -Inf.
fn pow_real(x: f32, p: f32) -> f32 {
  if (p == 0.0) { return 1.0; }
  if (is_nan(x)) { return x; }
  let inf = runtime_bits(0x7f800000u, x);
  let ax = abs(x);
  let is_int = p == floor(p);
  let edge = ax == 0.0 || is_non_finite(x);
  if (is_int && abs(p) <= 64.0 && !edge) {
    var n = u32(abs(p));
    var base = x;
    var result = 1.0;
    loop {
      if ((n & 1u) == 1u) { result *= base; }
      n = n >> 1u;
      if (n == 0u) { break; }
      base *= base;
    }
    return select(result, 1.0 / result, p < 0.0);
  }
  let is_odd = is_int && (p * 0.5) != floor(p * 0.5);
  var magnitude = pow(ax, p);
  if (edge) { magnitude = select(select(0.0, inf, p > 0.0), select(inf, 0.0, p > 0.0), ax == 0.0); }
  if (bitcast<u32>(x) < 0x80000000u) { return magnitude; }
  if (!is_int && !edge) { return runtime_bits(0x7fc00000u, x); }
  return select(magnitude, -magnitude, is_odd);
}
