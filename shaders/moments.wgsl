// Summary statistics of a whole tensor in one dispatch: y = [mean, std, norm, max|x|].
// Bindings: 0 x (read), 1 y (write, 4 floats), 2 params. One workgroup of WG invocations
// (256: the launch sets it; tree_max and tree_sum come from tree.wgsl)
// (the statistics of a layer are small next to the layer's matmul).
// Three passes over x, each folded by a tree in workgroup memory: max|x| = m first, then the
// mean and the centered sum of squares of u = x/m. Scaling by m keeps squares finite for any
// finite x (squaring a float32 above 1.8e19 would overflow), and the two-pass variance has no
// cancellation. m = 0 (all zeros) gives zeros; a non-finite x gives non-finite results.

struct Params { size: u32, _pad0: u32, _pad1: u32, _pad2: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.size;
  var m = 0.0;
  var saw_nan = false;
  for (var i = lid; i < n; i += WG) {
    let v = x[i];
    saw_nan = saw_nan || is_nan(v);  // from the bits: a compiler may fold v != v to false
    m = max(m, abs(v));
  }
  m = tree_max(m, lid);
  // max() may drop a NaN, so NaNs are counted apart: a NaN input must never read as finite.
  let nans = tree_sum(select(0.0, 1.0, saw_nan), lid);
  let scale = select(1.0 / m, 0.0, m == 0.0);
  var s = 0.0;
  for (var i = lid; i < n; i += WG) { s += x[i] * scale; }
  let mean_u = tree_sum(s, lid) / f32(n);
  var c = 0.0;
  var q = 0.0;
  for (var i = lid; i < n; i += WG) {
    let u = x[i] * scale;
    c += (u - mean_u) * (u - mean_u);
    q += u * u;
  }
  let centered = tree_sum(c, lid);
  let squares = tree_sum(q, lid);
  if (lid == 0u) {
    let nan = bitcast<f32>(0x7fc00000u | (lid & 0u));  // made at run time: WGSL rejects constant NaN
    let poison = select(0.0, nan, nans > 0.0);
    y[0] = mean_u * m + poison;
    y[1] = sqrt(centered / f32(n)) * m + poison;
    y[2] = sqrt(squares) * m + poison;
    y[3] = m + poison;
  }
}
