// Ternary elementwise ops with NumPy broadcasting: z[i] = op(c[at(i, 0)], a[at(i, 1)], b[at(i, 2)], p).
// Bindings: 0 c, 1 a, 2 b (read), 3 z (write), 4 params (strided.wgsl). `main`: ITEMS outputs
// per invocation; `main_vec4`: one vec4 of outputs when every operand is periodic.

@group(0) @binding(0) var<storage, read> c: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let first = first_item(gid, nwg);
  for (var i = first; i < min(first + ITEMS, params.size); i++) {
    z[i] = apply(c[at(i, 0u)], a[at(i, 1u)], b[at(i, 2u)], params.p);
  }
}

// The same buffers as vec4 arrays (legal: no entry point uses both views).
@group(0) @binding(0) var<storage, read> c4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> z4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn main_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = invocation(gid, nwg);
  if (j >= params.size / 4u) { return; }
  let s = c4[at4(j, 0u)];
  let u = a4[at4(j, 1u)];
  let v = b4[at4(j, 2u)];
  let p = params.p;
  z4[j] = vec4<f32>(apply(s.x, u.x, v.x, p), apply(s.y, u.y, v.y, p), apply(s.z, u.z, v.z, p), apply(s.w, u.w, v.w, p));
}

// a where c is non-zero (NaN counts as true, as bool(nan) does), else b. A select, not
// c * a + (1 - c) * b: the branch not taken never reaches the result, even when it is inf or NaN.
fn op_where(c: f32, a: f32, b: f32, p: f32) -> f32 { return select(b, a, c != 0.0); }
