// Optimizer updates, one dispatch per parameter, in place; state (velocity, moments) stays
// on the GPU. Bindings: 0 grad (read), 1 param (read-write), then state buffers, then params.
// One invocation per vec4 of elements (4x faster than one per element on CPU adapters): the
// buffers are bound as vec4 arrays (gpugrad's buffers are 16-byte multiples), and lanes past
// `size` keep their old values, so a parameter's padding is never written.
//  - sgd:       p -= lr (g + wd p)
//  - sgd_momentum (PyTorch's form, no dampening): v = mu v + (g + wd p);
//               p -= lr (nesterov ? g + wd p + mu v : v)
//  - adam (AdamW: decoupled decay, Loshchilov & Hutter 2019): p -= lr wd p;
//               m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//               p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

struct Params {
  size: u32, nesterov: u32, _pad0: u32, _pad1: u32,
  lr: f32, weight_decay: f32, momentum: f32, beta1: f32,
  beta2: f32, eps: f32, correction1: f32, correction2: f32,  // correction_i = 1 - beta_i^t
}

@group(0) @binding(0) var<storage, read> grad: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> param: array<vec4<f32>>;

override WG: u32 = 64;

fn index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * WG; }

// Which lanes of vec4 number j hold elements (false only in the last, partial vec4).
fn live(j: u32, size: u32) -> vec4<bool> {
  let i = 4u * j;
  return vec4<bool>(i < size, i + 1u < size, i + 2u < size, i + 3u < size);
}

@group(0) @binding(2) var<uniform> sgd_params: Params;

@compute @workgroup_size(WG)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = sgd_params;
  if (4u * i >= o.size) { return; }
  let p = param[i];
  param[i] = select(p, p - o.lr * (grad[i] + o.weight_decay * p), live(i, o.size));
}

@group(0) @binding(2) var<storage, read_write> velocity: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> momentum_params: Params;

@compute @workgroup_size(WG)
fn sgd_momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  let o = momentum_params;
  if (4u * i >= o.size) { return; }
  let keep = live(i, o.size);
  let p = param[i];
  let g = grad[i] + o.weight_decay * p;
  let v = o.momentum * velocity[i] + g;
  velocity[i] = select(velocity[i], v, keep);
  param[i] = select(p, p - o.lr * select(v, g + o.momentum * v, o.nesterov == 1u), keep);
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
  let g = grad[i];
  let m = o.beta1 * m1[i] + (1.0 - o.beta1) * g;
  let v = o.beta2 * m2[i] + (1.0 - o.beta2) * g * g;
  m1[i] = select(m1[i], m, keep);
  m2[i] = select(m2[i], v, keep);
  let p = param[i] * (1.0 - o.lr * o.weight_decay);
  param[i] = select(param[i], p - o.lr * (m / o.correction1) / (sqrt(v / o.correction2) + o.eps), keep);
}
