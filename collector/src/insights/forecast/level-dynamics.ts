/**
 * How the level of the daily model (daily-model.ts) moves: recent level shifts (steps), a random
 * walk whose daily sd is estimated from the residuals, and where that walk stands at the last day.
 */
import { robustRegression, weightedMedian, type RegressionFit } from './robust-regression.js';

/** Weekday effects and trend (daily-model.ts) need two of each weekday. */
export const SEASONAL_MIN_DAYS = 14;
/** Minimum daily sd of the level's random walk, on the log scale (≈ 2 % a day). */
const MIN_LEVEL_DRIFT = 0.02;
/** Level shifts are looked for in the last two weeks, at least two days after they happened. */
const SHIFT_WINDOW_DAYS = 14;
const SHIFT_MIN_DAYS = 2;
const SHIFT_T = 6;
const MAX_SHIFTS = 2;
/** Residual scale with the steps, relative to without, below which they are kept. */
export const SHIFT_SCALE_GAIN = 0.7;

/**
 * Recent level shifts (a feature moved to a pricier model, a user's volume jumped): step
 * regressors "day ≥ c" (c from 14 to 2 days back) added greedily, up to MAX_SHIFTS, each kept when
 * its t-statistic exceeds SHIFT_T (conservative: stable traffic must not see steps); the steps
 * take the trend's place (both free, they trade off). Without them the robust fit would treat the
 * first days at a new level as outliers for weeks.
 */
export function levelShifts(x: number[][], y: number[], weights: number[]): { fit: RegressionFit; shifts: Array<{ at: number; ratio: number }> } | undefined {
  const n = y.length;
  const base = x.map((row) => [row[0], ...row.slice(2)]);
  const shifts: Array<{ at: number; ratio: number }> = [];
  let found: RegressionFit | undefined;
  while (shifts.length < MAX_SHIFTS) {
    let best: { fit: RegressionFit; at: number; t: number } | undefined;
    const after = shifts.length > 0 ? shifts[shifts.length - 1].at + SHIFT_MIN_DAYS : 0;
    for (let at = Math.max(7, after, n - SHIFT_WINDOW_DAYS); at <= n - SHIFT_MIN_DAYS; at++) {
      const fit = robustRegression(base.map((row, i) => [...row, ...shifts.map((s) => (i >= s.at ? 1 : 0)), i >= at ? 1 : 0]), y, weights);
      const last = fit.beta.length - 1;
      const t = Math.abs(fit.beta[last]) / Math.sqrt(Math.max(fit.covariance[last][last], 1e-12));
      if (t > SHIFT_T && (!best || t > best.t)) best = { fit, at, t };
    }
    if (!best) break;
    shifts.push({ at: best.at, ratio: Math.exp(best.fit.beta[best.fit.beta.length - 1]) });
    found = best.fit;
  }
  return found ? { fit: withTrendSlot(found), shifts } : undefined;
}

/** A fit without the trend column, its coefficients and covariance laid out as with it (trend 0). */
function withTrendSlot(fit: RegressionFit): RegressionFit {
  const insert = <T>(xs: T[], value: T) => [xs[0], value, ...xs.slice(1)];
  const covariance = insert(fit.covariance.map((row) => insert(row, 0)), new Array<number>(fit.beta.length + 1).fill(0));
  return { ...fit, beta: insert(fit.beta, 0), covariance };
}

/**
 * Daily sd of the level's random walk: the spread of the differences between consecutive weekly
 * means of the residuals beyond what daily noise explains (Var(mean of 7) = σ²/7), per day.
 */
export function levelDrift(residuals: number[], weights: number[], scale: number, n: number): number {
  const weeks: number[] = [];
  for (let end = residuals.length; end - 7 >= 0; end -= 7) weeks.push(residuals.slice(end - 7, end).reduce((a, b) => a + b, 0) / 7);
  if (weeks.length < 3) return n < SEASONAL_MIN_DAYS ? Math.max(MIN_LEVEL_DRIFT, scale / Math.sqrt(7 * Math.max(n, 1))) : MIN_LEVEL_DRIFT;
  const diffs = weeks.slice(1).map((m, i) => m - weeks[i]);
  const squared = diffs.map((d) => d * d);
  // Robust: the weighted median of squared differences, scaled to a mean (χ²₁ median ≈ 0.455).
  const variance = weightedMedian(squared, diffs.map((_, i) => weights[Math.max(0, weights.length - 1 - 7 * i)] ?? 1)) / 0.455;
  const perDay = Math.max(0, variance / 2 - (scale * scale) / 7) / 7;
  return Math.max(MIN_LEVEL_DRIFT, Math.sqrt(perDay));
}

/**
 * The local level at the last day: the residuals run through the steady-state Kalman filter of a
 * random walk (daily sd `drift`) observed with noise (sd `scale`), i.e. exponential smoothing with
 * gain K = P / (P + σ²), P = (q + √(q² + 4qσ²)) / 2. Residuals are clipped at 3σ so one odd day
 * does not move the level. A level shift a week old is then mostly in the forecast, where the
 * regression alone (recency-weighted, robust) would still treat it as outliers.
 */
export function filteredLevel(residuals: number[], drift: number, scale: number): number {
  const q = drift * drift;
  const s2 = Math.max(scale, 1e-6) ** 2;
  const p = (q + Math.sqrt(q * q + 4 * q * s2)) / 2;
  const gain = p / (p + s2);
  let level = 0;
  for (const r of residuals) level += gain * (Math.max(-3 * scale, Math.min(3 * scale, r)) - level);
  return level;
}
