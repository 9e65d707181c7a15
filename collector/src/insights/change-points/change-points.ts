/**
 * Level shifts in a series (e.g. hourly cost per request, tokens per request, requests per hour):
 * PELT (pelt.ts) with a normal mean-shift cost or a Poisson rate cost (segment-costs.ts), the
 * noise estimated robustly from the series itself (robust-stats.ts: MAD of the standardized
 * first differences, of the rates' square roots for counts), a BIC-like penalty of
 * `penalty` × ln n per change point, a minimum segment length, then adjacent segments whose levels
 * differ by less than `minRelativeChange` merged (a shift too small to matter is no change point).
 * README.md states the method and its defaults.
 */
import { differenceNoise } from './robust-stats.js';
import { pelt } from './pelt.js';
import { segmentCost, usable, type Family } from './segment-costs.js';

export interface ChangePointOptions {
  /** Weight of each point (e.g. its request count; the point is a mean of that many); 0 or absent value: a gap. Default 1 each. */
  weights?: readonly number[];
  /** Penalty per change point, in units of ln n (n = points); default 4. */
  penalty?: number;
  /** Shortest segment, in points; default 3. */
  minSegment?: number;
  /** Smallest |after / before − 1| reported; default 0.1. */
  minRelativeChange?: number;
  /**
   * `normal` (default): each value is a mean of `weights[i]` observations of constant noise.
   * `relative`: the same on the values' logarithms, for noise proportional to the level
   * (tokens per request, cost per request: a shift ×1.5 widens the spread ×1.5); values ≤ 0 are gaps.
   * `poisson`: each value is a rate, a count over an exposure `weights[i]` (requests per hour over
   * the hour's seasonal share); value × weight must be the count.
   */
  family?: Family;
  /** The noise per unit of weight when known (normal: σ; poisson: the dispersion φ); default estimated from the series. */
  noise?: number;
}

export const DEFAULT_CHANGE_POINT_OPTIONS = { penalty: 4, minSegment: 3, minRelativeChange: 0.1 } as const;

export interface Segment {
  /** First point (inclusive) and end (exclusive). */
  start: number;
  end: number;
  /** Weighted mean of the segment. */
  level: number;
  /** Sum of its weights. */
  weight: number;
}

export interface ChangePoint {
  /** The first point at the new level. */
  index: number;
  before: number;
  after: number;
  /** after / before (Infinity from 0). */
  ratio: number;
  /** How far the shift is beyond the noise: |after − before| / σ √(1/w_before + 1/w_after). */
  z: number;
}

export interface ChangePointResult {
  changePoints: ChangePoint[];
  segments: Segment[];
  /** Noise per unit of weight, as used (normal: σ; poisson: φ). */
  noise: number;
}

export function detectChangePoints(values: readonly number[], options: ChangePointOptions = {}): ChangePointResult {
  const weights = options.weights ?? values.map(() => 1);
  if (weights.length !== values.length) throw new RangeError('detectChangePoints: weights and values differ in length');
  const penalty = (options.penalty ?? DEFAULT_CHANGE_POINT_OPTIONS.penalty) * Math.log(Math.max(2, values.length));
  const minSegment = Math.max(1, options.minSegment ?? DEFAULT_CHANGE_POINT_OPTIONS.minSegment);
  const minRelative = options.minRelativeChange ?? DEFAULT_CHANGE_POINT_OPTIONS.minRelativeChange;
  const family = options.family ?? 'normal';
  // `relative`: segments found on the logarithms, levels reported as the values' weighted means.
  const fitted = family === 'relative' ? values.map((v) => (v > 0 ? Math.log(v) : Number.NaN)) : values;
  const costFamily = family === 'relative' ? 'normal' : family;
  const noise = options.noise ?? estimateNoise(costFamily, fitted, weights);
  // A series without noise: any shift is real; a tiny σ keeps the cost finite.
  const sigma = noise > 0 ? noise : Math.max(1e-12, Math.abs(meanOf(values, weights, 0, values.length).level) * 1e-9);
  const cost = segmentCost(costFamily, fitted, weights, family === 'poisson' ? sigma : sigma * sigma);
  const bounds = [0, ...pelt(values.length, cost, penalty, minSegment), values.length];
  let segments = bounds.slice(1).map((end, i) => meanOf(values, weights, bounds[i], end)).filter((s) => s.weight > 0);
  segments = mergeSmallShifts(values, weights, segments, minRelative);
  const changePoints: ChangePoint[] = [];
  for (let i = 1; i < segments.length; i++) {
    const a = segments[i - 1];
    const b = segments[i];
    changePoints.push({
      index: b.start,
      before: a.level,
      after: b.level,
      ratio: a.level === 0 ? (b.level === 0 ? 1 : Infinity) : b.level / a.level,
      z: family === 'relative'
        ? Math.abs(Math.log(b.level / a.level)) / (sigma * Math.sqrt(1 / a.weight + 1 / b.weight))
        : Math.abs(b.level - a.level) / standardError(costFamily, sigma, a, b),
    });
  }
  return { changePoints, segments, noise };
}

/** Normal: σ of one unit of weight (relative: of the logarithms). Poisson: the dispersion φ (≥ 1) from the square roots of the rates, whose variance is φ / 4e. */
function estimateNoise(family: Exclude<Family, 'relative'>, values: readonly number[], weights: readonly number[]): number {
  if (family === 'normal') return differenceNoise(values, weights);
  const roots = values.map((v, i) => (usable(values, weights, i) ? Math.sqrt(Math.max(0, v)) : Number.NaN));
  const sd = differenceNoise(roots, weights.map((w) => 4 * w));
  return Math.max(1, sd * sd);
}

function standardError(family: Exclude<Family, 'relative'>, noise: number, a: Segment, b: Segment): number {
  if (family === 'normal') return noise * Math.sqrt(1 / a.weight + 1 / b.weight);
  return Math.sqrt(noise * (a.level / a.weight + b.level / b.weight)) || Number.MIN_VALUE;
}

function meanOf(values: readonly number[], weights: readonly number[], start: number, end: number): Segment {
  let w = 0;
  let wx = 0;
  for (let i = start; i < end; i++) {
    if (!usable(values, weights, i)) continue;
    w += weights[i];
    wx += weights[i] * values[i];
  }
  return { start, end, level: w > 0 ? wx / w : 0, weight: w };
}

/** Merges the adjacent pair with the smallest relative difference until every pair differs by ≥ `minRelative`. */
function mergeSmallShifts(values: readonly number[], weights: readonly number[], segments: Segment[], minRelative: number): Segment[] {
  const relative = (a: Segment, b: Segment) => Math.abs(b.level - a.level) / Math.max(Math.abs(a.level), Math.abs(b.level), Number.MIN_VALUE);
  const out = [...segments];
  for (;;) {
    let at = -1;
    let smallest = Infinity;
    for (let i = 1; i < out.length; i++) {
      const r = relative(out[i - 1], out[i]);
      if (r < minRelative && r < smallest) {
        smallest = r;
        at = i;
      }
    }
    if (at < 0) return out;
    out.splice(at - 1, 2, meanOf(values, weights, out[at - 1].start, out[at].end));
  }
}
