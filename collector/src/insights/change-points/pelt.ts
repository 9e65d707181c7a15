/**
 * PELT (Killick, Fearnhead & Eckley 2012, "Optimal detection of changepoints with a linear
 * computational cost", JASA 107:1590): the exact minimum over all segmentations of
 * Σ segment cost + β × (number of change points), pruning every start that can no longer win
 * (their K = 0, valid for costs that do not increase when a segment is split). The segment cost
 * comes from segment-costs.ts.
 */

/** cost(s, t): the cost of points [s, t). */
export type SegmentCost = (s: number, t: number) => number;

/** The first index of each segment after the first, of the optimal segmentation of n points. */
export function pelt(n: number, cost: SegmentCost, penalty: number, minSegment: number): number[] {
  const best = new Float64Array(n + 1);
  const last = new Int32Array(n + 1);
  best[0] = -penalty;
  let candidates: number[] = [0];
  for (let t = minSegment; t <= n; t++) {
    let min = Infinity;
    let arg = 0;
    const totals = candidates.map((s) => (t - s < minSegment ? Infinity : best[s] + cost(s, t) + penalty));
    totals.forEach((v, i) => {
      if (v < min) {
        min = v;
        arg = candidates[i];
      }
    });
    best[t] = min;
    last[t] = arg;
    const kept = candidates.filter((_, i) => totals[i] === Infinity || totals[i] - penalty <= min);
    if (t - minSegment + 1 >= minSegment) kept.push(t - minSegment + 1);
    candidates = kept;
  }
  const changes: number[] = [];
  for (let t = n; t > 0; t = last[t]) if (last[t] > 0) changes.push(last[t]);
  return changes.reverse();
}
