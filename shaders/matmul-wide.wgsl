// 8x8 blocks: wide (a·b), wide_tn (aᵀ·b), wide_nt (a·bᵀ), composed after matmul.wgsl (its
// Params, edge_clamped, store_row and finish4). The block_vec4 kernels' layouts with twice the
// block on each side: each loaded value feeds twice as many FMAs. On SwiftShader every load
// from a storage buffer is a gather, the cost that dominates, so this runs 1.5-1.7x faster
// there; on GPUs the 16 accumulators may cost occupancy (the tuner decides).
// Each kernel is an entry point over a function (wide_block, ...) that matmul-quad.wgsl's
// kernels fall back to; the steps of the k loops (nn_step, tn_step, nt_step) are shared with
// them too. SwiftShader inlines the functions and keeps the block's fields in registers
// (measured: the same speed as the loops written out).

// An 8x8 block of outputs: rows r = 0..7, each as two vec4 of columns (c r0 and c r1).
struct Block {
  c00: vec4<f32>, c01: vec4<f32>, c10: vec4<f32>, c11: vec4<f32>,
  c20: vec4<f32>, c21: vec4<f32>, c30: vec4<f32>, c31: vec4<f32>,
  c40: vec4<f32>, c41: vec4<f32>, c50: vec4<f32>, c51: vec4<f32>,
  c60: vec4<f32>, c61: vec4<f32>, c70: vec4<f32>, c71: vec4<f32>,
}

// Eight vec4: rows 0..7 of a at four consecutive k (a·b, a·bᵀ), or four rows of b at two
// vec4 columns (p, q) of one block.
struct Eight {
  v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>,
  v4: vec4<f32>, v5: vec4<f32>, v6: vec4<f32>, v7: vec4<f32>,
}

// acc + av.x·q0 + av.y·q1 + av.z·q2 + av.w·q3: four consecutive k of a row of a, times four rows of b.
fn fma4(av: vec4<f32>, q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>, acc: vec4<f32>) -> vec4<f32> {
  return fma(vec4<f32>(av.x), q0, fma(vec4<f32>(av.y), q1, fma(vec4<f32>(av.z), q2, fma(vec4<f32>(av.w), q3, acc))));
}

// a·b, four k: x = rows 0..7 of a at k..k+3; b = rows k..k+3 of b at column p (v0..v3) and q (v4..v7).
fn nn_step(s: Block, x: Eight, b: Eight) -> Block {
  return Block(
    fma4(x.v0, b.v0, b.v1, b.v2, b.v3, s.c00), fma4(x.v0, b.v4, b.v5, b.v6, b.v7, s.c01),
    fma4(x.v1, b.v0, b.v1, b.v2, b.v3, s.c10), fma4(x.v1, b.v4, b.v5, b.v6, b.v7, s.c11),
    fma4(x.v2, b.v0, b.v1, b.v2, b.v3, s.c20), fma4(x.v2, b.v4, b.v5, b.v6, b.v7, s.c21),
    fma4(x.v3, b.v0, b.v1, b.v2, b.v3, s.c30), fma4(x.v3, b.v4, b.v5, b.v6, b.v7, s.c31),
    fma4(x.v4, b.v0, b.v1, b.v2, b.v3, s.c40), fma4(x.v4, b.v4, b.v5, b.v6, b.v7, s.c41),
    fma4(x.v5, b.v0, b.v1, b.v2, b.v3, s.c50), fma4(x.v5, b.v4, b.v5, b.v6, b.v7, s.c51),
    fma4(x.v6, b.v0, b.v1, b.v2, b.v3, s.c60), fma4(x.v6, b.v4, b.v5, b.v6, b.v7, s.c61),
    fma4(x.v7, b.v0, b.v1, b.v2, b.v3, s.c70), fma4(x.v7, b.v4, b.v5, b.v6, b.v7, s.c71));
}

