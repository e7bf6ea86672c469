// 8x8 blocks: wide (a·b), wide_tn (aᵀ·b), wide_nt (a·bᵀ), composed after matmul.wgsl (its
// Params, edge_clamped, store_row and finish4). The block_vec4 kernels' layouts with twice the
// block on each side: each loaded value feeds twice as many FMAs. On SwiftShader every load
// from a storage buffer is a gather, the cost that dominates, so this runs 1.5-1.7x faster
// there; on GPUs the 16 accumulators may cost occupancy (the tuner decides).
// Sixteen vec4 accumulators: rows r = 0..7 of the block, each as two vec4 of columns.

// acc + av.x·q0 + av.y·q1 + av.z·q2 + av.w·q3: four consecutive k of a row of a, times four rows of b.
fn fma4(av: vec4<f32>, q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>, acc: vec4<f32>) -> vec4<f32> {
  return fma(vec4<f32>(av.x), q0, fma(vec4<f32>(av.y), q1, fma(vec4<f32>(av.z), q2, fma(vec4<f32>(av.w), q3, acc))));
}

// Row `row` of the output at vec4 columns col and col + 1 (those inside the matrix).
fn store_wide(out: u32, row: u32, col: u32, v0: vec4<f32>, v1: vec4<f32>) {
  if (row >= params.m) { return; }
  let n4 = params.n / 4u;
  c4[out + row * n4 + col] = finish4(col * 4u, v0);
  if (col + 1u < n4) { c4[out + row * n4 + col + 1u] = finish4(col * 4u + 4u, v1); }
}

// a·b, K and N multiples of 4: per step of 4 along k, 8 vec4 of a (one per row) and 8 of b
// (4 rows of k x 2 vec4 columns) feed 256 FMAs.
@compute @workgroup_size(WG_X, WG_Y)
fn wide(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n4 = params.n / 4u;
  let k4 = params.k / 4u;
  let col = gid.x * 2u;  // first of two vec4 columns
  let row0 = gid.y * 8u;
  if (row0 >= params.m || col >= n4) { return; }
  let a_base = gid.z * params.stride_a / 4u;
  let lo = edge_clamped(a_base, row0, params.m, k4);
  let hi = edge_clamped(a_base, row0 + 4u, params.m, k4);
  let col0 = gid.z * params.stride_b / 4u + col;
  let col1 = gid.z * params.stride_b / 4u + min(col + 1u, n4 - 1u);
  var acc00 = vec4<f32>(0.0);
  var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0);
  var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0);
  var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0);
  var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0);
  var acc71 = vec4<f32>(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let k_row = kk * 4u * n4;
    let p0 = b4[col0 + k_row];
    let p1 = b4[col0 + k_row + n4];
    let p2 = b4[col0 + k_row + 2u * n4];
    let p3 = b4[col0 + k_row + 3u * n4];
    let q0 = b4[col1 + k_row];
    let q1 = b4[col1 + k_row + n4];
    let q2 = b4[col1 + k_row + 2u * n4];
    let q3 = b4[col1 + k_row + 3u * n4];
    let x0 = a4[lo.x + kk];
    let x1 = a4[lo.y + kk];
    let x2 = a4[lo.z + kk];
    let x3 = a4[lo.w + kk];
    let x4 = a4[hi.x + kk];
    let x5 = a4[hi.y + kk];
    let x6 = a4[hi.z + kk];
    let x7 = a4[hi.w + kk];
    acc00 = fma4(x0, p0, p1, p2, p3, acc00);
    acc01 = fma4(x0, q0, q1, q2, q3, acc01);
    acc10 = fma4(x1, p0, p1, p2, p3, acc10);
    acc11 = fma4(x1, q0, q1, q2, q3, acc11);
    acc20 = fma4(x2, p0, p1, p2, p3, acc20);
    acc21 = fma4(x2, q0, q1, q2, q3, acc21);
    acc30 = fma4(x3, p0, p1, p2, p3, acc30);
    acc31 = fma4(x3, q0, q1, q2, q3, acc31);
    acc40 = fma4(x4, p0, p1, p2, p3, acc40);
    acc41 = fma4(x4, q0, q1, q2, q3, acc41);
    acc50 = fma4(x5, p0, p1, p2, p3, acc50);
    acc51 = fma4(x5, q0, q1, q2, q3, acc51);
    acc60 = fma4(x6, p0, p1, p2, p3, acc60);
    acc61 = fma4(x6, q0, q1, q2, q3, acc61);
    acc70 = fma4(x7, p0, p1, p2, p3, acc70);
    acc71 = fma4(x7, q0, q1, q2, q3, acc71);
  }
  let out = gid.z * params.m * n4;
  store_wide(out, row0 + 0u, col, acc00, acc01);
  store_wide(out, row0 + 1u, col, acc10, acc11);
  store_wide(out, row0 + 2u, col, acc20, acc21);
  store_wide(out, row0 + 3u, col, acc30, acc31);
  store_wide(out, row0 + 4u, col, acc40, acc41);
  store_wide(out, row0 + 5u, col, acc50, acc51);
  store_wide(out, row0 + 6u, col, acc60, acc61);
  store_wide(out, row0 + 7u, col, acc70, acc71);
}

