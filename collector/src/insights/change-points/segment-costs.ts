/**
 * Segment costs for PELT, each −2 × the log-likelihood of the segment under its own level, in
 * units of the noise, from prefix sums (O(1) per segment):
 * - `normal`: point i is a mean of w_i observations of variance σ²; cost Σ w_i (x_i − x̄_w)² / σ².
 *   For tokens per request, cost per request (w = requests of the hour).
 * - `poisson`: point i is a rate, c_i / e_i, of a count c_i over exposure e_i (e.g. requests of an
 *   hour over the hour's seasonal share); cost 2 (C − C ln(C / E)) / φ with C, E the segment's
 *   sums and φ the dispersion (1 for a pure Poisson count). A rate's variance grows with its
 *   level, so a surge does not look like many shifts, as it would under one σ.
 * Points of weight 0 or a non-finite value (gaps) cost nothing.
 */
import type { SegmentCost } from './pelt.js';

export type Family = 'normal' | 'relative' | 'poisson';

function prefix(n: number, f: (i: number) => number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) out[i + 1] = out[i] + f(i);
  return out;
}

export function usable(values: readonly number[], weights: readonly number[], i: number): boolean {
  return weights[i] > 0 && Number.isFinite(values[i]);
}

export function segmentCost(family: Exclude<Family, 'relative'>, values: readonly number[], weights: readonly number[], scale: number): SegmentCost {
  const n = values.length;
  const w = prefix(n, (i) => (usable(values, weights, i) ? weights[i] : 0));
  const wx = prefix(n, (i) => (usable(values, weights, i) ? weights[i] * values[i] : 0));
  if (family === 'poisson') {
    return (s, t) => {
      const e = w[t] - w[s];
      const c = wx[t] - wx[s];
      if (e <= 0 || c <= 0) return 0;
      return (2 * (c - c * Math.log(c / e))) / scale;
    };
  }
  const wx2 = prefix(n, (i) => (usable(values, weights, i) ? weights[i] * values[i] * values[i] : 0));
  return (s, t) => {
    const sw = w[t] - w[s];
    if (sw <= 0) return 0;
    const swx = wx[t] - wx[s];
    return Math.max(0, wx2[t] - wx2[s] - (swx * swx) / sw) / scale;
  };
}
