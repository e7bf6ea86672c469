// The edge of chaos (Poole et al. 2016; Schoenholz et al. 2017): for each (sigma_w^2,
// sigma_b^2) of the grid, one random tanh net with weights N(0, sigma_w^2/n) and biases
// N(0, sigma_b^2) carries pairs of correlated inputs forward and a random signal backward.
// Measured per layer: the pre-activations' variance q_l and the pairs' correlation c_l, and the
// gradient variance Var(dL/dz_l), whose growth per layer is chi_1. Theory: meanfield.ts.

import { init, readAll, sum, tanh, tensor, tidy, type Tensor } from '../../../src/index.ts';
import { stepCost, type Context } from '../context.ts';
import { criticalWeightVariance, meanField, propagate } from '../meanfield.ts';
import { verdictLead, type ChaosPoint, type SuiteResults } from '../schema.ts';
import { linearFit } from '../theory.ts';

/** Depth of the nets of the sweep: enough layers past the transient for a slope to mean something. */
export const CHAOS_DEPTH = 24;
/** The fit of ln Var(dL/dz_l) starts here: q_l has reached q* within a few xi_q (about 1-2 layers). */
export const CHAOS_FIT_FROM = 4;
/** Pairs of inputs per net, each with this correlation: c_l is averaged over the pairs. */
const PAIRS = 8;
const INPUT_CORRELATION = 0.5;

/** Seeded normals on the CPU (Box-Muller over mulberry32): the inputs are built here to control their correlation exactly. */
export function cpuNormals(count: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

/** Rows 2p and 2p+1 hold a pair with empirical correlation exactly `c`, each row with mean square exactly 1. */
export function correlatedPairs(pairs: number, width: number, c: number, seed: number): Float32Array {
  const g = cpuNormals(2 * pairs * width, seed);
  const out = new Float32Array(2 * pairs * width);
  for (let p = 0; p < pairs; p++) {
    const a = g.subarray(2 * p * width, (2 * p + 1) * width);
    const b = Float64Array.from(g.subarray((2 * p + 1) * width, (2 * p + 2) * width));
    // Gram-Schmidt b against a, then mix: the pair's cosine is then c exactly.
    const na = Math.hypot(...a);
    const proj = a.reduce((s, v, i) => s + v * b[i], 0) / (na * na);
    for (let i = 0; i < width; i++) b[i] -= proj * a[i];
    const nb = Math.hypot(...b);
    for (let i = 0; i < width; i++) {
      const u = a[i] / na;
      out[2 * p * width + i] = u * Math.sqrt(width);
      out[(2 * p + 1) * width + i] = (c * u + Math.sqrt(1 - c * c) * (b[i] / nb)) * Math.sqrt(width);
    }
  }
  return out;
}

/** One net of the sweep: forward the pairs, backward dL/da_depth = r, and the per-layer measurements. */
export async function chaosPoint(sw2: number, sb2: number, depth: number, width: number, seed: number): Promise<ChaosPoint> {
  const batch = 2 * PAIRS;
  const read = tidy(() => {
    let h: Tensor = tensor(correlatedPairs(PAIRS, width, INPUT_CORRELATION, seed), [batch, width]);
    const zs: Tensor[] = [];
    for (let l = 1; l <= depth; l++) {
      const w = init.normal([width, width], { std: Math.sqrt(sw2 / width), seed: seed + 2 * l, requiresGrad: true });
      const b = sb2 > 0 ? init.normal([width], { std: Math.sqrt(sb2), seed: seed + 2 * l + 1 }) : null;
      const z = (b ? h.matmul(w).add(b) : h.matmul(w)).retainGrad();
      zs.push(z);
      h = tanh(z);
    }
    sum(h.mul(init.normal([batch, width], { seed: seed + 7777 }))).backward();
    return [...zs, ...zs.map((z) => z.grad!)];
  });
  const values = await readAll(read);
  for (const t of read) t.dispose();
  const theory = propagate('tanh', sw2, sb2, depth, 1, INPUT_CORRELATION);
  const layers: ChaosPoint['layers'] = [];
  for (let l = 0; l < depth; l++) {
    const z = values[l];
    const dz = values[depth + l];
    let q = 0, c = 0, g = 0;
    for (let p = 0; p < PAIRS; p++) {
      let s11 = 0, s22 = 0, s12 = 0;
      for (let i = 0; i < width; i++) {
        const u = z[2 * p * width + i], v = z[(2 * p + 1) * width + i];
        s11 += u * u; s22 += v * v; s12 += u * v;
      }
      q += (s11 + s22) / (2 * width * PAIRS);
      c += s12 / Math.sqrt(s11 * s22) / PAIRS;
    }
    for (const v of dz) g += (v * v) / dz.length;
    layers.push({ layer: l + 1, q, c, qTheory: theory.q[l], cTheory: theory.c[l], gradVar: g });
  }
  const fitted = layers.filter((l) => l.layer >= CHAOS_FIT_FROM && l.gradVar > 0);
  const slope = linearFit(fitted.map((l) => l.layer), fitted.map((l) => Math.log(l.gradVar))).slope;
  const mf = meanField('tanh', sw2, sb2);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    sw2, sb2, measuredChi1: Math.exp(-slope), layers,
    theory: { qStar: mf.qStar, chi1: mf.chi1, cStar: mf.cStar, xiQ: finite(mf.xiQ), xiC: finite(mf.xiC) },
  };
}