// aᵀ·b, one k: lo, hi = rows 0..3 and 4..7 of op(a) at k (stored contiguously); p, q = b's two vec4 columns.
fn tn_step(s: Block, lo: vec4<f32>, hi: vec4<f32>, p: vec4<f32>, q: vec4<f32>) -> Block {
  return Block(
    fma(vec4<f32>(lo.x), p, s.c00), fma(vec4<f32>(lo.x), q, s.c01),
    fma(vec4<f32>(lo.y), p, s.c10), fma(vec4<f32>(lo.y), q, s.c11),
    fma(vec4<f32>(lo.z), p, s.c20), fma(vec4<f32>(lo.z), q, s.c21),
    fma(vec4<f32>(lo.w), p, s.c30), fma(vec4<f32>(lo.w), q, s.c31),
    fma(vec4<f32>(hi.x), p, s.c40), fma(vec4<f32>(hi.x), q, s.c41),
    fma(vec4<f32>(hi.y), p, s.c50), fma(vec4<f32>(hi.y), q, s.c51),
    fma(vec4<f32>(hi.z), p, s.c60), fma(vec4<f32>(hi.z), q, s.c61),
    fma(vec4<f32>(hi.w), p, s.c70), fma(vec4<f32>(hi.w), q, s.c71));
}

// vec4(a·q0, a·q1, a·q2, a·q3).
fn dots(av: vec4<f32>, q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(dot(av, q0), dot(av, q1), dot(av, q2), dot(av, q3));
}

// a·bᵀ, four k: x = rows 0..7 of a, b = columns 0..7 of op(b) (rows of the stored b), all at k..k+3.
fn nt_step(s: Block, x: Eight, b: Eight) -> Block {
  return Block(
    s.c00 + dots(x.v0, b.v0, b.v1, b.v2, b.v3), s.c01 + dots(x.v0, b.v4, b.v5, b.v6, b.v7),
    s.c10 + dots(x.v1, b.v0, b.v1, b.v2, b.v3), s.c11 + dots(x.v1, b.v4, b.v5, b.v6, b.v7),
    s.c20 + dots(x.v2, b.v0, b.v1, b.v2, b.v3), s.c21 + dots(x.v2, b.v4, b.v5, b.v6, b.v7),
    s.c30 + dots(x.v3, b.v0, b.v1, b.v2, b.v3), s.c31 + dots(x.v3, b.v4, b.v5, b.v6, b.v7),
    s.c40 + dots(x.v4, b.v0, b.v1, b.v2, b.v3), s.c41 + dots(x.v4, b.v4, b.v5, b.v6, b.v7),
    s.c50 + dots(x.v5, b.v0, b.v1, b.v2, b.v3), s.c51 + dots(x.v5, b.v4, b.v5, b.v6, b.v7),
    s.c60 + dots(x.v6, b.v0, b.v1, b.v2, b.v3), s.c61 + dots(x.v6, b.v4, b.v5, b.v6, b.v7),
    s.c70 + dots(x.v7, b.v0, b.v1, b.v2, b.v3), s.c71 + dots(x.v7, b.v4, b.v5, b.v6, b.v7));
}

fn zero_block() -> Block {
  let z = vec4<f32>(0.0);
  return Block(z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z);
}

// Rows 0..7 of a at vec4 kk (nn, nt): rows from the offsets lo (0..3) and hi (4..7).
fn a_rows(lo: vec4<u32>, hi: vec4<u32>, kk: u32) -> Eight {
  return Eight(a4[lo.x + kk], a4[lo.y + kk], a4[lo.z + kk], a4[lo.w + kk], a4[hi.x + kk], a4[hi.y + kk], a4[hi.z + kk], a4[hi.w + kk]);
}

// Rows k..k+3 of b (k = 4 kk) at vec4 columns col0 and col1 (nn).
fn b_rows(col0: u32, col1: u32, kk: u32, n4: u32) -> Eight {
  let r = kk * 4u * n4;
  return Eight(b4[col0 + r], b4[col0 + r + n4], b4[col0 + r + 2u * n4], b4[col0 + r + 3u * n4],
               b4[col1 + r], b4[col1 + r + n4], b4[col1 + r + 2u * n4], b4[col1 + r + 3u * n4]);
}

