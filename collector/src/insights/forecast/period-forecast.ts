/**
 * One group's forecast for the current and the next billing period from its daily costs: the
 * daily model (daily-model.ts) fitted on the complete days before today, futures simulated from
 * today to the end of the next period, each future's period totals (spent so far + today's rest +
 * the remaining days), and their median and 80 % / 95 % quantile intervals. With a budget, the
 * day each future crosses it; the median of those days is when it "runs out at this rate".
 *
 * Pure (no I/O, deterministic for a seed): the backtests call it on truncated series.
 */
import { billingPeriodAt, isoDay, nextBillingPeriod, type BillingPeriod } from './billing-period.js';
import { DAY_MS, fitDailyModel, HISTORY_DAYS, simulate, type DailyModel } from './daily-model.js';
import type { BudgetOutlook, GroupForecast, PeriodForecast, SpendInterval } from './forecast-types.js';
import { seededRandom } from './seeded-random.js';

/** Daily costs (USD) of consecutive UTC days from `startDay` up to today (today's partial last). */
export interface DailyCosts {
  startDay: number;
  costs: number[];
}

export interface PeriodForecastOptions {
  nowMs: number;
  billingDay: number;
  budgetUsd?: number;
  /** Simulated futures (default 2000). */
  paths?: number;
  seed?: number;
}

export const DEFAULT_PATHS = 2000;
export const DEFAULT_SEED = 13;

/** The first day a series must start at for `forecastGroup` at `nowMs`. */
export function seriesStartDay(nowMs: number, billingDay: number): number {
  const today = Math.floor(nowMs / DAY_MS);
  return Math.min(billingPeriodAt(nowMs, billingDay).startDay, today - HISTORY_DAYS);
}

export function forecastGroup(series: DailyCosts, options: PeriodForecastOptions): GroupForecast & { budget?: BudgetOutlook } {
  const { nowMs, billingDay } = options;
  const today = Math.floor(nowMs / DAY_MS);
  const elapsed = (nowMs - today * DAY_MS) / DAY_MS;
  const cost = (day: number) => (day >= series.startDay ? (series.costs[day - series.startDay] ?? 0) : 0);
  const current = billingPeriodAt(nowMs, billingDay);
  const next = nextBillingPeriod(current, billingDay);

  const history: number[] = [];
  for (let d = Math.min(series.startDay, today); d < today; d++) history.push(cost(d));
  let model = fitDailyModel(history, today - 1);
  const notes = [...model.notes];
  if (model.kind === 'empty' && cost(today) > 0 && elapsed > 0) {
    // No complete day yet: today's spend so far, scaled to a day, is all there is.
    model = fitDailyModel([cost(today) / Math.max(elapsed, 1 / 24)], today - 1);
    notes.splice(0, notes.length, 'no complete day of history yet: extrapolated from today\'s spend so far, with a wide interval');
  }

  let spent = 0;
  for (let d = current.startDay; d <= today; d++) spent += cost(d);
  const horizon = next.endDay - today;
  const paths = simulate(model, horizon, options.paths ?? DEFAULT_PATHS, seededRandom(options.seed ?? DEFAULT_SEED));
  const currentTotals = new Float64Array(paths.length);
  const nextTotals = new Float64Array(paths.length);
  const crossings = new Float64Array(paths.length);
  const budget = options.budgetUsd;
  let runRate = 0;
  paths.forEach((path, p) => {
    let total = spent;
    crossings[p] = budget !== undefined && spent >= budget ? today : Number.POSITIVE_INFINITY;
    for (let d = today; d < current.endDay; d++) {
      total += path[d - today] * (d === today ? 1 - elapsed : 1);
      if (budget !== undefined && crossings[p] === Number.POSITIVE_INFINITY && total >= budget) crossings[p] = d;
    }
    currentTotals[p] = total;
    let nextTotal = 0;
    for (let d = next.startDay; d < next.endDay; d++) nextTotal += path[d - today];
    nextTotals[p] = nextTotal;
    for (let h = 0; h < Math.min(7, horizon); h++) runRate += path[h] / Math.min(7, horizon) / paths.length;
  });

  const result: GroupForecast & { budget?: BudgetOutlook } = {
    current: { ...periodFigures(current, currentTotals), spentUsd: spent, daysElapsed: today - current.startDay + 1, days: current.endDay - current.startDay },
    next: periodFigures(next, nextTotals),
    model: summary(model, runRate),
    notes,
  };
  if (budget !== undefined) result.budget = budgetOutlook(budget, spent, currentTotals, crossings, result.current.forecastUsd, exhaustedDay(budget, current, today, cost));
  return result;
}

function periodFigures(period: BillingPeriod, totals: Float64Array): PeriodForecast {
  const sorted = Float64Array.from(totals).sort();
  return {
    start: isoDay(period.startDay),
    end: isoDay(period.endDay),
    forecastUsd: quantile(sorted, 0.5),
    interval80: interval(sorted, 0.8),
    interval95: interval(sorted, 0.95),
  };
}

function interval(sorted: Float64Array, level: number): SpendInterval {
  return { lowUsd: quantile(sorted, (1 - level) / 2), highUsd: quantile(sorted, (1 + level) / 2) };
}

/** Linear interpolation between order statistics (type 7). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function budgetOutlook(budgetUsd: number, spentUsd: number, totals: Float64Array, crossings: Float64Array, forecastUsd: number, exhaustedOn: string | null): BudgetOutlook {
  const sorted = Float64Array.from(crossings).sort();
  const medianCrossing = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    budgetUsd,
    spentUsd,
    exceedProbability: totals.reduce((n, t) => n + (t > budgetUsd ? 1 : 0), 0) / Math.max(1, totals.length),
    projectedToExceed: forecastUsd > budgetUsd,
    runsOutOn: exhaustedOn ?? (Number.isFinite(medianCrossing) ? isoDay(medianCrossing) : null),
    exhaustedOn,
  };
}

/** The day the period's actual spend reached the budget, if it has. */
function exhaustedDay(budget: number, period: BillingPeriod, today: number, cost: (day: number) => number): string | null {
  let cumulative = 0;
  for (let d = period.startDay; d <= today; d++) {
    cumulative += cost(d);
    if (cumulative >= budget) return isoDay(d);
  }
  return null;
}

function summary(model: DailyModel, dailyRunRateUsd: number): GroupForecast['model'] {
  return { kind: model.kind, historyDays: model.historyDays, weekly: model.weekly, trendPerDay: model.trendPerDay, weekdayFactors: model.weekdayFactors, dailyRunRateUsd };
}
