/**
 * A backtest of the month-end forecast on a project's stored spend: its daily spend over
 * [fromMs, toMs) read once (whole UTC days), then backtest.ts over every complete billing period
 * in it. The forecast tests and `bench:explain` run it on generated months (test/src/traffic).
 */
import { queryContext } from '../../queries/query-context.js';
import type { FilterExpression } from '../../queries/filter/filter-expression.js';
import { backtest, type BacktestResult } from './backtest.js';
import { DAY_MS } from './daily-model.js';
import { readDailySpend } from './daily-spend.js';
import type { ForecastStore } from './forecast-month.js';

export interface StoredBacktestOptions {
  fromMs: number;
  toMs: number;
  billingDay?: number;
  filter?: FilterExpression;
  paths?: number;
}

export async function backtestStored(store: ForecastStore, projectId: string, options: StoredBacktestOptions): Promise<BacktestResult> {
  const fromDay = Math.floor(options.fromMs / DAY_MS);
  const endDay = Math.floor(options.toMs / DAY_MS);
  const spend = await readDailySpend(queryContext(store.client, store.database, store.cluster ?? false), { projectId, fromDay, toMs: endDay * DAY_MS, filter: options.filter, limit: 1 });
  return backtest(spend.total, { billingDay: options.billingDay ?? 1, paths: options.paths });
}
