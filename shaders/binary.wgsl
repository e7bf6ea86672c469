// Binary elementwise ops with NumPy broadcasting: z[i] = op(a[at(i, 0)], b[at(i, 1)], p).
// Bindings: 0 a, 1 b (read), 2 z (write), 3 params (strided.wgsl; a broadcast dimension has
// stride 0). `main`: ITEMS outputs per invocation; `main_vec4`: one vec4 of outputs.
// The *_grad ops are fused backward kernels of activations: a is the forward input x (or the
// output y where the derivative is cheaper from it), b is the incoming gradient dy.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = first_item(gid, nwg);
  for (var i = first; i < min(first + ITEMS, params.size); i++) {
    z[i] = apply(a[at(i, 0u)], b[at(i, 1u)], params.p);
  }
}

// The same buffers as vec4 arrays (legal: no entry point uses both views).
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> z4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = invocation(gid, nwg);
  if (j >= params.size / 4u) { return; }
  let u = a4[at4(j, 0u)];
  let v = b4[at4(j, 1u)];
  let p = params.p;
  z4[j] = vec4<f32>(apply(u.x, v.x, p), apply(u.y, v.y, p), apply(u.z, v.z, p), apply(u.w, v.w, p));
}

// IEEE arithmetic gives the special values: 1 / ±0 = ±Inf, 0 / 0 = NaN, Inf - Inf = NaN, 0 · Inf = NaN.
fn op_add(a: f32, b: f32, p: f32) -> f32 { return a + b; }
fn op_sub(a: f32, b: f32, p: f32) -> f32 { return a - b; }
fn op_mul(a: f32, b: f32, p: f32) -> f32 { return a * b; }
fn op_div(a: f32, b: f32, p: f32) -> f32 { return a / b; }
// a^b elementwise (pow with a tensor exponent).
fn op_pow_tensor(a: f32, b: f32, p: f32) -> f32 { return pow_real(a, b); }

// Larger and smaller of two; NaN in either gives NaN (as torch.maximum, torch.minimum).
fn op_maximum(a: f32, b: f32, p: f32) -> f32 {
  return select(max(a, b), runtime_bits(0x7fc00000u, a), is_nan(a) || is_nan(b));
}
fn op_minimum(a: f32, b: f32, p: f32) -> f32 {
  return select(min(a, b), runtime_bits(0x7fc00000u, a), is_nan(a) || is_nan(b));
}

// Comparisons give 1 or 0. Any comparison with NaN is false, except notEqual, which is true
// (IEEE); tested on the bits, since the compiler may assume no NaN.
fn ordered(a: f32, b: f32) -> bool { return !(is_nan(a) || is_nan(b)); }
fn op_equal(a: f32, b: f32, p: f32) -> f32 { return select(0.0, 1.0, ordered(a, b) && a == b); }
fn op_not_equal(a: f32, b: f32, p: f32) -> f32 { return select(1.0, 0.0, ordered(a, b) && a == b); }
fn op_greater(a: f32, b: f32, p: f32) -> f32 { return select(0.0, 1.0, ordered(a, b) && a > b); }
fn op_greater_equal(a: f32, b: f32, p: f32) -> f32 { return select(0.0, 1.0, ordered(a, b) && a >= b); }
fn op_less(a: f32, b: f32, p: f32) -> f32 { return select(0.0, 1.0, ordered(a, b) && a < b); }
fn op_less_equal(a: f32, b: f32, p: f32) -> f32 { return select(0.0, 1.0, ordered(a, b) && a <= b); }

// relu's, leaky relu's, tanh's and sigmoid's gradients are activations.wgsl's (op_relu_grad, ...).
// d gelu = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)), t = tanh(c (x + 0.044715 x^3)).
// Past |x| ≈ 5, t is ±1 in float32 and 1 - t^2 = 0, while x^2 overflows above |x| ≈ 1.8e19
// (and is Inf at ±Inf): the second term is 0 there, not 0 · Inf = NaN, and the gradient 1 or 0.
fn op_gelu_grad(x: f32, dy: f32, p: f32) -> f32 {
  let c = 0.7978845608028654;
  let t = stable_tanh(c * (x + 0.044715 * x * x * x));
  let s = 1.0 - t * t;
  let tail = select(0.5 * x * s * c * (1.0 + 0.134145 * x * x), 0.0, s == 0.0);
  return dy * (0.5 * (1.0 + t) + tail);
}
