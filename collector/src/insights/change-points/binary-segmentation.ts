/**
 * Binary segmentation (Scott & Knott 1974; Killick, Fearnhead & Eckley 2012 §2 compare it with
 * PELT): the split of a segment that lowers its cost most is kept when the gain exceeds the
 * penalty β, and each half is split again in turn. O(n log n) with prefix-sum costs: 30 days of
 * hours, for every top series of every dimension, take milliseconds, where PELT (exact, but
 * quadratic when a series has no change, the common case) took seconds. For one shift it finds
 * the same point as an exact search; for several it may place them slightly differently.
 */

/** cost(s, t): the cost of points [s, t). */
export type SegmentCost = (s: number, t: number) => number;

/** The first index of each segment after the first. */
export function binarySegmentation(n: number, cost: SegmentCost, penalty: number, minSegment: number): number[] {
  const changes: number[] = [];
  const pending: Array<[number, number]> = [[0, n]];
  while (pending.length > 0) {
    const [s, t] = pending.pop()!;
    if (t - s < 2 * minSegment) continue;
    const whole = cost(s, t);
    let best = -Infinity;
    let at = -1;
    for (let k = s + minSegment; k <= t - minSegment; k++) {
      const gain = whole - cost(s, k) - cost(k, t);
      if (gain > best) {
        best = gain;
        at = k;
      }
    }
    if (at < 0 || best <= penalty) continue;
    changes.push(at);
    pending.push([s, at], [at, t]);
  }
  return changes.sort((a, b) => a - b);
}
