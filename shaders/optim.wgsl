// Optimizer updates, in place; state (velocity, moments) stays on the GPU. A dispatch updates
// one parameter (sgd, sgd_momentum, adam) or two (the *_pair entry points: the first's vec4
// then the second's, so a layer's weight and bias take one dispatch).
// Bindings, one parameter: 0 grad (read), 1 param, then its state buffers, then the uniform.
// Two parameters a and b: 0 grad a, 1 grad b (read), 2 param a, 3 param b, then a's state
// buffers, b's, then the uniform.
// (On SwiftShader a pair costs 1.5-1.75x the two dispatches it replaces, so src/optim pairs
// updates only on GPUs, where the dispatch saved is what counts.)
// One invocation per vec4 of elements (4x faster than one per element on CPU adapters): the
// buffers are bound as vec4 arrays (gpugrad's buffers are 16-byte multiples), and lanes past
// a parameter's size keep their old values, so its padding is never written.
//  - sgd:       p -= lr (g + wd p)
//  - sgd_momentum (PyTorch's form, no dampening): v = mu v + (g + wd p);
//               p -= lr (nesterov ? g + wd p + mu v : v)
//  - adam (AdamW: decoupled decay, Loshchilov & Hutter 2019): p -= lr wd p;
//               m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//               p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

struct Params {
  size: u32, nesterov: u32, size_b: u32, _pad1: u32,  // size_b: the second parameter's (pairs)
  lr: f32, weight_decay: f32, momentum: f32, beta1: f32,
  beta2: f32, eps: f32, correction1: f32, correction2: f32,  // correction_i = 1 - beta_i^t
}

override WG: u32 = 64;

fn index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * WG; }

// Which lanes of vec4 number j hold elements (false only in the last, partial vec4).
fn live(j: u32, size: u32) -> vec4<bool> {
  let i = 4u * j;
  return vec4<bool>(i < size, i + 1u < size, i + 2u < size, i + 3u < size);
}

// The rules on one vec4: the new parameter and state values.
struct Moved { p: vec4<f32>, s1: vec4<f32>, s2: vec4<f32> }

fn sgd_rule(p: vec4<f32>, g: vec4<f32>, o: Params) -> vec4<f32> {
  return p - o.lr * (g + o.weight_decay * p);
}

fn momentum_rule(p: vec4<f32>, grad: vec4<f32>, velocity: vec4<f32>, o: Params) -> Moved {
  let g = grad + o.weight_decay * p;
  let v = o.momentum * velocity + g;
  return Moved(p - o.lr * select(v, g + o.momentum * v, o.nesterov == 1u), v, v);
}

fn adam_rule(param: vec4<f32>, g: vec4<f32>, m_old: vec4<f32>, v_old: vec4<f32>, o: Params) -> Moved {
  let m = o.beta1 * m_old + (1.0 - o.beta1) * g;
  let v = o.beta2 * v_old + (1.0 - o.beta2) * g * g;
  let p = param * (1.0 - o.lr * o.weight_decay);
  return Moved(p - o.lr * (m / o.correction1) / (sqrt(v / o.correction2) + o.eps), m, v);
}

// ---- one parameter ----

@group(0) @binding(0) var<storage, read> grad: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> param: array<vec4<f32>>;

@group(0) @binding(2) var<uniform> sgd_params: Params;

@compute @workgroup_size(WG)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = sgd_params;
  if (4u * i >= o.size) { return; }
  param[i] = select(param[i], sgd_rule(param[i], grad[i], o), live(i, o.size));
}

@group(0) @binding(2) var<storage, read_write> velocity: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> momentum_params: Params;

@compute @workgroup_size(WG)
fn sgd_momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = momentum_params;
  if (4u * i >= o.size) { return; }
  let keep = live(i, o.size);
  let r = momentum_rule(param[i], grad[i], velocity[i], o);
  velocity[i] = select(velocity[i], r.s1, keep);
  param[i] = select(param[i], r.p, keep);
}

@group(0) @binding(2) var<storage, read_write> m1: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> m2: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> adam_params: Params;

@compute @workgroup_size(WG)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = adam_params;
  if (4u * i >= o.size) { return; }
  let keep = live(i, o.size);
  let r = adam_rule(param[i], grad[i], m1[i], m2[i], o);
  m1[i] = select(m1[i], r.s1, keep);
  m2[i] = select(m2[i], r.s2, keep);
  param[i] = select(param[i], r.p, keep);
}

// ---- two parameters ----

@group(0) @binding(0) var<storage, read> grad_a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> grad_b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> param_a: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> param_b: array<vec4<f32>>;

@group(0) @binding(4) var<uniform> sgd_pair_params: Params;

@compute @workgroup_size(WG)
fn sgd_pair(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = sgd_pair_params;
  let na = (o.size + 3u) / 4u;
  if (i < na) {
    param_a[i] = select(param_a[i], sgd_rule(param_a[i], grad_a[i], o), live(i, o.size));
    return;
  }
  let j = i - na;
  if (4u * j >= o.size_b) { return; }
  param_b[j] = select(param_b[j], sgd_rule(param_b[j], grad_b[j], o), live(j, o.size_b));
}

@group(0) @binding(4) var<storage, read_write> velocity_a: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> velocity_b: array<vec4<f32>>;
@group(0) @binding(6) var<uniform> momentum_pair_params: Params;

@compute @workgroup_size(WG)
fn sgd_momentum_pair(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = momentum_pair_params;
  let na = (o.size + 3u) / 4u;
  if (i < na) {
    let keep = live(i, o.size);
    let r = momentum_rule(param_a[i], grad_a[i], velocity_a[i], o);
    velocity_a[i] = select(velocity_a[i], r.s1, keep);
    param_a[i] = select(param_a[i], r.p, keep);
    return;
  }
  let j = i - na;
  if (4u * j >= o.size_b) { return; }
  let keep = live(j, o.size_b);
  let r = momentum_rule(param_b[j], grad_b[j], velocity_b[j], o);
  velocity_b[j] = select(velocity_b[j], r.s1, keep);
  param_b[j] = select(param_b[j], r.p, keep);
}

@group(0) @binding(4) var<storage, read_write> m1_a: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> m2_a: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> m1_b: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> m2_b: array<vec4<f32>>;
@group(0) @binding(8) var<uniform> adam_pair_params: Params;

@compute @workgroup_size(WG)
fn adam_pair(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = adam_pair_params;
  let na = (o.size + 3u) / 4u;
  if (i < na) {
    let keep = live(i, o.size);
    let r = adam_rule(param_a[i], grad_a[i], m1_a[i], m2_a[i], o);
    m1_a[i] = select(m1_a[i], r.s1, keep);
    m2_a[i] = select(m2_a[i], r.s2, keep);
    param_a[i] = select(param_a[i], r.p, keep);
    return;
  }
  let j = i - na;
  if (4u * j >= o.size_b) { return; }
  let keep = live(j, o.size_b);
  let r = adam_rule(param_b[j], grad_b[j], m1_b[j], m2_b[j], o);
  m1_b[j] = select(m1_b[j], r.s1, keep);
  m2_b[j] = select(m2_b[j], r.s2, keep);
  param_b[j] = select(param_b[j], r.p, keep);
}
