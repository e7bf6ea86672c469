// Reductions over one axis. The input is viewed as [outer, len, inner] and reduced over len
// into [outer, inner]; a reduction over all elements is outer = inner = 1.
// Bindings: 0 x (read), 1 y (write), 2 params. OP: 0 sum, 1 max, 2 min, 3 argmax, 4 argmin
// (the index of the first extreme value, as a float; NaN counts as the extreme, as in torch).
// Two entry points (argmax and argmin run only `serial`):
//  - main:   one workgroup of WG invocations per output: each invocation folds a strided
//            slice of the axis, then tree.wgsl's tree_sum or tree_max (prepended by
//            src/device/shaders.ts, with WG) folds the WG partial results; for long axes. The dispatch may be 2-D when there are more than 65535 outputs.
//  - serial: one invocation per output folds the whole axis, with no barriers; for short
//            axes (a bias gradient's sum over the batch), where main's barriers cost far more
//            than the folding (20x on CPU adapters).

struct Params { outer: u32, len: u32, inner: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;

// Max starts from -Inf (not -3.4e38, so a row of -Inf has max -Inf) and propagates NaN as
// PyTorch's does (tree.wgsl's max_nan); sums of Inf and NaN are IEEE's already.
fn fold(acc: f32, v: f32) -> f32 {
  if (OP == 0u) { return acc + v; }
  if (OP == 2u) { return -max_nan(-acc, -v); }  // min(a, b) = -max(-a, -b), NaN kept
  return max_nan(acc, v);
}

// Where a fold starts: 0, -Inf (max) or +Inf (min); `anything` makes the infinity at run time.
fn fold_identity(anything: f32) -> f32 {
  if (OP == 1u) { return runtime_bits(0xff800000u, anything); }
  if (OP == 2u) { return runtime_bits(0x7f800000u, anything); }
  return 0.0;
}

// argmax (OP 3) or argmin (OP 4) of the len values from base, stride inner: the first extreme,
// or the first NaN (tested on the bits: the compiler may assume no NaN in float compares).
fn arg_extreme(base: u32) -> f32 {
  var best = x[base];
  var at = 0u;
  for (var k = 1u; k < params.len; k++) {
    let v = x[base + k * params.inner];
    let beats = select((v < best), (v > best), OP == 3u);
    if (!is_nan(best) && (is_nan(v) || beats)) {
      best = v;
      at = k;
    }
  }
  return f32(at);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let out = wid.x + wid.y * nwg.x;  // uniform across the workgroup, so the barriers below are too
  let in_range = out < params.outer * params.inner;
  var acc = fold_identity(f32(lid));
  if (in_range) {
    let o = out / params.inner;
    let j = out % params.inner;
    let base = o * params.len * params.inner + j;
    for (var k = lid; k < params.len; k += WG) {
      acc = fold(acc, x[base + k * params.inner]);
    }
  }
  var total: f32;
  if (OP == 0u) { total = tree_sum(acc, lid); }
  else if (OP == 1u) { total = tree_max(acc, lid); }
  else { total = -tree_max(-acc, lid); }  // min(a, b) = -max(-a, -b)
  if (in_range && lid == 0u) { y[out] = total; }
}

@compute @workgroup_size(WG)
fn serial(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let out = gid.x + gid.y * nwg.x * WG;
  if (out >= params.outer * params.inner) { return; }
  let o = out / params.inner;
  let j = out % params.inner;
  let base = o * params.len * params.inner + j;
  if (OP >= 3u) {
    y[out] = arg_extreme(base);
    return;
  }
  var acc = fold_identity(f32(out));
  for (var k = 0u; k < params.len; k++) {
    acc = fold(acc, x[base + k * params.inner]);
  }
  y[out] = acc;
}
