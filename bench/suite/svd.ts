// Singular values of a small dense matrix in float64, by one-sided Jacobi (Hestenes): plane
// rotations orthogonalize the columns pairwise until every pair is orthogonal to working
// precision; the column norms are then the singular values. Slower than Golub-Kahan but short
// and accurate to full relative precision even for the tiny singular values of a deep
// Gaussian product, which the Jacobian spectra need.

/** Singular values, descending, of the row-major [rows, cols] matrix `a` (float32 or float64). */
export function singularValues(a: ArrayLike<number>, rows: number, cols: number): number[] {
  // Work on columns as contiguous arrays.
  const col = Array.from({ length: cols }, (_, j) => Float64Array.from({ length: rows }, (_, i) => a[i * cols + j]));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        const x = col[p], y = col[q];
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < rows; i++) {
          alpha += x[i] * x[i];
          beta += y[i] * y[i];
          gamma += x[i] * y[i];
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const xi = x[i];
          x[i] = c * xi - s * y[i];
          y[i] = s * xi + c * y[i];
        }
      }
    }
    if (!rotated) break;
  }
  return col.map((v) => Math.hypot(...v)).sort((u, v) => v - u);
}
