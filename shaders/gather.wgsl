// Indexing along one axis. The indexed tensor is viewed as [outer, len, inner] (len: the axis),
// the result or the gradient as [outer, count, inner]. Indices are float32 holding integers
// (exact up to 2^24); an index that is not an integer in [0, len) reads as NaN, so a bad index
// shows in the result instead of reading another element.
// Bindings: 0 x (read: the source, or the incoming gradient dy), 1 idx (read), 2 y (write),
// 3 params. One invocation per output element, 2-D dispatch past 65535 workgroups.
// EACH = 0: one index per slice, idx has count elements (index_select);
// EACH = 1: one index per element, idx is shaped like the result (gather).
//  - pick:    y[o, k, j] = x[o, idx[k or (o, k, j)], j]
//  - scatter: y[o, m, j] = sum over k with idx[k or (o, k, j)] = m of dy[o, k, j]   (pick's gradient)
// scatter loops over the count entries of each output's column instead of scattering with
// atomics (WGSL has no float atomics): O(count) per output, no races.

struct Params { outer: u32, len: u32, inner: u32, count: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64;
override EACH: u32 = 0u;

fn linear(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * WG; }

// The index for entry k of element at (flat position `at` in [outer, count, inner]), as an
// integer in [0, len), or len when it is not one (NaN, fractional, out of range).
fn index_of(k: u32, at: u32) -> u32 {
  let v = idx[select(k, at, EACH == 1u)];
  let ok = v >= 0.0 && v < f32(params.len) && v == floor(v);
  return select(params.len, u32(v), ok);
}

@compute @workgroup_size(WG)
fn pick(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear(gid, nwg);
  if (i >= params.outer * params.count * params.inner) { return; }
  let j = i % params.inner;
  let k = (i / params.inner) % params.count;
  let o = i / (params.inner * params.count);
  let m = index_of(k, i);
  if (m == params.len) {
    y[i] = bitcast<f32>(0x7fc00000u | (m & 0u));  // NaN, made at run time
    return;
  }
  y[i] = x[(o * params.len + m) * params.inner + j];
}

@compute @workgroup_size(WG)
fn scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear(gid, nwg);
  if (i >= params.outer * params.len * params.inner) { return; }
  let j = i % params.inner;
  let m = (i / params.inner) % params.len;
  let o = i / (params.inner * params.len);
  var total = 0.0;
  for (var k = 0u; k < params.count; k++) {
    let at = (o * params.count + k) * params.inner + j;
    if (index_of(k, at) == m) { total += x[at]; }
  }
  y[i] = total;
}
