// The bindings of the linear layer's weight gradient: dW = xᵀ·dz and, in the same pass, the
// bias gradient db = the column sums of dz (src/ops/linear.ts). Only the aᵀ·b kernels with vec4
// loads (block_vec4_tn, wide_tn) sum: each invocation already reads every row of its columns
// of dz, and the first row of invocations writes the sums.
// 0 a = x, 1 b = dz (read), 2 c = dW, 3 db (write), 4 params.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> db4: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c4: array<vec4<f32>>;

fn finish(row: u32, col: u32, v: f32) -> f32 { return v; }
const SUM_B = true;
fn store_col_sums(col4: u32, v: vec4<f32>) { db4[col4] = v; }
