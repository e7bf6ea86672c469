// The workgroup-memory tiled product, any layout (composed after matmul.wgsl).
// A 16x16 workgroup computes a 64x64 tile of c, 4x4 outputs per invocation. Each step along K
// stages a 64x16 tile of op(a) and a 16x64 tile of op(b) in workgroup memory (4 values of each
// per invocation, zero past the edges), so every value is read from storage once per tile.
const TILE: u32 = 64u;
const TILE_K: u32 = 16u;
var<workgroup> tile_a: array<f32, 1024>;  // [TILE rows][TILE_K]
var<workgroup> tile_b: array<f32, 1024>;  // [TILE_K][TILE columns]

@compute @workgroup_size(16, 16)
fn tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let t = lid.y * 16u + lid.x;
  let a_base = wid.z * params.stride_a;
  let b_base = wid.z * params.stride_b;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
    for (var i = 0u; i < 4u; i++) {
      let e = t + i * 256u;
      let ar = row0 + e / TILE_K;
      let ak = k0 + e % TILE_K;
      let a_at = a_base + min(ar, params.m - 1u) * params.a_row + min(ak, params.k - 1u) * params.a_col;
      tile_a[e] = select(0.0, a[a_at], ar < params.m && ak < params.k);
      let bk = k0 + e / TILE;
      let bc = col0 + e % TILE;
      let b_at = b_base + min(bk, params.k - 1u) * params.b_row + min(bc, params.n - 1u) * params.b_col;
      tile_b[e] = select(0.0, b[b_at], bk < params.k && bc < params.n);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let bi = kk * TILE + lid.x * 4u;
      let bv = vec4<f32>(tile_b[bi], tile_b[bi + 1u], tile_b[bi + 2u], tile_b[bi + 3u]);
      let ai = lid.y * 4u * TILE_K + kk;
      acc0 = fma(vec4<f32>(tile_a[ai]), bv, acc0);
      acc1 = fma(vec4<f32>(tile_a[ai + TILE_K]), bv, acc1);
      acc2 = fma(vec4<f32>(tile_a[ai + 2u * TILE_K]), bv, acc2);
      acc3 = fma(vec4<f32>(tile_a[ai + 3u * TILE_K]), bv, acc3);
    }
    workgroupBarrier();
  }
  let row = row0 + lid.y * 4u;
  let col = col0 + lid.x * 4u;
  if (col >= params.n) { return; }
  let out = wid.z * params.m * params.n;
  store_row(out, row, col, acc0);
  store_row(out, row + 1u, col, acc1);
  store_row(out, row + 2u, col, acc2);
  store_row(out, row + 3u, col, acc3);
}
