/**
 * Test-only float64 references of the optimizers' update rules, PyTorch's conventions: SGD
 * v = mu v + (g + wd p), p -= lr (nesterov ? g + wd p + mu v : v) (no dampening; the first step
 * gives v = g + wd p, PyTorch's buf); Adam with decoupled weight decay (AdamW): p -= lr wd p, then
 * moving averages m, v and p -= lr m̂ / (sqrt(v̂) + eps), with bias corrections counting the
 * updates of each parameter. Like the rest of test/reference/, this never calls the library.
 */

/** Updates p in place given its gradient g. */
export type Update = (p: Float64Array, g: Float64Array) => void;

export interface SgdRule { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number }
export interface AdamRule { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

/** A factory of float64 SGD updates, one per parameter: each keeps its own state, as PyTorch does. */
export function sgdRef(o: SgdRule): () => Update {
  return () => {
    let v: Float64Array | null = null;
    return (p, g) => {
      v ??= new Float64Array(p.length); // zeros: the first step gives v = d, PyTorch's buf = d
      for (let i = 0; i < p.length; i++) {
        let d = g[i] + (o.weightDecay ?? 0) * p[i];
        if (o.momentum) {
          v[i] = o.momentum * v[i] + d;
          d = o.nesterov ? d + o.momentum * v[i] : v[i];
        }
        p[i] -= o.lr * d;
      }
    };
  };
}

/** A factory of float64 Adam updates, one per parameter. */
export function adamRef(o: AdamRule): () => Update {
  const { lr = 1e-3, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = o;
  return () => {
    let m: Float64Array | null = null;
    let v: Float64Array | null = null;
    let t = 0; // updates of this parameter
    return (p, g) => {
      m ??= new Float64Array(p.length);
      v ??= new Float64Array(p.length);
      t++;
      for (let i = 0; i < p.length; i++) {
        p[i] -= lr * weightDecay * p[i]; // decoupled (AdamW)
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2;
        p[i] -= lr * (m[i] / (1 - b1 ** t)) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
      }
    };
  };
}