// aᵀ·b, M and N multiples of 4: a is stored [K, M], so rows row0..row0+7 of op(a) at one k are
// two vec4; with two vec4 of b they feed 64 FMAs. Sums b's columns for linear-grad-io.wgsl.
@compute @workgroup_size(WG_X, WG_Y)
fn wide_tn(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m4 = params.m / 4u;
  let n4 = params.n / 4u;
  let col = gid.x * 2u;   // first of two vec4 columns
  let row4 = gid.y * 2u;  // first of two blocks of 4 rows
  if (row4 >= m4 || col >= n4) { return; }
  let a_base = gid.z * params.stride_a / 4u;
  let b_base = gid.z * params.stride_b / 4u;
  let a_lo = a_base + row4;
  let a_hi = a_base + min(row4 + 1u, m4 - 1u);
  let b_lo = b_base + col;
  let b_hi = b_base + min(col + 1u, n4 - 1u);
  var acc00 = vec4<f32>(0.0);
  var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0);
  var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0);
  var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0);
  var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0);
  var acc71 = vec4<f32>(0.0);
  var sums0 = vec4<f32>(0.0);
  var sums1 = vec4<f32>(0.0);
  // Four k per iteration, each in its own block (fewer loop and address steps: 1.3x), then the rest.
  let k_main = params.k & ~3u;
  var k = 0u;
  for (; k < k_main; k += 4u) {
    {
      let lo = a4[a_lo + (k) * m4]; let hi = a4[a_hi + (k) * m4];
      let p = b4[b_lo + (k) * n4]; let q = b4[b_hi + (k) * n4];
      if (SUM_B) { sums0 += p; sums1 += q; }
      acc00 = fma(vec4<f32>(lo.x), p, acc00); acc01 = fma(vec4<f32>(lo.x), q, acc01);
      acc10 = fma(vec4<f32>(lo.y), p, acc10); acc11 = fma(vec4<f32>(lo.y), q, acc11);
      acc20 = fma(vec4<f32>(lo.z), p, acc20); acc21 = fma(vec4<f32>(lo.z), q, acc21);
      acc30 = fma(vec4<f32>(lo.w), p, acc30); acc31 = fma(vec4<f32>(lo.w), q, acc31);
      acc40 = fma(vec4<f32>(hi.x), p, acc40); acc41 = fma(vec4<f32>(hi.x), q, acc41);
      acc50 = fma(vec4<f32>(hi.y), p, acc50); acc51 = fma(vec4<f32>(hi.y), q, acc51);
      acc60 = fma(vec4<f32>(hi.z), p, acc60); acc61 = fma(vec4<f32>(hi.z), q, acc61);
      acc70 = fma(vec4<f32>(hi.w), p, acc70); acc71 = fma(vec4<f32>(hi.w), q, acc71);
    }
    {
      let lo = a4[a_lo + (k + 1u) * m4]; let hi = a4[a_hi + (k + 1u) * m4];
      let p = b4[b_lo + (k + 1u) * n4]; let q = b4[b_hi + (k + 1u) * n4];
      if (SUM_B) { sums0 += p; sums1 += q; }
      acc00 = fma(vec4<f32>(lo.x), p, acc00); acc01 = fma(vec4<f32>(lo.x), q, acc01);
      acc10 = fma(vec4<f32>(lo.y), p, acc10); acc11 = fma(vec4<f32>(lo.y), q, acc11);
      acc20 = fma(vec4<f32>(lo.z), p, acc20); acc21 = fma(vec4<f32>(lo.z), q, acc21);
      acc30 = fma(vec4<f32>(lo.w), p, acc30); acc31 = fma(vec4<f32>(lo.w), q, acc31);
      acc40 = fma(vec4<f32>(hi.x), p, acc40); acc41 = fma(vec4<f32>(hi.x), q, acc41);
      acc50 = fma(vec4<f32>(hi.y), p, acc50); acc51 = fma(vec4<f32>(hi.y), q, acc51);
      acc60 = fma(vec4<f32>(hi.z), p, acc60); acc61 = fma(vec4<f32>(hi.z), q, acc61);
      acc70 = fma(vec4<f32>(hi.w), p, acc70); acc71 = fma(vec4<f32>(hi.w), q, acc71);
    }
    {
      let lo = a4[a_lo + (k + 2u) * m4]; let hi = a4[a_hi + (k + 2u) * m4];
      let p = b4[b_lo + (k + 2u) * n4]; let q = b4[b_hi + (k + 2u) * n4];
      if (SUM_B) { sums0 += p; sums1 += q; }
      acc00 = fma(vec4<f32>(lo.x), p, acc00); acc01 = fma(vec4<f32>(lo.x), q, acc01);
      acc10 = fma(vec4<f32>(lo.y), p, acc10); acc11 = fma(vec4<f32>(lo.y), q, acc11);
      acc20 = fma(vec4<f32>(lo.z), p, acc20); acc21 = fma(vec4<f32>(lo.z), q, acc21);
      acc30 = fma(vec4<f32>(lo.w), p, acc30); acc31 = fma(vec4<f32>(lo.w), q, acc31);
      acc40 = fma(vec4<f32>(hi.x), p, acc40); acc41 = fma(vec4<f32>(hi.x), q, acc41);
      acc50 = fma(vec4<f32>(hi.y), p, acc50); acc51 = fma(vec4<f32>(hi.y), q, acc51);
      acc60 = fma(vec4<f32>(hi.z), p, acc60); acc61 = fma(vec4<f32>(hi.z), q, acc61);
      acc70 = fma(vec4<f32>(hi.w), p, acc70); acc71 = fma(vec4<f32>(hi.w), q, acc71);
    }
    {
      let lo = a4[a_lo + (k + 3u) * m4]; let hi = a4[a_hi + (k + 3u) * m4];
      let p = b4[b_lo + (k + 3u) * n4]; let q = b4[b_hi + (k + 3u) * n4];
      if (SUM_B) { sums0 += p; sums1 += q; }
      acc00 = fma(vec4<f32>(lo.x), p, acc00); acc01 = fma(vec4<f32>(lo.x), q, acc01);
      acc10 = fma(vec4<f32>(lo.y), p, acc10); acc11 = fma(vec4<f32>(lo.y), q, acc11);
      acc20 = fma(vec4<f32>(lo.z), p, acc20); acc21 = fma(vec4<f32>(lo.z), q, acc21);
      acc30 = fma(vec4<f32>(lo.w), p, acc30); acc31 = fma(vec4<f32>(lo.w), q, acc31);
      acc40 = fma(vec4<f32>(hi.x), p, acc40); acc41 = fma(vec4<f32>(hi.x), q, acc41);
      acc50 = fma(vec4<f32>(hi.y), p, acc50); acc51 = fma(vec4<f32>(hi.y), q, acc51);
      acc60 = fma(vec4<f32>(hi.z), p, acc60); acc61 = fma(vec4<f32>(hi.z), q, acc61);
      acc70 = fma(vec4<f32>(hi.w), p, acc70); acc71 = fma(vec4<f32>(hi.w), q, acc71);
    }
  }
  for (; k < params.k; k++) {
    let lo = a4[a_lo + (k) * m4]; let hi = a4[a_hi + (k) * m4];
    let p = b4[b_lo + (k) * n4]; let q = b4[b_hi + (k) * n4];
    if (SUM_B) { sums0 += p; sums1 += q; }
    acc00 = fma(vec4<f32>(lo.x), p, acc00); acc01 = fma(vec4<f32>(lo.x), q, acc01);
    acc10 = fma(vec4<f32>(lo.y), p, acc10); acc11 = fma(vec4<f32>(lo.y), q, acc11);
    acc20 = fma(vec4<f32>(lo.z), p, acc20); acc21 = fma(vec4<f32>(lo.z), q, acc21);
    acc30 = fma(vec4<f32>(lo.w), p, acc30); acc31 = fma(vec4<f32>(lo.w), q, acc31);
    acc40 = fma(vec4<f32>(hi.x), p, acc40); acc41 = fma(vec4<f32>(hi.x), q, acc41);
    acc50 = fma(vec4<f32>(hi.y), p, acc50); acc51 = fma(vec4<f32>(hi.y), q, acc51);
    acc60 = fma(vec4<f32>(hi.z), p, acc60); acc61 = fma(vec4<f32>(hi.z), q, acc61);
    acc70 = fma(vec4<f32>(hi.w), p, acc70); acc71 = fma(vec4<f32>(hi.w), q, acc71);
  }
  let out = gid.z * params.m * n4;
  let row0 = row4 * 4u;
  store_wide(out, row0 + 0u, col, acc00, acc01);
  store_wide(out, row0 + 1u, col, acc10, acc11);
  store_wide(out, row0 + 2u, col, acc20, acc21);
  store_wide(out, row0 + 3u, col, acc30, acc31);
  store_wide(out, row0 + 4u, col, acc40, acc41);
  store_wide(out, row0 + 5u, col, acc50, acc51);
  store_wide(out, row0 + 6u, col, acc60, acc61);
  store_wide(out, row0 + 7u, col, acc70, acc71);
  if (SUM_B && gid.y == 0u) {
    store_col_sums(col, sums0);
    if (col + 1u < n4) { store_col_sums(col + 1u, sums1); }
  }
}

