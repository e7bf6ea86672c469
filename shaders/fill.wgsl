// Fills a buffer with one value: y[i] = params.value.
// eye: y = value * I for a [rows, cols] matrix (cols in params.cols), the scaled identity.
// Bindings: 0 y (write), 1 params. Workgroup WG, ITEMS elements per invocation, guarded by size.

struct Params { size: u32, value: f32, cols: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

override WG: u32 = 64;
const ITEMS: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = (gid.x + gid.y * nwg.x * WG) * ITEMS;
  for (var i = first; i < min(first + ITEMS, params.size); i++) {
    y[i] = params.value;
  }
}

@compute @workgroup_size(WG)
fn eye(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = (gid.x + gid.y * nwg.x * WG) * ITEMS;
  for (var i = first; i < min(first + ITEMS, params.size); i++) {
    y[i] = select(0.0, params.value, i / params.cols == i % params.cols);
  }
}
