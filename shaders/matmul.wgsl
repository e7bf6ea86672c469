// Matrix product c[bi] = op(a[bi]) · op(b[bi]) of [M,K] and [K,N] operands, batched along
// dispatch z. A 2-D operand shared by every batch has batch stride 0. op() is the identity or a
// transpose, given as element strides (a_row, a_col) and (b_row, b_col): a transposed operand
// is read in place, so backward passes need no transpose kernels.
// The bindings come from the file composed before this one: matmul-io.wgsl (plain products),
// linear-io.wgsl (the linear layer: bias and activation applied by `finish` as each output is
// stored) or linear-grad-io.wgsl (dW with the bias gradient summed in the same pass). Entry points:
//  - naive:         one output per invocation (the simple variant tests and benchmarks compare with);
//  - block:         a 4x4 block of outputs per invocation in four vec4 accumulators, any M, K,
//                   N, any transposes; rows and columns past the edge are clamped on load and
//                   skipped on store;
//  - block_vec4:    the same block with vec4 loads, one kernel per layout that has them (the
//                   backward pass of x·W needs the two transposed ones: dX = dY·Wᵀ, dW = Xᵀ·dY):
//      block_vec4     a·b:   vec4 along K of a, along N of b; K and N multiples of 4;
//      block_vec4_tn  aᵀ·b:  vec4 along M of a's stored rows, along N of b; M and N multiples of 4;
//      block_vec4_nt  a·bᵀ:  vec4 along K of both (16 dot products per step); K a multiple of 4.
//  - wide, wide_tn, wide_nt (matmul-wide.wgsl): the block_vec4 layouts with an 8x8 block of outputs per invocation,
//                   so each loaded value feeds twice as many FMAs (on SwiftShader a load is a
//                   gather, the cost that matters: 1.5-1.7x block_vec4, measured at 512 and 1024);
//  - quad, quad_tn, quad_nt (matmul-quad.wgsl, needs subgroups): wide with each load of a
//                   shared by the four invocations of a subgroup quad (10 loads per step, not 16);
//  - tiled (matmul-tiled.wgsl): a 64x64 tile per 16x16 workgroup, staged through workgroup memory in steps
//                   of 16 along K, 4x4 outputs per invocation, any layout: the kernel GPUs want
//                   (each value read from memory once per tile, not once per invocation).
// Accumulators are separate variables or struct fields (not an indexed array) in the k loops:
// there they stay in registers, where on SwiftShader an indexed array spills to memory and runs
// about 2x slower (measured on SwiftShader: 0.37-0.65 against 1.1-1.3 GFLOP/s at 512 and
// 1024). The 8x8 kernels turn their block into an array only to store it.
// On CPU adapters `tiled` is slow (emulated barriers cost more than they save); the kernel for a
// shape is chosen per adapter (src/ops/matmul-kernels.ts), by measurement when tuned.

struct Params {
  m: u32, k: u32, n: u32, stride_a: u32,
  stride_b: u32, a_row: u32, a_col: u32, b_row: u32,
  b_col: u32, alpha: f32, _pad1: u32, _pad2: u32,
}

override WG_X: u32 = 8;
override WG_Y: u32 = 8;

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  let row = gid.y;
  if (row >= params.m || col >= params.n) { return; }
  let a_base = gid.z * params.stride_a + row * params.a_row;
  let b_base = gid.z * params.stride_b + col * params.b_col;
  var acc = 0.0;
  for (var k = 0u; k < params.k; k++) {
    acc = fma(a[a_base + k * params.a_col], b[b_base + k * params.b_row], acc);
  }
  c[gid.z * params.m * params.n + row * params.n + col] = finish(row, col, acc);
}

@compute @workgroup_size(WG_X, WG_Y)
fn block(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col0 = gid.x * 4u;
  let row0 = gid.y * 4u;
  if (row0 >= params.m || col0 >= params.n) { return; }
  let a_base = gid.z * params.stride_a;
  let b_base = gid.z * params.stride_b;
  let rows = edge_clamped(a_base, row0, params.m, params.a_row);
  let cols = edge_clamped(b_base, col0, params.n, params.b_col);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < params.k; k++) {
    let bk_off = k * params.b_row;
    let ak_off = k * params.a_col;
    let bk = vec4<f32>(b[cols.x + bk_off], b[cols.y + bk_off], b[cols.z + bk_off], b[cols.w + bk_off]);
    acc0 = fma(vec4<f32>(a[rows.x + ak_off]), bk, acc0);
    acc1 = fma(vec4<f32>(a[rows.y + ak_off]), bk, acc1);
    acc2 = fma(vec4<f32>(a[rows.z + ak_off]), bk, acc2);
    acc3 = fma(vec4<f32>(a[rows.w + ak_off]), bk, acc3);
  }
  let out = gid.z * params.m * params.n;
  store_row(out, row0, col0, acc0);
  store_row(out, row0 + 1u, col0, acc1);
  store_row(out, row0 + 2u, col0, acc2);
  store_row(out, row0 + 3u, col0, acc3);
}

