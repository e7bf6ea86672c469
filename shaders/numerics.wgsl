// checkNumerics: does x hold a NaN or an infinity? One workgroup of WG invocations scans x
// (strided by WG) and any invocation that finds one writes 1 into flags[slot]; the others
// write nothing, so concurrent writers only ever write the same value.
// Bindings: 0 x (read), 1 flags (read_write), 2 params. The test is on the bits (exponent all
// ones), because WGSL lets compilers assume floats are finite and fold `x != x` away.

struct Params { size: u32, slot: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> flags: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var found = false;
  for (var i = lid; i < params.size; i += WG) {
    found = found || (bitcast<u32>(x[i]) & 0x7f800000u) == 0x7f800000u;
  }
  if (found) { flags[params.slot] = 1.0; }
}
