// The bindings of the linear layer's forward, act(x·W + b) in one dispatch (src/ops/linear.ts):
// matmul.wgsl's kernels with an epilogue that adds the bias and applies the activation to each
// output before it is stored. 0 a = x, 1 b = W, 2 bias (read), 3 c (write), 4 params.
// Without a bias, W's buffer is bound at 2 and HAS_BIAS is false (nothing reads it).
// The activations are activations.wgsl's, so the values (special values included) are those of
// the separate ops.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c4: array<vec4<f32>>;

override HAS_BIAS: bool = true;
// 0 none, 1 relu, 2 leaky relu (slope params.alpha), 3 tanh, 4 sigmoid (src/ops/linear.ts).
override ACT: u32 = 0u;

fn finish(row: u32, col: u32, v: f32) -> f32 {
  var z = v;
  if (HAS_BIAS) { z += bias[min(col, params.n - 1u)]; }  // columns past the edge are not stored
  switch ACT {
    case 1u: { return op_relu(z, 0.0); }
    case 2u: { return op_leaky_relu(z, params.alpha); }
    case 3u: { return op_tanh(z, 0.0); }
    case 4u: { return op_sigmoid(z, 0.0); }
    default: { return z; }
  }
}
const SUM_B = false;
fn store_col_sums(col4: u32, v: vec4<f32>) {}