const pointCost = (width: number) => stepCost(CHAOS_DEPTH, width, 2 * PAIRS) * 1.5;

export function chaosCost(ctx: Context): number {
  const { weightVariances, biasVariances, width } = ctx.options;
  return weightVariances.length * biasVariances.length * pointCost(width);
}

export async function chaosExperiment(ctx: Context): Promise<NonNullable<SuiteResults['chaos']>> {
  const { weightVariances, biasVariances, width, seed } = ctx.options;
  const points: ChaosPoint[] = [];
  for (const sb2 of biasVariances) {
    for (const sw2 of weightVariances) {
      points.push(await chaosPoint(sw2, sb2, CHAOS_DEPTH, width, seed));
      await ctx.advance(`chaos: sigma_w^2 ${sw2}, sigma_b^2 ${sb2}`, pointCost(width));
    }
  }
  const lineSb2 = [...new Set([0, ...biasVariances])].sort((a, b) => a - b);
  const criticalLine = lineSb2.map((sb2) => ({ sb2, sw2: criticalWeightVariance('tanh', sb2) }));
  // Slope of measured against predicted ln chi_1 through the origin-free least squares line.
  const fit = linearFit(points.map((p) => Math.log(p.theory.chi1)), points.map((p) => Math.log(p.measuredChi1)));
  const worst = Math.max(...points.map((p) => Math.abs(Math.log(p.measuredChi1 / p.theory.chi1))));
  const sideOk = points.filter((p) => Math.abs(Math.log(p.theory.chi1)) > 0.1)
    .every((p) => Math.sign(Math.log(p.measuredChi1)) === Math.sign(Math.log(p.theory.chi1)));
  const reproduced = Math.abs(fit.slope - 1) < 0.15 && sideOk ? 'yes' : sideOk ? 'partly' : 'no';
  const result = {
    depth: CHAOS_DEPTH, width, points, criticalLine, slope: fit.slope,
    verdict: {
      reproduced,
      sentence: `${verdictLead(reproduced)} the phase diagram: ` +
        `measured ln chi_1 against the quadrature's has slope ${fit.slope.toFixed(3)} (R² ${fit.r2.toFixed(3)}), the largest gap is a factor ` +
        `${Math.exp(worst).toFixed(2)}, and ${sideOk ? 'every' : 'not every'} net away from the line (|ln chi_1| > 0.1) is on its predicted side of chi_1 = 1.`,
    },
  } satisfies NonNullable<SuiteResults['chaos']>;
  ctx.emit('chaos', result);
  return result;
}
