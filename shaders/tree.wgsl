// Workgroup-wide sums and maxima, shared by softmax.wgsl and moments.wgsl (prepended by
// src/device/shaders.ts). Every invocation of the workgroup must call these together (they
// hold barriers); each returns the result to all of them. WG must be a power of two.

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

fn tree_max(v: f32, lid: u32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step /= 2u) {
    if (lid < step) { partial[lid] = max(partial[lid], partial[lid + step]); }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier();
  return result;
}
