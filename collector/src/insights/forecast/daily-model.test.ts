/**
 * The daily model and the period forecast on synthetic series with known truth: weekday pattern
 * and trend recovered, honest intervals when data is short or sparse, budget run-out days, and a
 * backtest on a seasonal series whose 80 % intervals hold the truth at least 80 % of the days.
 */
import { describe, expect, it } from 'vitest';
import { backtest } from './backtest.js';
import { DAY_MS, fitDailyModel } from './daily-model.js';
import { forecastGroup } from './period-forecast.js';
import { OFFICE_WEEK, syntheticSeries } from './testing/synthetic-series.js';

const DEC_1 = Date.UTC(2026, 11, 1) / DAY_MS;
const geometricMean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const width80 = (f: ReturnType<typeof forecastGroup>) => (f.current.interval80.highUsd - f.current.interval80.lowUsd) / f.current.forecastUsd;

describe('daily model', () => {
  it('recovers the weekday pattern of eight weeks of spend', () => {
    const s = syntheticSeries({ startDay: DEC_1 - 56, days: 56, level: 100, weekdayFactors: OFFICE_WEEK, noise: 0.05, seed: 2 });
    const model = fitDailyModel(s.costs, DEC_1 - 1);
    expect(model.kind).toBe('log-linear');
    expect(model.weekly).toBe(true);
    const truth = OFFICE_WEEK.map((f) => f / geometricMean(OFFICE_WEEK));
    model.weekdayFactors.forEach((f, k) => expect(Math.abs(f / truth[k] - 1), `weekday ${k}: ${f} vs ${truth[k]}`).toBeLessThan(0.08));
    expect(Math.abs(model.trendPerDay)).toBeLessThan(0.003);
    expect(model.notes).toEqual([]);
  });

  it('recovers a growth of 1 % a day and forecasts the month with it', () => {
    const s = syntheticSeries({ startDay: DEC_1 - 56, days: 56 + 31, level: 100, growthPerDay: 0.01, weekdayFactors: OFFICE_WEEK, noise: 0.05, seed: 3 });
    const model = fitDailyModel(s.costs.slice(0, 56), DEC_1 - 1);
    expect(model.trendPerDay).toBeGreaterThan(0.007);
    expect(model.trendPerDay).toBeLessThan(0.013);
    const truth = s.costs.slice(56).reduce((a, b) => a + b, 0);
    const f = forecastGroup({ startDay: s.startDay, costs: s.costs.slice(0, 56) }, { nowMs: DEC_1 * DAY_MS, billingDay: 1 });
    expect(f.current.interval80.lowUsd).toBeLessThan(truth);
    expect(f.current.interval80.highUsd).toBeGreaterThan(truth);
    expect(Math.abs(f.current.forecastUsd / truth - 1)).toBeLessThan(0.08);
    // A flat series' forecast would be ≈ 31 × the last level; growth lifts it above that.
    const flat = syntheticSeries({ startDay: DEC_1 - 56, days: 56, level: 100 * 1.01 ** 55, weekdayFactors: OFFICE_WEEK, noise: 0.05, seed: 3 });
    expect(f.current.forecastUsd).toBeGreaterThan(forecastGroup(flat, { nowMs: DEC_1 * DAY_MS, billingDay: 1 }).current.forecastUsd * 1.05);
  });

  it('says when there is little data, and its interval is wide', () => {
    const long = syntheticSeries({ startDay: DEC_1 - 56, days: 56 + 9, level: 100, weekdayFactors: OFFICE_WEEK, noise: 0.1, seed: 4 });
    const short = { startDay: DEC_1 + 6, costs: long.costs.slice(-3) };
    const options = { nowMs: (DEC_1 + 9) * DAY_MS, billingDay: 1 };
    const shortForecast = forecastGroup(short, options);
    const longForecast = forecastGroup(long, options);
    expect(shortForecast.notes.join(' ')).toMatch(/only 3 complete days of history/);
    expect(shortForecast.model.historyDays).toBe(3);
    expect(longForecast.notes).toEqual([]);
    expect(width80(longForecast)).toBeLessThan(0.2);
    expect(width80(shortForecast)).toBeGreaterThan(2 * width80(longForecast));
    expect(shortForecast.current.interval95.highUsd - shortForecast.current.interval95.lowUsd).toBeGreaterThan(shortForecast.current.interval80.highUsd - shortForecast.current.interval80.lowUsd);
    const week = forecastGroup({ startDay: DEC_1 - 1, costs: long.costs.slice(-11) }, options);
    expect(week.notes.join(' ')).toMatch(/10 days of history: weekday pattern and trend not estimated until 14 days/);
  });

  it('resamples a series with spend on few days, and says so', () => {
    const costs = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 50 : 0));
    const f = forecastGroup({ startDay: DEC_1 - 30, costs }, { nowMs: (DEC_1 + 10) * DAY_MS, billingDay: 1 });
    expect(f.model.kind).toBe('sparse');
    expect(f.notes.join(' ')).toMatch(/spend on \d+ of the last \d+ days only/);
    // ≈ 50 every third day: 21 days left ≈ $350 more on top of what was spent.
    expect(f.current.forecastUsd - f.current.spentUsd).toBeGreaterThan(200);
    expect(f.current.forecastUsd - f.current.spentUsd).toBeLessThan(550);
  });

  it('forecasts nothing without spend, and extrapolates today alone when that is all there is', () => {
    const none = forecastGroup({ startDay: DEC_1 - 56, costs: [] }, { nowMs: (DEC_1 + 5) * DAY_MS, billingDay: 1 });
    expect(none.current.forecastUsd).toBe(0);
    expect(none.next.interval95.highUsd).toBe(0);
    expect(none.notes).toEqual(['no spend recorded before today']);
    const today = DEC_1 + 5;
    const first = forecastGroup({ startDay: today, costs: [50] }, { nowMs: today * DAY_MS + DAY_MS / 2, billingDay: 1 });
    expect(first.notes.join(' ')).toMatch(/extrapolated from today's spend/);
    expect(first.current.spentUsd).toBe(50);
    // ≈ $100 a day for the remaining 25.5 days, with a wide interval.
    expect(first.current.forecastUsd).toBeGreaterThan(1500);
    expect(first.current.forecastUsd).toBeLessThan(4500);
    expect(width80(first)).toBeGreaterThan(0.5);
  });
});

