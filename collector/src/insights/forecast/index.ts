/** The month-end forecast (issue 13 §3): README.md says how it works. */
export { forecastMonth, type ForecastOptions, type ForecastStore } from './forecast-month.js';
export type * from './forecast-types.js';
export { forecastGroup, type DailyCosts, type PeriodForecastOptions } from './period-forecast.js';
export { backtest, type BacktestOptions, type BacktestPoint, type BacktestResult } from './backtest.js';
export { readDailySpend } from './daily-spend.js';
export { billingPeriodAt, nextBillingPeriod, isoDay, MAX_BILLING_DAY, MIN_BILLING_DAY, type BillingPeriod } from './billing-period.js';
export { forecastSummary, formatForecastUsd } from './forecast-summary.js';
export { DEFAULT_FORECAST_GROUPS, MAX_FORECAST_GROUPS } from './forecast-options.js';
export { backtestStored, type StoredBacktestOptions } from './stored-backtest.js';
export { DEFAULT_FORECAST_CONFIG, validateForecastConfig, type ForecastConfig } from './forecast-config.js';
