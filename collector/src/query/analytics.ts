/**
 * Cost and usage analytics over a time range: optionally bucketed by hour or day, optionally
 * grouped by a built-in dimension or a custom property; groups beyond `limit` (ranked by cost
 * over the whole range) are summed into one `(other)` row. Totals cover the whole range.
 * Top-N users is the same query grouped by user, keeping the first N and no `(other)`.
 *
 * Without a filter and for built-in dimensions the figures come mostly from rollups of settled
 * days (request-source.ts); with a filter or a property they are computed from `requests`.
 */
import { compileFilter } from './filter/index.js';
import type { AnalyticsQuery, AnalyticsResult, AnalyticsRow, ProjectScope, TimeRange } from './query-model.js';
import type { FilterExpression } from './filter/filter-expression.js';
import { selectRows, selectWithTotals, type QueryContext } from './query-context.js';
import { figuresSql, groupSpec, validBucket, type GroupSpec } from './analytics-sql.js';
import { analyticsRow, usageFigures, type FigureRow } from './analytics-rows.js';
import { validLimit, validRange } from './query-sql.js';
import { sqlString } from '@tokentrace/processors';
import { withStablePlan, type MaintenanceHint } from './stable-plan.js';
import type { SourcePlan } from './request-source.js';

export const DEFAULT_GROUP_LIMIT = 20;
export const MAX_GROUP_LIMIT = 1000;
export const OTHER_GROUP = '(other)';

export async function analytics(ctx: QueryContext, query: AnalyticsQuery, onMaintenance?: MaintenanceHint): Promise<AnalyticsResult> {
  const range = validRange(query.range);
  const bucket = validBucket(query.bucket);
  const group = groupSpec(query.groupBy);
  const limit = validLimit(query.limit, DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT);
  const filter = query.filter === undefined ? undefined : compileFilter(query.filter);
  const rollups = filter === undefined && group.dimension !== undefined;
  return withStablePlan(ctx, query.projectId, range, { rollups, hourly: bucket === 'hour' }, async (plan) => {
    const base = { plan, ctx, group, filter };
    let outerGroup: string | undefined;
    if (group.grouped) {
      const top = await ranking(ctx, base, limit + 1);
      if (top.length > limit) outerGroup = `if(grp IN (${top.slice(0, limit).map(sqlString).join(', ')}), grp, ${sqlString(OTHER_GROUP)})`;
    }
    const sql = figuresSql({ ...base, bucket, figures: 'full', outerGroup, tail: 'WITH TOTALS ORDER BY bucket, cost_usd DESC, requests DESC, g' });
    if (sql === undefined) return { rows: [], totals: usageFigures(undefined) };
    const { rows, totals } = await selectWithTotals<FigureRow>(ctx, sql);
    // `(other)` last within its bucket, whatever its cost.
    const ordered = outerGroup ? [...rows.filter((r) => r.g !== OTHER_GROUP), ...rows.filter((r) => r.g === OTHER_GROUP)] : rows;
    if (bucket && outerGroup) ordered.sort((a, b) => Number(a.bucket) - Number(b.bucket));
    return { rows: ordered.map((r) => analyticsRow(r, bucket, group.grouped)), totals: usageFigures(rows.length > 0 ? totals : undefined) };
  }, onMaintenance);
}

export async function topUsers(
  ctx: QueryContext,
  query: ProjectScope & { range: TimeRange; limit?: number; filter?: FilterExpression },
  onMaintenance?: MaintenanceHint,
): Promise<AnalyticsRow[]> {
  const range = validRange(query.range);
  const limit = validLimit(query.limit, DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT);
  const filter = query.filter === undefined ? undefined : compileFilter(query.filter);
  const group = groupSpec('user');
  return withStablePlan(ctx, query.projectId, range, { rollups: filter === undefined, hourly: false }, async (plan) => {
    const base = { plan, ctx, group, filter };
    const top = await ranking(ctx, base, limit);
    if (top.length === 0) return [];
    const sql = figuresSql({ ...base, bucket: undefined, figures: 'full', outerWhere: `grp IN (${top.map(sqlString).join(', ')})`, tail: 'ORDER BY cost_usd DESC, requests DESC, g' });
    const rows = sql === undefined ? [] : await selectRows<FigureRow>(ctx, sql);
    return rows.map((r) => analyticsRow(r, undefined, true));
  }, onMaintenance);
}

/** The first `count` groups by cost over the whole range (then requests, then name). */
async function ranking(ctx: QueryContext, base: { plan: SourcePlan; ctx: QueryContext; group: GroupSpec; filter?: string }, count: number): Promise<string[]> {
  const sql = figuresSql({ ...base, bucket: undefined, figures: 'rank', tail: `ORDER BY cost_usd DESC, requests DESC, g LIMIT ${count}` });
  if (sql === undefined) return [];
  return (await selectRows<{ g: string }>(ctx, sql)).map((r) => r.g);
}