// vec4(a·q0, a·q1, a·q2, a·q3).
fn dots(av: vec4<f32>, q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(dot(av, q0), dot(av, q1), dot(av, q2), dot(av, q3));
}

// a·bᵀ, K a multiple of 4: b is stored [N, K], so a column of op(b) at k..k+3 is one vec4, as is
// a row of a; 8 of each feed 64 dot products per step.
@compute @workgroup_size(WG_X, WG_Y)
fn wide_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k4 = params.k / 4u;
  let col0 = gid.x * 8u;
  let row0 = gid.y * 8u;
  if (row0 >= params.m || col0 >= params.n) { return; }
  let a_base = gid.z * params.stride_a / 4u;
  let b_base = gid.z * params.stride_b / 4u;
  let lo = edge_clamped(a_base, row0, params.m, k4);
  let hi = edge_clamped(a_base, row0 + 4u, params.m, k4);
  let c_lo = edge_clamped(b_base, col0, params.n, k4);
  let c_hi = edge_clamped(b_base, col0 + 4u, params.n, k4);
  var acc00 = vec4<f32>(0.0);
  var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0);
  var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0);
  var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0);
  var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0);
  var acc71 = vec4<f32>(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let p0 = b4[c_lo.x + kk];
    let p1 = b4[c_lo.y + kk];
    let p2 = b4[c_lo.z + kk];
    let p3 = b4[c_lo.w + kk];
    let q0 = b4[c_hi.x + kk];
    let q1 = b4[c_hi.y + kk];
    let q2 = b4[c_hi.z + kk];
    let q3 = b4[c_hi.w + kk];
    let x0 = a4[lo.x + kk];
    let x1 = a4[lo.y + kk];
    let x2 = a4[lo.z + kk];
    let x3 = a4[lo.w + kk];
    let x4 = a4[hi.x + kk];
    let x5 = a4[hi.y + kk];
    let x6 = a4[hi.z + kk];
    let x7 = a4[hi.w + kk];
    acc00 += dots(x0, p0, p1, p2, p3);
    acc01 += dots(x0, q0, q1, q2, q3);
    acc10 += dots(x1, p0, p1, p2, p3);
    acc11 += dots(x1, q0, q1, q2, q3);
    acc20 += dots(x2, p0, p1, p2, p3);
    acc21 += dots(x2, q0, q1, q2, q3);
    acc30 += dots(x3, p0, p1, p2, p3);
    acc31 += dots(x3, q0, q1, q2, q3);
    acc40 += dots(x4, p0, p1, p2, p3);
    acc41 += dots(x4, q0, q1, q2, q3);
    acc50 += dots(x5, p0, p1, p2, p3);
    acc51 += dots(x5, q0, q1, q2, q3);
    acc60 += dots(x6, p0, p1, p2, p3);
    acc61 += dots(x6, q0, q1, q2, q3);
    acc70 += dots(x7, p0, p1, p2, p3);
    acc71 += dots(x7, q0, q1, q2, q3);
  }
  let out = gid.z * params.m * params.n;
  let right = col0 + 4u < params.n;
  store_row(out, row0 + 0u, col0, acc00);
  if (right) { store_row(out, row0 + 0u, col0 + 4u, acc01); }
  store_row(out, row0 + 1u, col0, acc10);
  if (right) { store_row(out, row0 + 1u, col0 + 4u, acc11); }
  store_row(out, row0 + 2u, col0, acc20);
  if (right) { store_row(out, row0 + 2u, col0 + 4u, acc21); }
  store_row(out, row0 + 3u, col0, acc30);
  if (right) { store_row(out, row0 + 3u, col0 + 4u, acc31); }
  store_row(out, row0 + 4u, col0, acc40);
  if (right) { store_row(out, row0 + 4u, col0 + 4u, acc41); }
  store_row(out, row0 + 5u, col0, acc50);
  if (right) { store_row(out, row0 + 5u, col0 + 4u, acc51); }
  store_row(out, row0 + 6u, col0, acc60);
  if (right) { store_row(out, row0 + 6u, col0 + 4u, acc61); }
  store_row(out, row0 + 7u, col0, acc70);
  if (right) { store_row(out, row0 + 7u, col0 + 4u, acc71); }
}
