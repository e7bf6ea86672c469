// Real-number helpers shared by every shader that handles special values (the elementwise
// families, tree.wgsl's reductions, histograms, activations in matmul epilogues); prepended by
// src/device/shaders.ts. No bindings, no overrides: any shader can include it.

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
  let x2 = x * x;
  let series = x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 - x2 * (17.0 / 315.0))));
  let e = exp(-2.0 * min(ax, 64.0));  // tanh is 1 in float32 from |x| ≈ 9; exp never sees Inf
  let t = bitcast<f32>(bitcast<u32>((1.0 - e) / (1.0 + e)) | (bitcast<u32>(x) & 0x80000000u));
  return select(select(t, series, ax < 0.125), x, is_nan(x));
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
