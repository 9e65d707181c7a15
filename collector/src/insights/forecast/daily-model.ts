/**
 * The daily spend model of the forecast (issue 13 §3), fitted to one group's complete UTC days:
 *
 *   log(cost_d + ε) = level + trend · t_d + weekday(d) + u_d + e_d
 *
 * - fitted by Huber robust regression (robust-regression.ts) with recency weights halving every
 *   14 days, so level, trend and weekday effects are local and one odd day does not move them;
 * - the weekday effects (sum-to-zero) and the trend only once there are 14 days of history;
 * - the trend is damped when projected (Gardner & McKenzie's damped trend, φ = 0.99 per day), so
 *   a month ahead is not a straight line of a two-week slope;
 * - u_d is a random-walk level drift whose daily variance is estimated from how much the weekly
 *   means of the residuals wander (level shifts seen in the history), floored at 2 % a day;
 * - e_d are the model's own residuals, resampled (residual bootstrap).
 * `simulate` draws paths of future daily costs: coefficients from their covariance, the level
 * walk, resampled residuals. Sums and quantiles of those paths are the forecast and its intervals
 * (period-forecast.ts).
 *
 * Spend on few days (more than 30 % of days without any) is not log-linear: such a series is
 * forecast by resampling its recent days. Fewer than 7 days of history widen everything
 * (`notes` say so).
 */
import { filteredLevel, levelDrift, levelShifts, SEASONAL_MIN_DAYS, SHIFT_SCALE_GAIN } from './level-dynamics.js';
import { cholesky, dot, robustRegression } from './robust-regression.js';
import type { Random } from './seeded-random.js';

export const DAY_MS = 86_400_000;
/** Days of history the model looks at, at most. */
export const HISTORY_DAYS = 56;
const HALF_LIFE_DAYS = 14;
const SMALL_DATA_DAYS = 7;
const DAMPING = 0.99;
/** Residual scale assumed at least when under a week of history. */
const SMALL_DATA_SCALE = 0.35;
const SPARSE_ZERO_SHARE = 0.3;

export interface DailyModel {
  kind: 'log-linear' | 'sparse' | 'empty';
  /** Complete days the model was fitted on. */
  historyDays: number;
  /** Epoch day (UTC days since 1970-01-01) of the last complete day; horizon 1 is the day after. */
  lastDay: number;
  weekly: boolean;
  trend: boolean;
  /** Recent level shifts found: their steps are in the level from then on (levelShifts()). */
  shifts: number;
  /** Fitted daily growth of spend (e.g. 0.01 = +1 % a day), 0 without trend. */
  trendPerDay: number;
  /** Multiplicative weekday effects, Sunday first (1 = average day); all 1 without weekly terms. */
  weekdayFactors: number[];
  /** Residual scale on the log scale. */
  residualScale: number;
  /** Daily sd of the level's random walk on the log scale. */
  levelDrift: number;
  /** Where the level's random walk stands at the last day (log scale), filtered from the residuals. */
  levelShift: number;
  notes: string[];
  /** Internal state for simulation. */
  beta: number[];
  chol: number[][];
  residuals: number[];
  offset: number;
  /** For `sparse`: the recent daily costs resampled. */
  recent: number[];
}

/** Sunday = 0 for an epoch day (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The design row: intercept, trend (days after lastDay), six sum-to-zero weekday contrasts. */
function designRow(t: number, day: number, weekly: boolean, trend: boolean): number[] {
  const row = [1];
  if (trend) row.push(t);
  if (weekly) {
    const w = weekdayOf(day);
    for (let k = 0; k < 6; k++) row.push(w === k ? 1 : w === 6 ? -1 : 0);
  }
  return row;
}

/**
 * Fits the model to `costs`, the complete days ending at `lastDay` (oldest first). Leading days
 * without spend are not history (the group did not exist yet); at most HISTORY_DAYS are used.
 */
