// Softmax and log-softmax over the last axis of a [rows, cols] view.
// Bindings: 0 x (read), 1 y (write), 2 params. One workgroup of WG invocations per row
// (2-D dispatch past 65535 rows); tree_max and tree_sum come from tree.wgsl. Stable form: subtract the row max before exp, so exp never
// overflows; log-softmax is (x - max) - log(sum exp(x - max)), never log of a rounded zero.
// LOG: 0 softmax, 1 log-softmax.

struct Params { rows: u32, cols: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override LOG: u32 = 0u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;  // uniform across the workgroup
  let in_range = row < params.rows;
  let base = row * params.cols;
  var m = -3.402823e38;
  if (in_range) {
    for (var k = lid; k < params.cols; k += WG) { m = max(m, x[base + k]); }
  }
  m = tree_max(m, lid);
  var s = 0.0;
  if (in_range) {
    for (var k = lid; k < params.cols; k += WG) { s += exp(x[base + k] - m); }
  }
  s = tree_sum(s, lid);
  if (!in_range) { return; }
  let log_s = log(s);
  for (var k = lid; k < params.cols; k += WG) {
    let shifted = x[base + k] - m;
    if (LOG == 1u) { y[base + k] = shifted - log_s; } else { y[base + k] = exp(shifted) / s; }
  }
}
