// Histograms on the GPU: counts of x over `bins` equal bins of [lo, hi], added into
// counts[offset .. offset + bins + 3): the bins, then values below lo (and -Inf), above hi (and
// +Inf), and NaN. Several tensors share one counts buffer at different offsets, so a whole
// net's histograms come back in one readback (src/stats/histogram.ts).
// Bin k holds edge(k) <= x < edge(k + 1), edge(k) = lo + k * (hi - lo) / bins in float32, and
// the last bin also holds hi (as NumPy). The quotient (x - lo) / width may round across an edge,
// so the bin it gives is checked against the edges themselves and moved by one if needed.
// Each workgroup counts into workgroup memory first and adds its totals to the buffer once:
// a global atomic per element would serialize on the few bins near 0.
// Bindings: 0 x (read), 1 counts (read_write, u32 counts in a float buffer, zeroed by the caller), 2 params.

struct Params { size: u32, bins: u32, offset: u32, _pad0: u32, lo: f32, hi: f32, _pad1: u32, _pad2: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;
/** The most bins one histogram may have (histogram.ts checks); three more slots follow them. */
const MAX_BINS: u32 = 256u;

var<workgroup> local: array<atomic<u32>, MAX_BINS + 3u>;

fn edge(k: u32, width: f32) -> f32 {
  return select(params.lo + f32(k) * width, params.hi, k == params.bins);
}

fn slot_of(v: f32, width: f32) -> u32 {
  let bins = params.bins;
  if (is_nan(v)) { return bins + 2u; }
  let negative = (bitcast<u32>(v) & 0x80000000u) != 0u;
  if (is_non_finite(v)) { return select(bins + 1u, bins, negative); }  // ±Inf: NaN went above
  if (v < params.lo) { return bins; }
  if (v > params.hi) { return bins + 1u; }
  var k = u32(clamp(floor((v - params.lo) / width), 0.0, f32(bins - 1u)));
  if (k > 0u && v < edge(k, width)) { k -= 1u; }
  else if (k + 1u < bins && v >= edge(k + 1u, width)) { k += 1u; }
  return k;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>) {
  let slots = params.bins + 3u;
  for (var i = lid; i < slots; i += WG) { atomicStore(&local[i], 0u); }
  workgroupBarrier();
  let width = (params.hi - params.lo) / f32(params.bins);
  for (var i = wid.x * WG + lid; i < params.size; i += nwg.x * WG) {
    atomicAdd(&local[slot_of(x[i], width)], 1u);
  }
  workgroupBarrier();
  for (var i = lid; i < slots; i += WG) {
    let c = atomicLoad(&local[i]);
    if (c > 0u) { atomicAdd(&counts[params.offset + i], c); }
  }
}
