/**
 * The collector's `forecast.*` keys (issue 13 §3: "billing start day configurable"): the day of
 * the month billing periods start on, and the budget of a period (0: none). They are the defaults
 * of GET /api/v1/forecast and `tokentrace forecast`; `?billingDay=` and `?budget=` override them.
 * The billing day is the alerts' too: their `calendar_month` windows and budgets on the forecast
 * start on it (the collector hands it to AlertService; alerts/alert-window.ts).
 */
import { ConfigError } from '@tokentrace/processors';
import { MAX_BILLING_DAY, MIN_BILLING_DAY } from './billing-period.js';

export interface ForecastConfig {
  /** 1–28; 1: calendar months. */
  billingDay: number;
  /** USD per billing period; 0: no budget. */
  budgetUsd: number;
}

export const DEFAULT_FORECAST_CONFIG: ForecastConfig = { billingDay: 1, budgetUsd: 0 };

export function validateForecastConfig(config: ForecastConfig): void {
  if (!Number.isInteger(config.billingDay) || config.billingDay < MIN_BILLING_DAY || config.billingDay > MAX_BILLING_DAY) {
    throw new ConfigError('billingDay', `an integer from ${MIN_BILLING_DAY} to ${MAX_BILLING_DAY}`, config.billingDay);
  }
  if (!Number.isFinite(config.budgetUsd) || config.budgetUsd < 0) throw new ConfigError('budgetUsd', 'a number of USD, 0 for none', config.budgetUsd);
}
