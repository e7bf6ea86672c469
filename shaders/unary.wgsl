// Unary elementwise ops: y[i] = op(x[at(i)], p).
// Bindings: 0 x (read), 1 y (write), 2 params (strided.wgsl). `main`: ITEMS outputs per
// invocation; `main_vec4`: one vec4 of outputs; `place`: the other way round, x read in order
// and written into a strided region of y (concat's pieces, a slice's gradient). All guarded by
// params.size. src/device/shaders.ts appends `fn apply` naming the op.
// The activations (relu, leaky relu, tanh, sigmoid, gelu) are in activations.wgsl.
// Special values (NaN, ±Inf, ±0, outside a function's domain) are defined explicitly, as
// docs/special-values.md tabulates: WGSL leaves them undefined (real.wgsl says more).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = first_item(gid, nwg);
  for (var i = first; i < min(first + ITEMS, params.size); i++) {
    y[i] = apply(x[at(i, 0u)], params.p);
  }
}

// The same buffers as vec4 arrays (legal: no entry point uses both views).
@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = invocation(gid, nwg);
  if (j >= params.size / 4u) { return; }
  let v = x4[at4(j, 0u)];
  let p = params.p;
  y4[j] = vec4<f32>(apply(v.x, p), apply(v.y, p), apply(v.z, p), apply(v.w, p));
}

// y[offset + strided(i)] = op(x[i]): writes a region of a larger tensor (y's other elements
// are left as they are).
@compute @workgroup_size(WG)
fn place(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = first_item(gid, nwg);
  for (var i = first; i < min(first + ITEMS, params.size); i++) {
    y[params.offset + strided_offset(i, 0u)] = apply(x[i], params.p);
  }
}

fn op_copy(x: f32, p: f32) -> f32 { return x; }
// Tensor-scalar arithmetic: the scalar rides in the uniform, so it costs no buffer. IEEE
// arithmetic already gives the special values (x / 0 = ±Inf or NaN, Inf - Inf = NaN).
fn op_add_scalar(x: f32, p: f32) -> f32 { return x + p; }
fn op_mul_scalar(x: f32, p: f32) -> f32 { return x * p; }
fn op_div_scalar(x: f32, p: f32) -> f32 { return x / p; }
fn op_rsub_scalar(x: f32, p: f32) -> f32 { return p - x; }
fn op_rdiv_scalar(x: f32, p: f32) -> f32 { return p / x; }
// Sign flip and sign clear on the bits: exact for ±0 and NaN whatever the compiler does with -x.
fn op_neg(x: f32, p: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ 0x80000000u); }
fn op_abs(x: f32, p: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu); }
fn op_square(x: f32, p: f32) -> f32 { return x * x; }

// exp(-Inf) = 0, exp(+Inf) = +Inf, exp(NaN) = NaN. WGSL's exp is undefined on non-finite input
// (SwiftShader: exp(NaN) = +Inf), so x is clamped to where float32 exp is already 0 (e^-110)
// or +Inf (e^89), and NaN is passed through.
fn op_exp(x: f32, p: f32) -> f32 {
  return select(exp(clamp(x, -110.0, 89.0)), x, is_nan(x));
}

// log(x < 0) = NaN, log(±0) = -Inf, log(+Inf) = +Inf, log(NaN) = NaN. WGSL's log is undefined
// outside (0, +Inf) and SwiftShader's reads the exponent bits: log(-2) = log(2), log(0) = -88.03,
// log(1e-40) = -88.02. Subnormals count as zero (-Inf), as on an adapter that flushes them
// (WGSL allows it), which keeps this to one log and a few branch-free selects.
fn op_log(x: f32, p: f32) -> f32 {
  let i = bitcast<i32>(x);
  let tiny = (i & 0x7fffffffi) < 0x00800000i;  // ±0 and subnormals
  // The special results as bits (a select of constants is made at run time, unlike a constant
  // NaN or Inf, which WGSL rejects): -Inf, x itself for +Inf and NaN, else NaN (below zero).
  let special = select(select(0x7fc00000u, bitcast<u32>(x), i >= 0x7f800000i), 0xff800000u, tiny);
  return select(log(x), bitcast<f32>(special), i < 0x00800000i || i >= 0x7f800000i);  // all but positive normal finite x
}

// sqrt(x < 0) = NaN (WGSL leaves it undefined); ±0, +Inf and NaN are their own square roots
// (IEEE: sqrt(-0) = -0).
fn op_sqrt(x: f32, p: f32) -> f32 {
  let bits = bitcast<u32>(x);
  let r = select(sqrt(x), x, (bits & 0x7fffffffu) == 0u || is_non_finite(x));
  return bitcast<f32>(select(bitcast<u32>(r), 0x7fc00000u, is_negative(x)));
}

// -1 or 1 with x's sign bit; ±0 and NaN return themselves (as Math.sign and NumPy's sign;
// WGSL's sign is undefined for NaN, and SwiftShader returns 0 there and for -0).
fn op_sign(x: f32, p: f32) -> f32 {
  let bits = bitcast<u32>(x);
  let keep = (bits & 0x7fffffffu) == 0u || is_nan(x);
  return select(bitcast<f32>((bits & 0x80000000u) | 0x3f800000u), x, keep);
}

fn op_pow_scalar(x: f32, p: f32) -> f32 { return pow_real(x, p); }

// Clamps that let NaN through (WGSL's max and min may drop it).
fn op_clamp_min(x: f32, p: f32) -> f32 { return select(max(x, p), x, is_nan(x)); }
fn op_clamp_max(x: f32, p: f32) -> f32 { return select(min(x, p), x, is_nan(x)); }