// The block as an array: row r is elements 2r and 2r + 1 (indexed only once the loop is done).
fn as_rows(s: Block) -> array<vec4<f32>, 16> {
  return array<vec4<f32>, 16>(s.c00, s.c01, s.c10, s.c11, s.c20, s.c21, s.c30, s.c31,
                              s.c40, s.c41, s.c50, s.c51, s.c60, s.c61, s.c70, s.c71);
}

// Stores the block at rows row0..row0+7 and vec4 columns col, col + 1 (those inside the matrix).
// The stores loop over the rows, so the epilogue (finish: a bias, an activation) is compiled
// once, not 64 times: with tanh written out per output, a·b took 1.2x as long as without.
fn store_wide(out: u32, row0: u32, col: u32, s: Block) {
  let rows = as_rows(s);
  for (var r = 0u; r < 8u; r++) {
    store_wide_row(out, row0 + r, col, rows[2u * r], rows[2u * r + 1u]);
  }
}

fn store_wide_row(out: u32, row: u32, col: u32, v0: vec4<f32>, v1: vec4<f32>) {
  if (row >= params.m) { return; }
  let n4 = params.n / 4u;
  c4[out + row * n4 + col] = finish4(row, col * 4u, v0);
  if (col + 1u < n4) { c4[out + row * n4 + col + 1u] = finish4(row, col * 4u + 4u, v1); }
}

// a·b, K and N multiples of 4: per step of 4 along k, 8 vec4 of a (one per row) and 8 of b
// (4 rows of k x 2 vec4 columns) feed 256 FMAs.
@compute @workgroup_size(WG_X, WG_Y)
fn wide(@builtin(global_invocation_id) gid: vec3<u32>) { wide_block(gid); }

fn wide_block(gid: vec3<u32>) {
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
  var s = zero_block();
  for (var kk = 0u; kk < k4; kk++) {
    s = nn_step(s, a_rows(lo, hi, kk), b_rows(col0, col1, kk, n4));
  }
  store_wide(gid.z * params.m * n4, row0, col, s);
}

// aᵀ·b, M and N multiples of 4: a is stored [K, M], so rows row0..row0+7 of op(a) at one k are
// two vec4; with two vec4 of b they feed 64 FMAs. Sums b's columns for linear-grad-io.wgsl.
@compute @workgroup_size(WG_X, WG_Y)
fn wide_tn(@builtin(global_invocation_id) gid: vec3<u32>) { wide_tn_block(gid); }

fn wide_tn_block(gid: vec3<u32>) {
  let m4 = params.m / 4u;
  let n4 = params.n / 4u;
  let col = gid.x * 2u;   // first of two vec4 columns
  let row4 = gid.y * 2u;  // first of two blocks of 4 rows
  if (row4 >= m4 || col >= n4) { return; }
  let at = TnOffsets(gid.z * params.stride_a / 4u + row4, gid.z * params.stride_a / 4u + min(row4 + 1u, m4 - 1u),
                     gid.z * params.stride_b / 4u + col, gid.z * params.stride_b / 4u + min(col + 1u, n4 - 1u), m4, n4);
  var t = TnState(zero_block(), vec4<f32>(0.0), vec4<f32>(0.0));
  // Four k per iteration, written out (fewer loop and address steps: 1.3x; SwiftShader does
  // not unroll a loop of four), then the rest.
  let k_main = params.k & ~3u;
  var k = 0u;
  for (; k < k_main; k += 4u) {
    t = tn_at(t, at, k);
    t = tn_at(t, at, k + 1u);
    t = tn_at(t, at, k + 2u);
    t = tn_at(t, at, k + 3u);
  }
  for (; k < params.k; k++) { t = tn_at(t, at, k); }
  store_wide(gid.z * params.m * n4, row4 * 4u, col, t.s);
  if (SUM_B && gid.y == 0u) { store_sums(col, n4, t.sum0, t.sum1); }
}

