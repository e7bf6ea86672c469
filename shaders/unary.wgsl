// Unary elementwise ops: y[i] = op(x[at(i)], p).
// Bindings: 0 x (read), 1 y (write), 2 params (strided.wgsl). `main`: ITEMS outputs per
// invocation; `main_vec4`: one vec4 of outputs; `place`: the other way round, x read in order
// and written into a strided region of y (concat's pieces, a slice's gradient). All guarded by
// params.size. src/device/shaders.ts appends `fn apply` naming the op.
// Numerically stable forms: tanh as stable_tanh (strided.wgsl), sigmoid split on the sign of x.

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
// Tensor-scalar arithmetic: the scalar rides in the uniform, so it costs no buffer.
fn op_add_scalar(x: f32, p: f32) -> f32 { return x + p; }
fn op_mul_scalar(x: f32, p: f32) -> f32 { return x * p; }
fn op_div_scalar(x: f32, p: f32) -> f32 { return x / p; }
fn op_rsub_scalar(x: f32, p: f32) -> f32 { return p - x; }
fn op_rdiv_scalar(x: f32, p: f32) -> f32 { return p / x; }
fn op_neg(x: f32, p: f32) -> f32 { return -x; }
fn op_exp(x: f32, p: f32) -> f32 { return exp(x); }
fn op_log(x: f32, p: f32) -> f32 { return log(x); }
fn op_sqrt(x: f32, p: f32) -> f32 { return sqrt(x); }
fn op_square(x: f32, p: f32) -> f32 { return x * x; }
fn op_abs(x: f32, p: f32) -> f32 { return abs(x); }
fn op_sign(x: f32, p: f32) -> f32 { return sign(x); }

fn op_pow_scalar(x: f32, p: f32) -> f32 { return pow_real(x, p); }

// Clamps that let NaN through (WGSL's max and min may drop it).
fn op_clamp_min(x: f32, p: f32) -> f32 { return select(max(x, p), x, is_nan(x)); }
fn op_clamp_max(x: f32, p: f32) -> f32 { return select(min(x, p), x, is_nan(x)); }

fn op_relu(x: f32, p: f32) -> f32 { return max(x, 0.0); }
fn op_leaky_relu(x: f32, p: f32) -> f32 { return select(p * x, x, x > 0.0); }

fn op_tanh(x: f32, p: f32) -> f32 { return stable_tanh(x); }

fn op_sigmoid(x: f32, p: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// GELU, tanh form (Hendrycks & Gimpel 2016): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
fn op_gelu(x: f32, p: f32) -> f32 {
  let inner = 0.7978845608028654 * (x + 0.044715 * x * x * x);
  return 0.5 * x * (1.0 + stable_tanh(inner));
}
