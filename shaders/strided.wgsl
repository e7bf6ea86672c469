// Shared by unary.wgsl and binary.wgsl (prepended by src/device/shaders.ts).
// Elementwise kernels see their inputs through strides over the output's shape, so one
// kernel covers contiguous data, NumPy broadcasting (stride 0) and transposes (permuted
// strides). The including file declares `params`, the uniform at its last binding. Up to rank 8: shape and strides are packed in vec4s because uniform arrays
// need 16-byte elements.

struct Params {
  size: u32,        // number of output elements
  rank: u32,
  p: f32,           // the op's scalar parameter (pow exponent, leaky relu slope), else 0
  contiguous: u32,  // 1 when every input is laid out like the output: skip index math
  shape: array<vec4<u32>, 2>,
  strides_a: array<vec4<u32>, 2>,
  strides_b: array<vec4<u32>, 2>,
}

override WG: u32 = 64;
// Each invocation handles ITEMS consecutive outputs: fewer invocations run faster on CPU
// adapters and change little on GPUs.
const ITEMS: u32 = 4u;

fn strided_offset(i: u32, which: u32) -> u32 {
  var rest = i;
  var offset = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let dim = params.shape[d / 4][d % 4];
    let coord = rest % dim;
    rest = rest / dim;
    var stride: u32;
    if (which == 0u) { stride = params.strides_a[d / 4][d % 4]; } else { stride = params.strides_b[d / 4][d % 4]; }
    offset += coord * stride;
  }
  return offset;
}

fn first_item(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return (gid.x + gid.y * nwg.x * WG) * ITEMS;
}

// tanh without cancellation: (1 - e)/(1 + e) with e = exp(-2|x|) loses every digit of 1 - e
// for tiny x (tanh(1e-22) would come out 0), so below |x| = 0.125 use the Taylor series
// x - x^3/3 + 2x^5/15 - 17x^7/315 (next term < 2e-9 relative there).
fn stable_tanh(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.125) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 - x2 * (17.0 / 315.0))));
  }
  let e = exp(-2.0 * ax);
  return sign(x) * (1.0 - e) / (1.0 + e);
}
