// detectChangePoints: level shifts found at the right point and size, nothing in stable series
// (seasonal volume, heavy tails, gaps), several shifts apart, and the options' effects.
import { SeededRandom } from '@tokentrace/test';
import { describe, expect, it } from 'vitest';
import { detectChangePoints } from './index.js';

/** Requests per hour with a daily cycle (low at 03:00, high at 15:00) and half on weekends. */
function volume(hours: number, perHour: number): number[] {
  return Array.from({ length: hours }, (_, h) => {
    const hour = h % 24;
    const weekend = Math.floor(h / 24) % 7 >= 5;
    return Math.max(1, Math.round(perHour * (0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24))) * (weekend ? 0.5 : 1)));
  });
}

/** Hourly means of `weights[h]` log-normal requests around `level(h)`. */
function hourlyMeans(rand: SeededRandom, weights: number[], level: (h: number) => number, sigma = 0.35): number[] {
  return weights.map((n, h) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += level(h) * rand.logNormalFactor(sigma);
    return sum / n;
  });
}

describe('detectChangePoints', () => {
  it('finds a level shift within one hour (three at ≤ 10 requests an hour) and 10 % of its size, on seasonal volume', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = new SeededRandom(seed);
      const weights = volume(216, 30);
      const shiftAt = 100 + seed * 3;
      const values = hourlyMeans(rand, weights, (h) => (h >= shiftAt ? 1.5 * 512 : 512));
      const { changePoints } = detectChangePoints(values, { weights, family: 'relative' });
      expect(changePoints, `seed ${seed}`).toHaveLength(1);
      // Where the change happens at night on a weekend (5 requests an hour) the hour is less sure.
      const sparse = Math.min(weights[shiftAt - 1], weights[shiftAt]) <= 10;
      expect(Math.abs(changePoints[0].index - shiftAt), `seed ${seed}`).toBeLessThanOrEqual(sparse ? 3 : 1);
      expect(changePoints[0].ratio / 1.5).toBeGreaterThan(0.9);
      expect(changePoints[0].ratio / 1.5).toBeLessThan(1.1);
      expect(changePoints[0].before / 512).toBeCloseTo(1, 1);
    }
  });

  it('finds nothing in 30 days of stable hourly means with seasonal volume, over many seeds', () => {
    let found = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rand = new SeededRandom(seed);
      const weights = volume(720, seed % 2 === 0 ? 3 : 40);
      found += detectChangePoints(hourlyMeans(rand, weights, () => 1000), { weights, family: seed % 4 < 2 ? 'relative' : 'normal' }).changePoints.length;
    }
    expect(found).toBe(0);
  });

  it('finds nothing in seasonally adjusted Poisson counts, and finds a 20× surge in them', () => {
    const rand = new SeededRandom(3);
    const profile = volume(720, 100).map((v) => v / 100);
    const stable = profile.map((p) => rand.poisson(5 * p) / p);
    expect(detectChangePoints(stable, { weights: profile, family: 'poisson' }).changePoints).toEqual([]);
    const surge = profile.map((p, h) => rand.poisson((h >= 400 ? 100 : 5) * p) / p);
    const { changePoints } = detectChangePoints(surge, { weights: profile, family: 'poisson' });
    expect(changePoints).toHaveLength(1);
    expect(Math.abs(changePoints[0].index - 400)).toBeLessThanOrEqual(1);
    expect(changePoints[0].ratio / 20).toBeGreaterThan(0.9);
    expect(changePoints[0].ratio / 20).toBeLessThan(1.1);
  });

  it('skips gaps (weight 0) and finds two shifts apart', () => {
    const rand = new SeededRandom(9);
    const weights = volume(300, 20).map((w, h) => (h % 24 < 4 ? 0 : w));
    const values = hourlyMeans(rand, weights, (h) => (h < 80 ? 100 : h < 200 ? 160 : 90)).map((v, h) => (weights[h] === 0 ? Number.NaN : v));
    const { changePoints } = detectChangePoints(values, { weights, family: 'relative' });
    expect(changePoints).toHaveLength(2);
    expect(Math.abs(changePoints[0].index - 80)).toBeLessThanOrEqual(4);
    expect(Math.abs(changePoints[1].index - 200)).toBeLessThanOrEqual(4);
    expect(changePoints[0].ratio / 1.6).toBeCloseTo(1, 1);
    expect(changePoints[1].ratio / (90 / 160)).toBeCloseTo(1, 1);
  });

  it('does not report shifts smaller than minRelativeChange, and reports them below it', () => {
    const rand = new SeededRandom(4);
    const weights = volume(240, 400);
    const values = hourlyMeans(rand, weights, (h) => (h >= 120 ? 1.05 : 1));
    expect(detectChangePoints(values, { weights }).changePoints).toEqual([]);
    const small = detectChangePoints(values, { weights, minRelativeChange: 0.02 }).changePoints;
    expect(small).toHaveLength(1);
    expect(small[0].ratio).toBeCloseTo(1.05, 2);
  });

  it('gives no change point for a constant or too short series, and rejects mismatched weights', () => {
    expect(detectChangePoints(Array(50).fill(3)).changePoints).toEqual([]);
    expect(detectChangePoints([1, 2]).changePoints).toEqual([]);
    expect(detectChangePoints([...Array(10).fill(1), ...Array(10).fill(2)]).changePoints).toEqual([expect.objectContaining({ index: 10, before: 1, after: 2, ratio: 2 })]);
    expect(() => detectChangePoints([1, 2, 3], { weights: [1] })).toThrow(RangeError);
  });
});