// The epilogue (the io file's `finish`) on four consecutive outputs of a row.
fn finish4(row: u32, col0: u32, v: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(finish(row, col0, v.x), finish(row, col0 + 1u, v.y), finish(row, col0 + 2u, v.z), finish(row, col0 + 3u, v.w));
}

// Offsets of rows (or columns) first..first+3 of a [count, ...] operand with `stride` between
// them; past the edge (count - 1) they repeat the last one, so edge blocks load valid memory.
fn edge_clamped(base: u32, first: u32, count: u32, stride: u32) -> vec4<u32> {
  return base + min(vec4<u32>(first) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(count - 1u)) * stride;
}

// Stores outputs col0..col0+3 of a row (those inside the matrix), through the epilogue.
fn store_row(out: u32, row: u32, col0: u32, acc: vec4<f32>) {
  if (row >= params.m) { return; }
  let v = finish4(row, col0, acc);
  let base = out + row * params.n + col0;
  let left = params.n - col0;
  c[base] = v.x;
  if (left > 1u) { c[base + 1u] = v.y; }
  if (left > 2u) { c[base + 2u] = v.z; }
  if (left > 3u) { c[base + 3u] = v.w; }
}

@compute @workgroup_size(WG_X, WG_Y)
fn block_vec4(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n4 = params.n / 4u;
  let k4 = params.k / 4u;
  let col = gid.x;  // in vec4 columns
  let row0 = gid.y * 4u;
  if (row0 >= params.m || col >= n4) { return; }
  let a_base = gid.z * params.stride_a / 4u;
  let b_base = gid.z * params.stride_b / 4u + col;
  let rows = edge_clamped(a_base, row0, params.m, k4);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let a0 = a4[rows.x + kk];
    let a1 = a4[rows.y + kk];
    let a2 = a4[rows.z + kk];
    let a3 = a4[rows.w + kk];
    let row = b_base + kk * 4u * n4;
    let b0 = b4[row];
    let b1 = b4[row + n4];
    let b2 = b4[row + 2u * n4];
    let b3 = b4[row + 3u * n4];
    acc0 = fma(vec4<f32>(a0.x), b0, fma(vec4<f32>(a0.y), b1, fma(vec4<f32>(a0.z), b2, fma(vec4<f32>(a0.w), b3, acc0))));
    acc1 = fma(vec4<f32>(a1.x), b0, fma(vec4<f32>(a1.y), b1, fma(vec4<f32>(a1.z), b2, fma(vec4<f32>(a1.w), b3, acc1))));
    acc2 = fma(vec4<f32>(a2.x), b0, fma(vec4<f32>(a2.y), b1, fma(vec4<f32>(a2.z), b2, fma(vec4<f32>(a2.w), b3, acc2))));
    acc3 = fma(vec4<f32>(a3.x), b0, fma(vec4<f32>(a3.y), b1, fma(vec4<f32>(a3.z), b2, fma(vec4<f32>(a3.w), b3, acc3))));
  }
  let out = gid.z * params.m * n4 + col;
  c4[out + row0 * n4] = finish4(row0, col * 4u, acc0);
  if (row0 + 1u < params.m) { c4[out + (row0 + 1u) * n4] = finish4(row0 + 1u, col * 4u, acc1); }
  if (row0 + 2u < params.m) { c4[out + (row0 + 2u) * n4] = finish4(row0 + 2u, col * 4u, acc2); }
  if (row0 + 3u < params.m) { c4[out + (row0 + 3u) * n4] = finish4(row0 + 3u, col * 4u, acc3); }
}

