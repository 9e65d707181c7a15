// isAnomalous: robust to past outliers, no alarm within the normal spread or on little history,
// alarms on a real move, in the direction asked for.
import { SeededRandom } from '@tokentrace/test';
import { describe, expect, it } from 'vitest';
import { isAnomalous } from './index.js';

const series = (seed: number, n: number, level: number, sd: number) => {
  const rand = new SeededRandom(seed);
  return Array.from({ length: n }, () => level + sd * rand.normal());
};

describe('isAnomalous', () => {
  it('flags a move of the recent values away from the history, with its size', () => {
    const history = series(1, 168, 500, 25);
    const result = isAnomalous(series(2, 3, 700, 25), history);
    expect(result.anomalous).toBe(true);
    expect(result.normal).toBeCloseTo(500, -1);
    expect(result.relativeChange).toBeGreaterThan(0.3);
    expect(result.relativeChange).toBeLessThan(0.5);
    expect(result.z).toBeGreaterThan(4);
  });

  it('does not flag values within the normal spread, over many draws', () => {
    let alarms = 0;
    for (let seed = 1; seed <= 200; seed++) if (isAnomalous(series(seed + 1000, 1, 500, 25), series(seed, 168, 500, 25)).anomalous) alarms++;
    expect(alarms).toBe(0);
  });

  it('keeps its normal range when the history holds outliers (an old incident)', () => {
    const history = series(3, 168, 500, 25);
    for (let i = 50; i < 60; i++) history[i] = 5000;
    expect(isAnomalous([650], history).anomalous).toBe(true);
    expect(isAnomalous([520], history).anomalous).toBe(false);
  });

  it('ignores tiny relative moves of a tight metric, short histories, and the other direction', () => {
    const tight = series(4, 168, 1000, 1);
    expect(isAnomalous([1020], tight).anomalous).toBe(false);
    expect(isAnomalous([1020], tight, { minRelativeChange: 0.01 }).anomalous).toBe(true);
    expect(isAnomalous([2000], tight.slice(0, 5)).anomalous).toBe(false);
    expect(isAnomalous([2000], tight, { direction: 'down' }).anomalous).toBe(false);
    expect(isAnomalous([500], tight, { direction: 'down' }).anomalous).toBe(true);
  });

  it('handles a mostly-zero history (error counts)', () => {
    const history = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    expect(isAnomalous([0], history).anomalous).toBe(false);
    expect(isAnomalous([30, 25, 40], history).anomalous).toBe(true);
  });
});
