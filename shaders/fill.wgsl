// Fills a buffer with one value: y[i] = params.value.
// eye: y = value * I for a [rows, cols] matrix (cols in params.cols), the scaled identity.
// Bindings: 0 y (write), 1 params. Workgroup WG, 4 elements per invocation, guarded by size.

struct Params { size: u32, value: f32, cols: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = (gid.x + gid.y * nwg.x * WG) * 4u;
  for (var i = first; i < min(first + 4u, params.size); i++) {
    y[i] = params.value;
  }
}

@compute @workgroup_size(WG)
fn eye(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = (gid.x + gid.y * nwg.x * WG) * 4u;
  for (var i = first; i < min(first + 4u, params.size); i++) {
    y[i] = select(0.0, params.value, i / params.cols == i % params.cols);
  }
}
