// Mean-field theory of wide random nets, computed by Gauss-Hermite quadrature: what the
// edge-of-chaos experiments (Poole et al. 2016; Schoenholz et al. 2017) and the Jacobian
// spectra (Pennington et al. 2017) are compared against. A layer is z = W·phi(z_prev) + b with
// W_ij ~ N(0, sigma_w^2/n) and b_i ~ N(0, sigma_b^2). Everything here is float64 and exact up to
// the quadrature (160 nodes in 1-D, 32 x 32 in 2-D: tanh has poles at ±iπ/2, so the rule converges only geometrically).

/** The activations the mean-field formulas cover, with phi, phi' and phi''. */
export type MeanFieldActivation = 'linear' | 'tanh' | 'relu';

const PHI: Record<MeanFieldActivation, [(x: number) => number, (x: number) => number, (x: number) => number]> = {
  linear: [(x) => x, () => 1, () => 0],
  tanh: [Math.tanh, (x) => 1 - Math.tanh(x) ** 2, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
  relu: [(x) => Math.max(x, 0), (x) => (x > 0 ? 1 : 0), () => 0],
};

/**
 * Nodes and weights of Gauss-Hermite quadrature for E[f(z)], z ~ N(0, 1): the roots of the
 * Hermite polynomial H_n by Newton's method from the usual asymptotic guesses, rescaled from
 * the weight e^(-x^2) to the standard normal density.
 */
function gaussHermite(n: number): { nodes: Float64Array; weights: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const PIM4 = Math.PI ** -0.25;
  let z = 0;
  for (let i = 0; i < (n + 1) >> 1; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1 / 6);
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const step = p1 / pp;
      z -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = w[n - 1 - i] = 2 / (pp * pp);
  }
  // weight e^(-x^2) -> standard normal: z = sqrt(2) x, weight / sqrt(pi)
  return { nodes: x.map((v) => v * Math.SQRT2), weights: w.map((v) => v / Math.sqrt(Math.PI)) };
}

const GH = gaussHermite(160);
// The double integrals of the correlation map use 32 x 32 nodes: they run inside fixed-point
// iterations, and 32 nodes already give ~1e-12 on these integrands.
const GH2 = gaussHermite(32);

/** E[f(z)] for z ~ N(0, 1) by 160-point Gauss-Hermite quadrature. */
export function normalExpectation(f: (z: number) => number): number {
  let total = 0;
  for (let i = 0; i < GH.nodes.length; i++) total += GH.weights[i] * f(GH.nodes[i]);
  return total;
}

/** E[f(u1, u2)] for z1, z2 ~ N(0, 1) independent (a product rule of the 1-D quadrature). */
function normalExpectation2(f: (z1: number, z2: number) => number): number {
  let total = 0;
  for (let i = 0; i < GH2.nodes.length; i++) {
    for (let j = 0; j < GH2.nodes.length; j++) total += GH2.weights[i] * GH2.weights[j] * f(GH2.nodes[i], GH2.nodes[j]);
  }
  return total;
}

/** One step of the variance map: q_{l+1} = sigma_w^2 E[phi(sqrt(q_l) z)^2] + sigma_b^2. */
export function varianceMap(act: MeanFieldActivation, sw2: number, sb2: number, q: number): number {
  const [phi] = PHI[act];
  return sw2 * normalExpectation((z) => phi(Math.sqrt(q) * z) ** 2) + sb2;
}

/** One step of the correlation map at variance q: c -> (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q_next. */
export function correlationMap(act: MeanFieldActivation, sw2: number, sb2: number, q: number, c: number, qNext = varianceMap(act, sw2, sb2, q)): number {
  const [phi] = PHI[act];
  const s = Math.sqrt(q);
  const r = Math.sqrt(Math.max(0, 1 - c * c));
  return (sw2 * normalExpectation2((z1, z2) => phi(s * z1) * phi(s * (c * z1 + r * z2))) + sb2) / qNext;
}

/** The theory at one (sigma_w^2, sigma_b^2): fixed points, slopes and depth scales. */
export interface MeanField {
  /** fixed point of the variance map (from q = 1) */
  qStar: number;
  /** chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]: the per-layer growth of squared gradients */
  chi1: number;
  /** the stable fixed point of the correlation map (1 in the ordered phase) */
  cStar: number;
  /** slope of the correlation map at c*: sigma_w^2 E[phi'(u1) phi'(u2)] */
  chiC: number;
  /** depth scale of the variance's approach to q*: -1 / ln(chi_1 + sigma_w^2 E[phi''(u) phi(u)]) */
  xiQ: number;
  /** depth scale of correlations: -1 / ln(chiC) (infinite on the critical line) */
  xiC: number;
}

