/**
 * Backtests of the month-end forecast (issue 13: "forecast backtests over the generator's months
 * report interval coverage … and mean absolute percentage error"): for every complete billing
 * period in a daily series and every day of it but the last, the forecast made at the end of that
 * day from the data up to it (forecastGroup on the truncated series) is compared with the
 * period's actual total. Coverage is the share of those days whose interval holds the truth;
 * MAPE the mean of |forecast − truth| / truth.
 */
import { billingPeriodAt } from './billing-period.js';
import { DAY_MS } from './daily-model.js';
import { forecastGroup, type DailyCosts } from './period-forecast.js';

export interface BacktestPoint {
  /** The forecast was made at the end of this day (UTC). */
  asOf: string;
  forecastUsd: number;
  low80: number;
  high80: number;
  low95: number;
  high95: number;
  truthUsd: number;
}

export interface BacktestResult {
  /** Forecasts compared (backtest days). */
  days: number;
  periods: number;
  /** Share of days whose 80 % / 95 % interval held the period's actual total. */
  coverage80: number;
  coverage95: number;
  /** Mean absolute percentage error of the forecast (median), as a fraction (0.05 = 5 %). */
  mape: number;
  points: BacktestPoint[];
}

export interface BacktestOptions {
  billingDay: number;
  paths?: number;
  /** Start backtest origins on this epoch day or later (e.g. to skip a first month without history). */
  fromDay?: number;
}

/** `series` holds complete days only (its last day is over). */
export function backtest(series: DailyCosts, options: BacktestOptions): BacktestResult {
  const lastDay = series.startDay + series.costs.length - 1;
  const points: BacktestPoint[] = [];
  let periods = 0;
  for (let period = billingPeriodAt(series.startDay * DAY_MS, options.billingDay); period.endDay - 1 <= lastDay; period = billingPeriodAt(period.endDay * DAY_MS, options.billingDay)) {
    if (period.startDay < series.startDay) continue;
    periods++;
    const truth = series.costs.slice(period.startDay - series.startDay, period.endDay - series.startDay).reduce((a, b) => a + b, 0);
    for (let day = period.startDay; day < period.endDay - 1; day++) {
      if (options.fromDay !== undefined && day < options.fromDay) continue;
      const known: DailyCosts = { startDay: series.startDay, costs: series.costs.slice(0, day - series.startDay + 1) };
      const f = forecastGroup(known, { nowMs: (day + 1) * DAY_MS, billingDay: options.billingDay, paths: options.paths });
      const c = f.current;
      points.push({ asOf: new Date(day * DAY_MS).toISOString().slice(0, 10), forecastUsd: c.forecastUsd, low80: c.interval80.lowUsd, high80: c.interval80.highUsd, low95: c.interval95.lowUsd, high95: c.interval95.highUsd, truthUsd: truth });
    }
  }
  const share = (inside: (p: BacktestPoint) => boolean) => (points.length === 0 ? 0 : points.filter(inside).length / points.length);
  return {
    days: points.length,
    periods,
    coverage80: share((p) => p.low80 <= p.truthUsd && p.truthUsd <= p.high80),
    coverage95: share((p) => p.low95 <= p.truthUsd && p.truthUsd <= p.high95),
    mape: points.length === 0 ? 0 : points.reduce((s, p) => s + Math.abs(p.forecastUsd - p.truthUsd) / Math.max(p.truthUsd, 1e-9), 0) / points.length,
    points,
  };
}
