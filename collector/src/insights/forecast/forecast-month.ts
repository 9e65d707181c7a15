/**
 * `forecastMonth(store, projectId, options)`: the month-end forecast of a project (issue 13 §3),
 * for the project and, with `by`, per group: one read of daily spend (daily-spend.ts), then
 * the model and the simulated futures per series (period-forecast.ts). This is also the function
 * budget alerts call to fire on a forecast ("projected to exceed"): `result.budget`.
 *
 *   const f = await forecastMonth({ client, database: 'tokentrace' }, 'default', { budgetUsd: 4000 });
 *   f.summary;                    // "Month-end forecast $3,870 (80 %: $3,410–$4,390); …"
 *   f.budget?.projectedToExceed;  // the median forecast is above the budget
 *   f.budget?.exceedProbability;  // share of simulated futures above it
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { queryContext } from '../../queries/query-context.js';
import { validFreeId } from '../../queries/query-sql.js';
import type { FilterExpression } from '../../queries/filter/filter-expression.js';
import type { GroupBy } from '../../queries/query-model.js';
import { readDailySpendCached } from './spend-history-cache.js';
import { forecastSummary } from './forecast-summary.js';
import type { MonthForecast } from './forecast-types.js';
import { resolveForecastOptions } from './forecast-options.js';
import { forecastGroup, seriesStartDay } from './period-forecast.js';

/** Where the spans are: the query layer's client and database (`cluster`: Distributed `spans`). */
export interface ForecastStore {
  client: ClickHouseClient;
  database: string;
  cluster?: boolean;
  /** Read clean days from the usage rollup with the builder's grace (the collector's `rollup.graceMs`); absent: spans only. */
  rollup?: { graceMs: number };
}

export interface ForecastOptions {
  /** Default: the current time. */
  now?: Date;
  /** Day of the month billing periods start on, 1–28 (default 1: calendar months). */
  billingDay?: number;
  /** A budget for the current period (USD). */
  budgetUsd?: number;
  /** Per group as well: a dimension of analytics (`model`, `user`, `prompt_id`, …) or `property:<Name>`. */
  by?: GroupBy;
  /** Only the model calls matching this filter (the filter language). */
  filter?: FilterExpression;
  /** Groups forecast before `(other)` (default 10, at most 50). */
  limit?: number;
  /** The budget applies to each group as well: every group carries its own `budget` outlook (budget alerts per group). */
  groupBudgets?: boolean;
  /** Simulated futures per series (default 2000). */
  paths?: number;
  /**
   * Read every day again instead of reusing the complete days read in the last 10 minutes
   * (spend-history-cache.ts: only today's spend is read then).
   */
  fresh?: boolean;
}

export async function forecastMonth(store: ForecastStore, projectId: string, options: ForecastOptions = {}): Promise<MonthForecast> {
  const o = resolveForecastOptions(options);
  const nowMs = o.now.getTime();
  const spend = await readDailySpendCached(queryContext(store.client, store.database, store.cluster ?? false, store.rollup), {
    projectId: validFreeId(projectId, 'projectId'),
    fromDay: seriesStartDay(nowMs, o.billingDay),
    toMs: nowMs,
    groupBy: o.by,
    filter: o.filter,
    limit: o.limit,
  }, options.fresh === true);
  const common = { nowMs, billingDay: o.billingDay };
  const { budget, ...total } = forecastGroup(spend.total, { ...common, paths: o.paths, budgetUsd: o.budgetUsd });
  // Half the futures per group: their intervals matter less than the total's, and there may be 50.
  const groupBudget = options.groupBudgets ? o.budgetUsd : undefined;
  const groups = spend.groups.map(({ group, costs }) => ({ group, ...forecastGroup(costs, { ...common, paths: Math.max(500, Math.round(o.paths / 2)), budgetUsd: groupBudget }) }));
  return {
    projectId,
    generatedAt: o.now.toISOString(),
    billingDay: o.billingDay,
    by: o.by ?? null,
    total,
    groups,
    budget: budget ?? null,
    summary: forecastSummary(total, budget ?? null, o.billingDay === 1),
    note: total.notes.length > 0 ? total.notes.join('; ') : null,
  };
}