/** Iterates the variance map to its fixed point q* (from q = 1; 0 for odd phi without bias when sigma_w^2 <= 1). */
export function fixedPointQ(act: MeanFieldActivation, sw2: number, sb2: number): number {
  // Without bias, tanh and linear nets with sigma_w^2 <= 1 decay to q* = 0, at sigma_w^2 = 1
  // only as 1/l: no iteration would get there.
  if (sb2 === 0 && act !== 'relu' && sw2 <= 1) return 0;
  let q = 1;
  for (let i = 0; i < 5000; i++) {
    const next = varianceMap(act, sw2, sb2, q);
    if (Math.abs(next - q) <= 1e-13 * Math.max(1, q)) return next;
    q = next;
  }
  return q;
}

/** q*, chi_1, c*, chi_c, xi_q and xi_c (see MeanField). */
export function meanField(act: MeanFieldActivation, sw2: number, sb2: number): MeanField {
  const [phi, d1, d2] = PHI[act];
  const qStar = fixedPointQ(act, sw2, sb2);
  const s = Math.sqrt(qStar);
  const chi1 = sw2 * normalExpectation((z) => d1(s * z) ** 2);
  const xiQ = -1 / Math.log(chi1 + sw2 * normalExpectation((z) => d2(s * z) * phi(s * z)));
  // c* from c = 0: the map is increasing, so the iteration climbs to the lowest stable fixed point.
  let cStar = 0;
  if (qStar > 1e-12) {
    for (let i = 0; i < 2000; i++) {
      const next = Math.min(1, correlationMap(act, sw2, sb2, qStar, cStar, qStar));
      if (Math.abs(next - cStar) < 1e-10 || next > 1 - 1e-9) { cStar = next; break; }
      cStar = next;
    }
  } else cStar = 1;
  if (cStar > 1 - 1e-6) cStar = 1;
  const r = Math.sqrt(Math.max(0, 1 - cStar * cStar));
  const chiC = sw2 * normalExpectation2((z1, z2) => d1(s * z1) * d1(s * (cStar * z1 + r * z2)));
  return { qStar, chi1, cStar, chiC, xiQ, xiC: -1 / Math.log(chiC) };
}

/** The sigma_w^2 at which chi_1 = 1 for this sigma_b^2 (the order-to-chaos line), by bisection on [0.1, 16]. */
export function criticalWeightVariance(act: MeanFieldActivation, sb2: number): number {
  let lo = 0.1;
  let hi = 16;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const s = Math.sqrt(fixedPointQ(act, mid, sb2));
    if (mid * normalExpectation((z) => PHI[act][1](s * z) ** 2) < 1) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Layer-by-layer theory for a net fed inputs of mean squared entry qIn and correlation cIn:
 * q_l and c_l of the pre-activations of layers 1..depth, and the per-layer gradient factor
 * chi_l = sigma_w^2 E[phi'(sqrt(q_l) z)^2].
 */
export function propagate(act: MeanFieldActivation, sw2: number, sb2: number, depth: number, qIn = 1, cIn = 0):
  { q: number[]; c: number[]; chi: number[]; mu2: number[] } {
  const [, d1] = PHI[act];
  let q = sw2 * qIn + sb2;
  let c = (sw2 * qIn * cIn + sb2) / q;
  const out = { q: [] as number[], c: [] as number[], chi: [] as number[], mu2: [] as number[] };
  for (let l = 1; l <= depth; l++) {
    out.q.push(q);
    out.c.push(c);
    const s = Math.sqrt(q);
    out.chi.push(sw2 * normalExpectation((z) => d1(s * z) ** 2));
    out.mu2.push(sw2 * sw2 * normalExpectation((z) => d1(s * z) ** 4));
    const qNext = varianceMap(act, sw2, sb2, q);
    c = Math.min(1, correlationMap(act, sw2, sb2, q, c, qNext));
    q = qNext;
  }
  return out;
}

/**
 * Pennington et al. (2017): the squared singular values lambda of the input-output Jacobian
 * at one input have mean prod_l chi_l and relative variance Var(lambda) / mean^2 =
 * sum_l (mu2_l / chi_l^2 - 1 - s1), where mu2_l = sigma_w^4 E[phi'^4] and s1 = -1 for
 * Gaussian weights, 0 for orthogonal ones (the first S-transform coefficient). Linear and
 * Gaussian: depth; linear and orthogonal: 0 (dynamical isometry); ReLU at sigma_w^2 = 2:
 * 2·depth (Gaussian) or depth (orthogonal).
 */
export function jacobianSpectrum(act: MeanFieldActivation, weights: 'orthogonal' | 'gaussian', sw2: number, sb2: number, depth: number):
  { meanLambda: number; relativeVariance: number } {
  const { chi, mu2 } = propagate(act, sw2, sb2, depth);
  const s1 = weights === 'gaussian' ? -1 : 0;
  return {
    meanLambda: chi.reduce((p, x) => p * x, 1),
    relativeVariance: chi.reduce((sum, x, l) => sum + mu2[l] / (x * x) - 1 - s1, 0),
  };
}
