// The bindings of the linear layer's input gradient with the activation derivative of the
// layer before folded in: dz_prev = (dz·Wᵀ) ⊙ act'(y_prev), where y_prev, this layer's input,
// is the output of a linear layer with an activation (src/ops/linear.ts; backward() in
// src/autograd.ts decides when). One dispatch instead of the product and an elementwise
// kernel. 0 a = dz, 1 b = W, 2 y_prev (read), 3 c (write), 4 params.
// The derivatives are activations.wgsl's, so the values (special values included) are those
// of the separate kernels.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> y_prev: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c4: array<vec4<f32>>;

// 1 relu, 2 leaky relu (slope params.alpha >= 0), 3 tanh, 4 sigmoid (linear-io.wgsl's codes).
override ACT: u32 = 1u;

// Output (row, col) of a 2-D product: y_prev has the output's shape.
fn finish(row: u32, col: u32, v: f32) -> f32 {
  let y = y_prev[min(row * params.n + col, params.m * params.n - 1u)];  // past the edge: not stored
  switch ACT {
    case 1u: { return op_relu_grad(y, v, 0.0); }
    case 2u: { return op_leaky_relu_grad(y, v, params.alpha); }
    case 3u: { return op_tanh_grad(y, v, 0.0); }
    default: { return op_sigmoid_grad(y, v, 0.0); }
  }
}
const SUM_B = false;
fn store_col_sums(col4: u32, v: vec4<f32>) {}
