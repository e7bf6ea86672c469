// The bindings of plain matrix products (matmul.wgsl's kernels, composed after this file):
// 0 a, 1 b (read), 2 c (write), 3 params. The epilogue hooks do nothing; linear-io.wgsl and
// linear-grad-io.wgsl are the other bindings the same kernels compile with.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// The same buffers as arrays of vec4 (legal: no entry point uses both views of one binding).
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c4: array<vec4<f32>>;

fn finish(row: u32, col: u32, v: f32) -> f32 { return v; }
const SUM_B = false;
fn store_col_sums(col4: u32, v: vec4<f32>) {}
