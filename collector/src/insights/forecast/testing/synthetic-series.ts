/**
 * Synthetic daily spend with known truth for the model's tests: a level, a daily growth rate,
 * weekday factors and log-normal day-to-day noise, deterministic from a seed.
 */
import { weekdayOf } from '../daily-model.js';
import { seededRandom } from '../seeded-random.js';

export interface SyntheticSeries {
  startDay: number;
  days: number;
  /** Spend of an average day at `startDay`. */
  level: number;
  /** e.g. 0.01 = +1 % a day. */
  growthPerDay?: number;
  /** Sunday first. */
  weekdayFactors?: number[];
  /** sd of log noise. */
  noise?: number;
  seed?: number;
}

/** Weekdays busy, weekends quiet (Sunday first). */
export const OFFICE_WEEK = [0.5, 1.2, 1.25, 1.2, 1.15, 1.1, 0.6];

export function syntheticSeries(s: SyntheticSeries): { startDay: number; costs: number[] } {
  const random = seededRandom(s.seed ?? 1);
  const factors = s.weekdayFactors ?? new Array<number>(7).fill(1);
  const costs: number[] = [];
  for (let i = 0; i < s.days; i++) {
    const day = s.startDay + i;
    costs.push(s.level * (1 + (s.growthPerDay ?? 0)) ** i * factors[weekdayOf(day)] * Math.exp((s.noise ?? 0.1) * random.normal()));
  }
  return { startDay: s.startDay, costs };
}
