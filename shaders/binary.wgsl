// Binary elementwise ops with NumPy broadcasting: z[i] = op(a[at_a(i)], b[at_b(i)], p).
// Bindings: 0 a, 1 b (read), 2 z (write), 3 params (strided.wgsl; a broadcast dimension has
// stride 0). Workgroup WG, ITEMS outputs per invocation, guarded by params.size.
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
    if (params.contiguous == 1u) {
      z[i] = apply(a[i], b[i], params.p);
    } else {
      z[i] = apply(a[strided_offset(i, 0u)], b[strided_offset(i, 1u)], params.p);
    }
  }
}

fn op_add(a: f32, b: f32, p: f32) -> f32 { return a + b; }
fn op_sub(a: f32, b: f32, p: f32) -> f32 { return a - b; }
fn op_mul(a: f32, b: f32, p: f32) -> f32 { return a * b; }
fn op_div(a: f32, b: f32, p: f32) -> f32 { return a / b; }
// 1 where a equals b (the max of its group), else 0: routes max's gradient to the maximum.
fn op_equal(a: f32, b: f32, p: f32) -> f32 { return select(0.0, 1.0, a == b); }

// d relu = dy * [x > 0]
fn op_relu_grad(x: f32, dy: f32, p: f32) -> f32 { return select(0.0, dy, x > 0.0); }
// d leaky_relu = dy * (x > 0 ? 1 : alpha)
fn op_leaky_relu_grad(x: f32, dy: f32, p: f32) -> f32 { return select(p * dy, dy, x > 0.0); }
// d tanh = dy * (1 - y^2), from the output y
fn op_tanh_grad(y: f32, dy: f32, p: f32) -> f32 { return dy * (1.0 - y * y); }
// d sigmoid = dy * y (1 - y), from the output y
fn op_sigmoid_grad(y: f32, dy: f32, p: f32) -> f32 { return dy * y * (1.0 - y); }
// d gelu = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)), t = tanh(c (x + 0.044715 x^3))
fn op_gelu_grad(x: f32, dy: f32, p: f32) -> f32 {
  let c = 0.7978845608028654;
  let t = stable_tanh(c * (x + 0.044715 * x * x * x));
  return dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 0.134145 * x * x));
}
