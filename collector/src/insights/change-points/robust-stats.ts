/**
 * Robust statistics for the detector: the median, the median absolute deviation (MAD) scaled to
 * estimate a normal standard deviation (× 1.4826), and the noise of a weighted series estimated
 * from its first differences, which a level shift moves only once.
 */

/** The median of the finite values; NaN when there is none. */
export function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** 1 / Φ⁻¹(3/4): makes the MAD of normal data an estimate of its standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

/** The MAD × 1.4826 (a standard deviation for normal data); 0 when half the values are equal. */
export function robustScale(values: readonly number[]): number {
  const m = median(values);
  return MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - m)));
}

/**
 * The noise σ of one unit of weight in a series whose point i has variance σ² / w_i (e.g. the
 * mean of w_i requests): the robust scale of the standardized differences of consecutive points
 * with weight, (x_i − x_j) / √(1/w_i + 1/w_j), each of variance σ² where the level does not move.
 * Falls back on the mean absolute difference (× √(π/2)) when more than half the differences are
 * equal (sparse counts), and on 0 for a constant series.
 */
export function differenceNoise(values: readonly number[], weights: readonly number[]): number {
  const diffs: number[] = [];
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    if (!(weights[i] > 0) || !Number.isFinite(values[i])) continue;
    if (last >= 0) diffs.push((values[i] - values[last]) / Math.sqrt(1 / weights[i] + 1 / weights[last]));
    last = i;
  }
  if (diffs.length === 0) return 0;
  const scale = robustScale(diffs);
  if (scale > 0) return scale;
  return (diffs.reduce((a, d) => a + Math.abs(d), 0) / diffs.length) * Math.sqrt(Math.PI / 2);
}
