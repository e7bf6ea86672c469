// Softmax and log-softmax over the last axis of a [rows, cols] view.
// Bindings: 0 x (read), 1 y (write), 2 params. One workgroup of WG invocations per row
// (2-D dispatch past 65535 rows); tree_max and tree_sum come from tree.wgsl. Stable form: subtract the row max before exp, so exp never
// overflows; log-softmax is (x - max) - log(sum exp(x - max)), never log of a rounded zero.
// LOG: 0 softmax, 1 log-softmax. Special values as PyTorch (docs/special-values.md): a -Inf
// entry gives 0 (log-softmax: -Inf); a row holding NaN or +Inf, or only -Inf, gives NaN. exp
// sees nothing below -110 (where float32 exp is 0 anyway): WGSL's exp is undefined at -Inf.

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
  var m = runtime_bits(0xff800000u, f32(lid));  // -Inf
  if (in_range) {
    // WGSL's max may drop a NaN: NaNs are flagged apart (cheaper per element than max_nan) and
    // put back into this invocation's maximum, which tree_max then propagates.
    var saw_nan = false;
    for (var k = lid; k < params.cols; k += WG) {
      let v = x[base + k];
      m = max(m, v);
      saw_nan = saw_nan || is_nan(v);
    }
    m = select(m, runtime_bits(0x7fc00000u, m), saw_nan);
  }
  m = tree_max(m, lid);
  var s = 0.0;
  if (in_range) {
    for (var k = lid; k < params.cols; k += WG) { s += exp(max(x[base + k] - m, -110.0)); }
  }
  s = tree_sum(s, lid);
  if (!in_range) { return; }
  // A row whose max is not finite is NaN throughout, as PyTorch's: a NaN entry makes the max
  // NaN; +Inf gives Inf - Inf = NaN; a row of -Inf gives 0/0. With a finite max, s >= 1.
  let nan_row = is_non_finite(m);
  let nan = runtime_bits(0x7fc00000u, m);
  let log_s = log(s);
  for (var k = lid; k < params.cols; k += WG) {
    let shifted = x[base + k] - m;
    var out: f32;
    if (LOG == 1u) { out = shifted - log_s; } else { out = exp(max(shifted, -110.0)) / s; }
    y[base + k] = select(out, nan, nan_row);
  }
}