// aᵀ·b: a is stored [K, M], so op(a)'s rows row0..row0+3 at one k are one vec4.
@compute @workgroup_size(WG_X, WG_Y)
fn block_vec4_tn(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m4 = params.m / 4u;
  let n4 = params.n / 4u;
  let col = gid.x;  // in vec4 columns
  let row4 = gid.y; // in blocks of 4 rows
  if (row4 >= m4 || col >= n4) { return; }
  let a_base = gid.z * params.stride_a / 4u + row4;
  let b_base = gid.z * params.stride_b / 4u + col;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var sums = vec4<f32>(0.0);  // column sums of b, for linear-grad-io.wgsl's bias gradient
  // Four k per iteration (as many loads per FMA as block_vec4), then the remaining k.
  let k_main = params.k & ~3u;
  var k = 0u;
  for (; k < k_main; k += 4u) {
    let ak = a_base + k * m4;
    let bk = b_base + k * n4;
    let a0 = a4[ak];
    let a1 = a4[ak + m4];
    let a2 = a4[ak + 2u * m4];
    let a3 = a4[ak + 3u * m4];
    let b0 = b4[bk];
    let b1 = b4[bk + n4];
    let b2 = b4[bk + 2u * n4];
    let b3 = b4[bk + 3u * n4];
    if (SUM_B) { sums += (b0 + b1) + (b2 + b3); }
    acc0 = fma(vec4<f32>(a0.x), b0, fma(vec4<f32>(a1.x), b1, fma(vec4<f32>(a2.x), b2, fma(vec4<f32>(a3.x), b3, acc0))));
    acc1 = fma(vec4<f32>(a0.y), b0, fma(vec4<f32>(a1.y), b1, fma(vec4<f32>(a2.y), b2, fma(vec4<f32>(a3.y), b3, acc1))));
    acc2 = fma(vec4<f32>(a0.z), b0, fma(vec4<f32>(a1.z), b1, fma(vec4<f32>(a2.z), b2, fma(vec4<f32>(a3.z), b3, acc2))));
    acc3 = fma(vec4<f32>(a0.w), b0, fma(vec4<f32>(a1.w), b1, fma(vec4<f32>(a2.w), b2, fma(vec4<f32>(a3.w), b3, acc3))));
  }
  for (; k < params.k; k++) {
    let av = a4[a_base + k * m4];
    let bv = b4[b_base + k * n4];
    if (SUM_B) { sums += bv; }
    acc0 = fma(vec4<f32>(av.x), bv, acc0);
    acc1 = fma(vec4<f32>(av.y), bv, acc1);
    acc2 = fma(vec4<f32>(av.z), bv, acc2);
    acc3 = fma(vec4<f32>(av.w), bv, acc3);
  }
  let out = gid.z * params.m * n4 + row4 * 4u * n4 + col;
  c4[out] = finish4(row4 * 4u, col * 4u, acc0);
  c4[out + n4] = finish4(row4 * 4u + 1u, col * 4u, acc1);
  c4[out + 2u * n4] = finish4(row4 * 4u + 2u, col * 4u, acc2);
  c4[out + 3u * n4] = finish4(row4 * 4u + 3u, col * 4u, acc3);
  if (SUM_B && row4 == 0u) { store_col_sums(col, sums); }
}

// a·bᵀ: b is stored [N, K], so op(b)'s column col at k..k+3 is one vec4, as is a's row.
@compute @workgroup_size(WG_X, WG_Y)
fn block_vec4_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k4 = params.k / 4u;
  let col0 = gid.x * 4u;
  let row0 = gid.y * 4u;
  if (row0 >= params.m || col0 >= params.n) { return; }
  let a_base = gid.z * params.stride_a / 4u;
  let b_base = gid.z * params.stride_b / 4u;
  let rows = edge_clamped(a_base, row0, params.m, k4);
  let cols = edge_clamped(b_base, col0, params.n, k4);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let b0 = b4[cols.x + kk];
    let b1 = b4[cols.y + kk];
    let b2 = b4[cols.z + kk];
    let b3 = b4[cols.w + kk];
    let a0 = a4[rows.x + kk];
    let a1 = a4[rows.y + kk];
    let a2 = a4[rows.z + kk];
    let a3 = a4[rows.w + kk];
    acc0 += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
    acc1 += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
    acc2 += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
    acc3 += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
  }
  let out = gid.z * params.m * params.n;
  store_row(out, row0, col0, acc0);
  store_row(out, row0 + 1u, col0, acc1);
  store_row(out, row0 + 2u, col0, acc2);
  store_row(out, row0 + 3u, col0, acc3);
}