// wide_tn's running block and column sums of b (kept only where SUM_B), and where it reads:
// a's two vec4 of rows and b's two vec4 columns at k = 0, and the strides of a k step.
struct TnState { s: Block, sum0: vec4<f32>, sum1: vec4<f32> }
struct TnOffsets { a_lo: u32, a_hi: u32, b_lo: u32, b_hi: u32, m4: u32, n4: u32 }

fn tn_at(t: TnState, at: TnOffsets, k: u32) -> TnState {
  return tn_with(t, at, k, a4[at.a_lo + k * at.m4], a4[at.a_hi + k * at.m4]);
}

// One k of wide_tn with a's rows at k given (lo, hi): reads b's and adds both.
fn tn_with(t: TnState, at: TnOffsets, k: u32, lo: vec4<f32>, hi: vec4<f32>) -> TnState {
  let p = b4[at.b_lo + k * at.n4];
  let q = b4[at.b_hi + k * at.n4];
  let s = tn_step(t.s, lo, hi, p, q);
  if (SUM_B) { return TnState(s, t.sum0 + p, t.sum1 + q); }
  return TnState(s, t.sum0, t.sum1);
}

// The column sums of b at vec4 columns col and col + 1 (those inside the matrix).
fn store_sums(col: u32, n4: u32, sum0: vec4<f32>, sum1: vec4<f32>) {
  store_col_sums(col, sum0);
  if (col + 1u < n4) { store_col_sums(col + 1u, sum1); }
}

// a·bᵀ, K a multiple of 4: b is stored [N, K], so a column of op(b) at k..k+3 is one vec4, as is
// a row of a; 8 of each feed 64 dot products per step.
@compute @workgroup_size(WG_X, WG_Y)
fn wide_nt(@builtin(global_invocation_id) gid: vec3<u32>) { wide_nt_block(gid); }

fn wide_nt_block(gid: vec3<u32>) {
  let k4 = params.k / 4u;
  let col0 = gid.x * 8u;
  let row0 = gid.y * 8u;
  if (row0 >= params.m || col0 >= params.n) { return; }
  let a_base = gid.z * params.stride_a / 4u;
  let lo = edge_clamped(a_base, row0, params.m, k4);
  let hi = edge_clamped(a_base, row0 + 4u, params.m, k4);
  let b_base = gid.z * params.stride_b / 4u;
  let c_lo = edge_clamped(b_base, col0, params.n, k4);
  let c_hi = edge_clamped(b_base, col0 + 4u, params.n, k4);
  var s = zero_block();
  for (var kk = 0u; kk < k4; kk++) {
    s = nt_step(s, a_rows(lo, hi, kk), b_cols(c_lo, c_hi, kk));
  }
  store_nt(gid.z * params.m * params.n, row0, col0, s);
}

// Columns 0..7 of op(b) (rows of the stored b, offsets lo and hi) at vec4 kk (nt).
fn b_cols(lo: vec4<u32>, hi: vec4<u32>, kk: u32) -> Eight {
  return Eight(b4[lo.x + kk], b4[lo.y + kk], b4[lo.z + kk], b4[lo.w + kk], b4[hi.x + kk], b4[hi.y + kk], b4[hi.z + kk], b4[hi.w + kk]);
}

// Stores the block at rows row0..row0+7 and columns col0..col0+7, any N (those inside the matrix).
fn store_nt(out: u32, row0: u32, col0: u32, s: Block) {
  let rows = as_rows(s);
  for (var r = 0u; r < 8u; r++) {
    store_nt_row(out, row0 + r, col0, rows[2u * r], rows[2u * r + 1u]);
  }
}

fn store_nt_row(out: u32, row: u32, col0: u32, v0: vec4<f32>, v1: vec4<f32>) {
  store_row(out, row, col0, v0);
  if (col0 + 4u < params.n) { store_row(out, row, col0 + 4u, v1); }
}