describe('period forecast', () => {
  it('adds the spend so far and the forecast of the remaining days, for this period and the next', () => {
    const s = { startDay: DEC_1 - 56, costs: new Array<number>(56 + 10).fill(100) };
    s.costs[56 + 9] = 40; // today so far (Dec 10, at 06:00)
    const f = forecastGroup(s, { nowMs: (DEC_1 + 9) * DAY_MS + DAY_MS / 4, billingDay: 1 });
    expect(f.current).toMatchObject({ start: '2026-12-01', end: '2027-01-01', spentUsd: 940, daysElapsed: 10, days: 31 });
    expect(f.next).toMatchObject({ start: '2027-01-01', end: '2027-02-01' });
    // 940 + ¾ of today + 21 days at ≈ 100.
    expect(f.current.forecastUsd).toBeGreaterThan(940 + 75 + 2100 - 150);
    expect(f.current.forecastUsd).toBeLessThan(940 + 75 + 2100 + 150);
    expect(f.next.forecastUsd).toBeGreaterThan(2800);
    expect(f.next.forecastUsd).toBeLessThan(3400);
    expect(f.current.interval80.lowUsd).toBeLessThanOrEqual(f.current.forecastUsd);
    expect(f.current.interval95.lowUsd).toBeLessThanOrEqual(f.current.interval80.lowUsd);
    expect(f.current.interval95.highUsd).toBeGreaterThanOrEqual(f.current.interval80.highUsd);
    expect(f.model.dailyRunRateUsd).toBeGreaterThan(90);
    expect(f.model.dailyRunRateUsd).toBeLessThan(110);
  });

  it('periods start on the billing day', () => {
    const s = { startDay: DEC_1 - 56, costs: new Array<number>(61).fill(100) };
    const f = forecastGroup(s, { nowMs: (DEC_1 + 5) * DAY_MS, billingDay: 15 });
    expect(f.current).toMatchObject({ start: '2026-11-15', end: '2026-12-15', spentUsd: 2100, daysElapsed: 22, days: 30 });
    expect(f.next).toMatchObject({ start: '2026-12-15', end: '2027-01-15' });
  });

  it('says on which day the budget runs out at this rate, or when it already did', () => {
    const s = syntheticSeries({ startDay: DEC_1 - 56, days: 56 + 9, level: 100, noise: 0.03, seed: 5 });
    const f = forecastGroup(s, { nowMs: (DEC_1 + 9) * DAY_MS, billingDay: 1, budgetUsd: 2000 });
    // ≈ 900 spent on Dec 1–9, 100 a day after: 2000 reached on Dec 20.
    expect(['2026-12-19', '2026-12-20', '2026-12-21']).toContain(f.budget?.runsOutOn);
    expect(f.budget).toMatchObject({ budgetUsd: 2000, projectedToExceed: true, exhaustedOn: null });
    expect(f.budget!.exceedProbability).toBeGreaterThan(0.99);
    const ample = forecastGroup(s, { nowMs: (DEC_1 + 9) * DAY_MS, billingDay: 1, budgetUsd: 10_000 });
    expect(ample.budget).toMatchObject({ runsOutOn: null, projectedToExceed: false, exceedProbability: 0 });
    const spent = forecastGroup(s, { nowMs: (DEC_1 + 9) * DAY_MS, billingDay: 1, budgetUsd: 450 });
    expect(['2026-12-04', '2026-12-05', '2026-12-06']).toContain(spent.budget?.exhaustedOn);
    expect(spent.budget?.runsOutOn).toBe(spent.budget?.exhaustedOn);
  });

  it('gives the same answer for the same data (seeded simulation)', () => {
    const s = syntheticSeries({ startDay: DEC_1 - 56, days: 60, level: 100, weekdayFactors: OFFICE_WEEK, seed: 6 });
    const options = { nowMs: (DEC_1 + 4) * DAY_MS, billingDay: 1 };
    expect(forecastGroup(s, options)).toEqual(forecastGroup(s, options));
  });
});

describe('backtest', () => {
  it('the 80 % interval holds the month-end truth on at least 80 % of days of seasonal, noisy, growing spend', () => {
    const s = syntheticSeries({ startDay: Date.UTC(2026, 6, 1) / DAY_MS, days: 153, level: 100, growthPerDay: 0.005, weekdayFactors: OFFICE_WEEK, noise: 0.15, seed: 7 });
    const result = backtest(s, { billingDay: 1, paths: 1000 });
    console.log(`synthetic backtest (5 months, noise 15 %, +0.5 %/day): days=${result.days} coverage_80=${result.coverage80.toFixed(3)} coverage_95=${result.coverage95.toFixed(3)} mape=${(result.mape * 100).toFixed(2)} %`);
    expect(result.periods).toBe(5);
    expect(result.days).toBe(153 - 5);
    expect(result.coverage80).toBeGreaterThanOrEqual(0.8);
    expect(result.coverage95).toBeGreaterThanOrEqual(result.coverage80);
    expect(result.mape).toBeLessThan(0.08);
  });
});
