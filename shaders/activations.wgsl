// The activations' forward functions, shared by unary.wgsl (the elementwise ops) and the
// linear layer's matmul epilogue (linear-io.wgsl), so both give the same values, special
// values included; and the gradients of those the linear layer fuses, shared by binary.wgsl
// and the epilogue of linear's input gradient (linear-dx-io.wgsl). Uses real.wgsl's helpers.

// max(x, 0) with NaN kept (WGSL's max is undefined for NaN; SwiftShader returns 0): every x
// from -0 down to -Inf gives +0, and +0, positives, +Inf and NaNs of either sign give x. One
// signed compare: -0 to -Inf are the bits 0x80000000 to 0xff800000, as i32 INT_MIN to -8388608.
fn op_relu(x: f32, p: f32) -> f32 { return select(x, 0.0, bitcast<i32>(x) <= -8388608i); }
// p·x below zero; x itself for -0, +0, positives and NaN.
fn op_leaky_relu(x: f32, p: f32) -> f32 { return select(x, p * x, is_negative(x)); }

fn op_tanh(x: f32, p: f32) -> f32 { return stable_tanh(x); }

// One exp of -|x|, never of a positive number, so it cannot overflow: 1/(1 + e) for x >= 0,
// e/(1 + e) below. |x| is clamped at 110, past which e is 0 in float32 (and exp's behaviour
// at Inf is undefined in WGSL): sigmoid(+Inf) = 1, sigmoid(-Inf) = 0; NaN is passed through.
fn op_sigmoid(x: f32, p: f32) -> f32 {
  let e = exp(-min(abs(x), 110.0));
  return select(select(e, 1.0, x >= 0.0) / (1.0 + e), x, is_nan(x));
}

// GELU, tanh form (Hendrycks & Gimpel 2016): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// Below x ≈ -5, tanh is -1 in float32 and h = 1 + tanh(..) = 0: the result is a zero with
// x's sign, also at x = -Inf, where 0.5·x·h would be -Inf · 0 = NaN (the limit is 0).
fn op_gelu(x: f32, p: f32) -> f32 {
  let inner = 0.7978845608028654 * (x + 0.044715 * x * x * x);
  let h = 1.0 + stable_tanh(inner);
  return select(0.5 * x * h, bitcast<f32>(bitcast<u32>(x) & 0x80000000u), h == 0.0);
}

// The gradient at a NaN input is NaN, for every activation: x > 0 alone would give 0 or α·dy
// there (and a compiler that assumes no NaN may reorder that compare; the bit test settles it).
// d relu = dy * [x > 0]
fn op_relu_grad(x: f32, dy: f32, p: f32) -> f32 { return select(select(0.0, dy, x > 0.0), x, is_nan(x)); }
// d leaky_relu = dy * (x > 0 ? 1 : alpha)
fn op_leaky_relu_grad(x: f32, dy: f32, p: f32) -> f32 { return select(select(p * dy, dy, x > 0.0), x, is_nan(x)); }
// d tanh = dy * (1 - y^2), from the output y (±1 at ±Inf: 0)
fn op_tanh_grad(y: f32, dy: f32, p: f32) -> f32 { return dy * (1.0 - y * y); }
// d sigmoid = dy * y (1 - y), from the output y
fn op_sigmoid_grad(y: f32, dy: f32, p: f32) -> f32 { return dy * y * (1.0 - y); }
