/**
 * Weighted robust linear regression (Huber M-estimator by iteratively reweighted least squares,
 * Huber 1964; tuning constant 1.345 gives 95 % efficiency under normal errors), with the
 * coefficients' covariance for the forecast's parameter uncertainty. The prior weights carry the
 * recency decay of the daily model; a ridge term keeps a nearly singular design (few days, one
 * weekday missing) solvable. Plain TypeScript: the systems are at most 8 × 8.
 */
export interface RegressionFit {
  beta: number[];
  /** Covariance of `beta` (scale² × (XᵀWX)⁻¹ with the final weights). */
  covariance: number[][];
  /** y − Xβ for every row. */
  residuals: number[];
  /** Robust residual scale: 1.4826 × the weighted median absolute residual. */
  scale: number;
}

const HUBER_K = 1.345;
const ITERATIONS = 20;

export function robustRegression(x: number[][], y: number[], priorWeights: number[], ridge = 1e-6): RegressionFit {
  const p = x[0]?.length ?? 0;
  let weights = [...priorWeights];
  let beta = new Array<number>(p).fill(0);
  let scale = 0;
  let inverse: number[][] = [];
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const solved = weightedLeastSquares(x, y, weights, ridge);
    const change = solved.beta.reduce((m, b, j) => Math.max(m, Math.abs(b - beta[j])), 0);
    beta = solved.beta;
    inverse = solved.inverse;
    const residuals = y.map((v, i) => v - dot(x[i], beta));
    scale = robustScale(residuals, priorWeights);
    if (scale <= 1e-12) break;
    weights = residuals.map((r, i) => priorWeights[i] * Math.min(1, (HUBER_K * scale) / Math.max(Math.abs(r), 1e-12)));
    if (change < 1e-9) break;
  }
  const residuals = y.map((v, i) => v - dot(x[i], beta));
  // Effective sample size of the weights: the covariance grows when few recent days dominate.
  const sum = priorWeights.reduce((a, b) => a + b, 0);
  const effective = (sum * sum) / priorWeights.reduce((a, b) => a + b * b, 0);
  const dof = Math.max(1, effective - p);
  const s2 = Math.max(scale, 1e-6) ** 2 * (effective / dof);
  // (XᵀWX)⁻¹ with weights normalised to sum to the effective sample size.
  const norm = sum / effective;
  const covariance = inverse.map((row) => row.map((v) => v * s2 * norm));
  return { beta, covariance, residuals, scale: scale };
}

/** 1.4826 × weighted median of |r|: the normal-consistent MAD about zero. */
export function robustScale(residuals: number[], weights: number[]): number {
  return 1.4826 * weightedMedian(residuals.map(Math.abs), weights);
}

export function weightedMedian(values: number[], weights: number[]): number {
  const order = values.map((v, i) => [v, weights[i]] as const).sort((a, b) => a[0] - b[0]);
  const total = order.reduce((a, [, w]) => a + w, 0);
  let running = 0;
  for (const [v, w] of order) {
    running += w;
    if (running >= total / 2) return v;
  }
  return order.at(-1)?.[0] ?? 0;
}

function weightedLeastSquares(x: number[][], y: number[], w: number[], ridge: number): { beta: number[]; inverse: number[][] } {
  const p = x[0].length;
  const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  for (let i = 0; i < y.length; i++) {
    const row = x[i];
    for (let j = 0; j < p; j++) {
      b[j] += w[i] * row[j] * y[i];
      for (let k = 0; k < p; k++) a[j][k] += w[i] * row[j] * row[k];
    }
  }
  for (let j = 0; j < p; j++) a[j][j] += ridge;
  const inverse = invertSymmetric(a);
  return { beta: inverse.map((row) => dot(row, b)), inverse };
}

/** Inverse of a symmetric positive-definite matrix (Gauss–Jordan with partial pivoting). */
export function invertSymmetric(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const d = a[col][col] || 1e-12;
    for (let k = 0; k < 2 * n; k++) a[col][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f !== 0) for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[col][k];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Lower-triangular L with L Lᵀ = m (jitter on the diagonal for a semi-definite m). */
export function cholesky(m: number[][]): number[][] {
  const n = m.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j][j];
    }
  }
  return l;
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
