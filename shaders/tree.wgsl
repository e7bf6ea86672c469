// Workgroup-wide sums and maxima, shared by reduce.wgsl, softmax.wgsl and moments.wgsl
// (prepended by src/device/shaders.ts, after real.wgsl's special-value helpers). Every
// invocation of the workgroup must call tree_sum and tree_max together (they hold barriers);
// each returns the result to all of them. WG must be a power of two.

override WG: u32 = 64;

var<workgroup> partial: array<f32, WG>;

fn tree_sum(v: f32, lid: u32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step /= 2u) {
    if (lid < step) { partial[lid] = partial[lid] + partial[lid + step]; }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier();  // before anyone writes partial again
  return result;
}

// The maximum, NaN if any v is NaN (max_nan).
fn tree_max(v: f32, lid: u32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step /= 2u) {
    if (lid < step) { partial[lid] = max_nan(partial[lid], partial[lid + step]); }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier();
  return result;
}

// max that propagates NaN, as PyTorch's max and maximum: max over a row holding NaN is NaN
// (WGSL leaves max undefined for NaN; SwiftShader returns the other operand). is_nan and the
// other special-value helpers come from real.wgsl.
fn max_nan(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, is_nan(b)), a, is_nan(a)); }

