/**
 * The forecast's options checked once, with the query layer's error (`TOKENTRACE_INVALID_QUERY`
 * naming the option), and their defaults.
 */
import { QueryError } from '../../queries/query-error.js';
import { MAX_BILLING_DAY, MIN_BILLING_DAY } from './billing-period.js';
import type { ForecastOptions } from './forecast-month.js';
import { DEFAULT_PATHS } from './period-forecast.js';

export const DEFAULT_FORECAST_GROUPS = 10;
export const MAX_FORECAST_GROUPS = 50;
const MAX_PATHS = 20_000;

export type ResolvedForecastOptions = Required<Pick<ForecastOptions, 'now' | 'billingDay' | 'limit' | 'paths'>> & Pick<ForecastOptions, 'budgetUsd' | 'by' | 'filter'>;

export function resolveForecastOptions(options: ForecastOptions): ResolvedForecastOptions {
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new QueryError('now must be a valid date', 'now');
  const billingDay = options.billingDay ?? 1;
  if (!Number.isInteger(billingDay) || billingDay < MIN_BILLING_DAY || billingDay > MAX_BILLING_DAY) {
    throw new QueryError(`billingDay must be an integer from ${MIN_BILLING_DAY} to ${MAX_BILLING_DAY} (every month has it), got ${JSON.stringify(billingDay)}`, 'billingDay');
  }
  const budgetUsd = options.budgetUsd;
  if (budgetUsd !== undefined && (typeof budgetUsd !== 'number' || !Number.isFinite(budgetUsd) || budgetUsd <= 0)) {
    throw new QueryError(`budget must be a positive number of USD, got ${JSON.stringify(budgetUsd)}`, 'budget');
  }
  const limit = options.limit ?? DEFAULT_FORECAST_GROUPS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FORECAST_GROUPS) throw new QueryError(`limit must be an integer from 1 to ${MAX_FORECAST_GROUPS}, got ${JSON.stringify(limit)}`, 'limit');
  const paths = options.paths ?? DEFAULT_PATHS;
  if (!Number.isInteger(paths) || paths < 100 || paths > MAX_PATHS) throw new QueryError(`paths must be an integer from 100 to ${MAX_PATHS}`, 'paths');
  return { now, billingDay, budgetUsd, by: options.by, filter: options.filter, limit, paths };
}
