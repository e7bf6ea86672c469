// quad, quad_tn, quad_nt: wide's kernels (matmul-wide.wgsl, composed before this file) with
// each load of a shared by the four invocations of a subgroup quad. Those four (subgroup
// invocations 4i..4i+3) usually have consecutive gid.x and one gid.y (quads_line_up checks):
// then they compute the same 8 rows of the output for different columns, so in wide each of them loads the same 8 vec4 of a per
// step. Here invocation j of the quad loads 2 of them and gets the other 6 from its neighbours
// with quadBroadcast: 10 loads per step instead of 16. On SwiftShader, where a load from a
// storage buffer is a bounds-checked gather and a broadcast a register shuffle, that is
// 1.15-1.4x wide (measured at 256 and 512).
// Needs the 'subgroups' feature: src/device/shaders.ts composes this file after
// `enable subgroups;`. Which invocations form a quad is the implementation's choice: where
// the invocations of a quad do not share their rows, the whole subgroup runs wide's loop.

// false: every subgroup runs wide's loop (so tests cover that path on adapters where quads line up).
override QUADS: bool = true;

// Whether every quad of this subgroup computes one block of rows (same gid.y and gid.z). The
// answer is the same for the whole subgroup, so no quad is left with an invocation missing.
fn quads_line_up(gid: vec3<u32>) -> bool {
  return QUADS && subgroupAll(quadBroadcast(gid.y, 0u) == gid.y && quadBroadcast(gid.z, 0u) == gid.z);
}

// The 8 rows of a at one vec4 of k, row r from invocation r % 4 of the quad, which loaded
// rows j (lo) and 4 + j (hi).
fn shared_rows(lo: vec4<f32>, hi: vec4<f32>) -> Eight {
  return Eight(quadBroadcast(lo, 0u), quadBroadcast(lo, 1u), quadBroadcast(lo, 2u), quadBroadcast(lo, 3u),
               quadBroadcast(hi, 0u), quadBroadcast(hi, 1u), quadBroadcast(hi, 2u), quadBroadcast(hi, 3u));
}

// Offsets of a's rows row0 + j (x) and row0 + 4 + j (y), clamped at the edge as wide's are.
fn own_rows(a_base: u32, row0: u32, j: u32, k4: u32) -> vec2<u32> {
  return a_base + min(vec2<u32>(row0 + j, row0 + 4u + j), vec2<u32>(params.m - 1u)) * k4;
}

// In the kernels below an invocation past the matrix's edge still loads (clamped) and shares,
// since its quad needs its rows, and stores nothing.

@compute @workgroup_size(WG_X, WG_Y)
fn quad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  if (!quads_line_up(gid)) { wide_block(gid); return; }
  let n4 = params.n / 4u;
  let k4 = params.k / 4u;
  let col = gid.x * 2u;
  let row0 = gid.y * 8u;
  let own = own_rows(gid.z * params.stride_a / 4u, row0, lane & 3u, k4);
  let col0 = gid.z * params.stride_b / 4u + min(col, n4 - 1u);
  let col1 = gid.z * params.stride_b / 4u + min(col + 1u, n4 - 1u);
  var s = zero_block();
  for (var kk = 0u; kk < k4; kk++) {
    s = nn_step(s, shared_rows(a4[own.x + kk], a4[own.y + kk]), b_rows(col0, col1, kk, n4));
  }
  if (row0 >= params.m || col >= n4) { return; }
  store_wide(gid.z * params.m * n4, row0, col, s);
}

// aᵀ·b: a's rows at one k are two vec4 (lo, hi), so the quad shares four k: invocation j
// loads a at k + j.
@compute @workgroup_size(WG_X, WG_Y)
fn quad_tn(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  if (!quads_line_up(gid)) { wide_tn_block(gid); return; }
  let m4 = params.m / 4u;
  let n4 = params.n / 4u;
  let col = gid.x * 2u;
  let row4 = gid.y * 2u;
  let a_base = gid.z * params.stride_a / 4u;
  let b_base = gid.z * params.stride_b / 4u;
  let at = TnOffsets(a_base + min(row4, m4 - 1u), a_base + min(row4 + 1u, m4 - 1u),
                     b_base + min(col, n4 - 1u), b_base + min(col + 1u, n4 - 1u), m4, n4);
  let j = lane & 3u;
  var t = TnState(zero_block(), vec4<f32>(0.0), vec4<f32>(0.0));
  let k_main = params.k & ~3u;
  var k = 0u;
  for (; k < k_main; k += 4u) {
    let lo = a4[at.a_lo + (k + j) * m4];
    let hi = a4[at.a_hi + (k + j) * m4];
    t = tn_with(t, at, k, quadBroadcast(lo, 0u), quadBroadcast(hi, 0u));
    t = tn_with(t, at, k + 1u, quadBroadcast(lo, 1u), quadBroadcast(hi, 1u));
    t = tn_with(t, at, k + 2u, quadBroadcast(lo, 2u), quadBroadcast(hi, 2u));
    t = tn_with(t, at, k + 3u, quadBroadcast(lo, 3u), quadBroadcast(hi, 3u));
  }
  for (; k < params.k; k++) { t = tn_at(t, at, k); }
  if (row4 >= m4 || col >= n4) { return; }
  store_wide(gid.z * params.m * n4, row4 * 4u, col, t.s);
  if (SUM_B && gid.y == 0u) { store_sums(col, n4, t.sum0, t.sum1); }
}

@compute @workgroup_size(WG_X, WG_Y)
fn quad_nt(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  if (!quads_line_up(gid)) { wide_nt_block(gid); return; }
  let k4 = params.k / 4u;
  let col0 = gid.x * 8u;
  let row0 = gid.y * 8u;
  let own = own_rows(gid.z * params.stride_a / 4u, row0, lane & 3u, k4);
  let b_base = gid.z * params.stride_b / 4u;
  let c_lo = edge_clamped(b_base, col0, params.n, k4);
  let c_hi = edge_clamped(b_base, col0 + 4u, params.n, k4);
  var s = zero_block();
  for (var kk = 0u; kk < k4; kk++) {
    s = nt_step(s, shared_rows(a4[own.x + kk], a4[own.y + kk]), b_cols(c_lo, c_hi, kk));
  }
  if (row0 >= params.m || col0 >= params.n) { return; }
  store_nt(gid.z * params.m * params.n, row0, col0, s);
}