export function fitDailyModel(costs: readonly number[], lastDay: number): DailyModel {
  const first = costs.findIndex((c) => c > 0);
  const history = first < 0 ? [] : costs.slice(Math.max(first, costs.length - HISTORY_DAYS));
  const n = history.length;
  const base = { historyDays: n, lastDay, weekly: false, trend: false, shifts: 0, trendPerDay: 0, weekdayFactors: new Array<number>(7).fill(1), notes: [] as string[], beta: [], chol: [], residuals: [], offset: 0, recent: [] };
  if (n === 0) return { ...base, kind: 'empty', residualScale: 0, levelDrift: 0, levelShift: 0, notes: ['no spend recorded before today'] };
  if (n < SMALL_DATA_DAYS) base.notes.push(`only ${n} complete day${n === 1 ? '' : 's'} of history: a rough extrapolation with a wide interval`);
  else if (n < SEASONAL_MIN_DAYS) base.notes.push(`${n} days of history: weekday pattern and trend not estimated until 14 days`);

  const zeros = history.filter((c) => c <= 0).length;
  if (n >= SMALL_DATA_DAYS && zeros / n > SPARSE_ZERO_SHARE) {
    base.notes.push(`spend on ${n - zeros} of the last ${n} days only: forecast by resampling recent days`);
    return { ...base, kind: 'sparse', residualScale: 0, levelDrift: 0, levelShift: 0, recent: history.slice(-28) };
  }

  const positive = history.filter((c) => c > 0).sort((a, b) => a - b);
  // Keeps days without spend finite on the log scale; small, so weekday ratios are not flattened.
  const offset = 0.01 * positive[Math.floor(positive.length / 2)];
  const weekly = n >= SEASONAL_MIN_DAYS;
  const trend = n >= SEASONAL_MIN_DAYS;
  const days = history.map((_, i) => lastDay - (n - 1 - i));
  const x = days.map((d) => designRow(d - lastDay, d, weekly, trend));
  const y = history.map((c) => Math.log(c + offset));
  const weights = days.map((d) => 0.5 ** ((lastDay - d) / HALF_LIFE_DAYS));
  const plain = robustRegression(x, y, weights);
  // Steps replace the plain fit only when they explain the history clearly better.
  const stepped = weekly && plain.scale > 0.01 ? levelShifts(x, y, weights) : undefined;
  const shifted = stepped && stepped.fit.scale < SHIFT_SCALE_GAIN * plain.scale ? stepped : undefined;
  const fit = shifted?.fit ?? plain;
  for (const shift of shifted?.shifts ?? []) {
    base.notes.push(`spend shifted ${shift.ratio >= 1 ? 'up' : 'down'} ${Math.round(Math.abs(shift.ratio - 1) * 100)} % on ${new Date(days[shift.at] * DAY_MS).toISOString().slice(0, 10)}: forecast at the new level`);
  }
  const residualScale = n < SMALL_DATA_DAYS ? Math.max(fit.scale, SMALL_DATA_SCALE) : Math.max(fit.scale, 0.01);
  const covariance = n < SMALL_DATA_DAYS ? fit.covariance.map((row) => row.map((v) => (v * residualScale ** 2) / Math.max(fit.scale, 1e-6) ** 2)) : fit.covariance;
  const residuals = n < SMALL_DATA_DAYS ? fit.residuals.map((r) => (fit.scale > 0 ? (r * residualScale) / fit.scale : 0)) : fit.residuals;
  if (n < SMALL_DATA_DAYS && fit.scale === 0) residuals.push(residualScale, -residualScale);

  const drift = levelDrift(fit.residuals, weights, residualScale, n);
  const weekdayFactors = new Array<number>(7).fill(1);
  if (weekly) {
    const effects = fit.beta.slice(trend ? 2 : 1, (trend ? 2 : 1) + 6);
    effects.push(-effects.reduce((a, b) => a + b, 0));
    for (let k = 0; k < 7; k++) weekdayFactors[k] = Math.exp(effects[k]);
  }
  return {
    ...base,
    kind: 'log-linear',
    weekly,
    trend,
    shifts: shifted?.shifts.length ?? 0,
    trendPerDay: trend ? Math.exp(fit.beta[1]) - 1 : 0,
    weekdayFactors,
    residualScale,
    levelDrift: drift,
    levelShift: filteredLevel(fit.residuals, drift, residualScale),
    beta: fit.beta,
    chol: cholesky(covariance),
    residuals,
    offset,
  };
}

/**
 * `paths` simulated futures of the daily cost for horizons 1..`days` (day lastDay + h), each a
 * Float64Array of length `days`.
 */
export function simulate(model: DailyModel, days: number, paths: number, random: Random): Float64Array[] {
  // The design rows of the horizons (damped trend: Σ φ^i instead of h), shared by every path.
  const rows: number[][] = [];
  let damped = 0;
  for (let h = 1; h <= days; h++) {
    damped += DAMPING ** h;
    rows.push([...designRow(damped, model.lastDay + h, model.weekly, model.trend), ...new Array<number>(model.shifts).fill(1)]);
  }
  const out: Float64Array[] = [];
  for (let p = 0; p < paths; p++) out.push(model.kind === 'sparse' ? sparsePath(model, days, random) : logLinearPath(model, rows, random));
  return out;
}

function logLinearPath(model: DailyModel, rows: number[][], random: Random): Float64Array {
  const days = rows.length;
  const path = new Float64Array(days);
  if (model.kind === 'empty') return path;
  const z = model.beta.map(() => random.normal());
  const beta = model.beta.map((b, i) => b + dot(model.chol[i], z));
  let level = model.levelShift;
  for (let h = 0; h < days; h++) {
    level += model.levelDrift * random.normal();
    const noise = model.residuals[random.int(model.residuals.length)];
    path[h] = Math.max(0, Math.exp(dot(rows[h], beta) + level + noise) - model.offset);
  }
  return path;
}

function sparsePath(model: DailyModel, days: number, random: Random): Float64Array {
  const path = new Float64Array(days);
  for (let h = 0; h < days; h++) path[h] = model.recent[random.int(model.recent.length)];
  return path;
}
