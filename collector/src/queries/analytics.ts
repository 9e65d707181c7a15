/**
 * Cost and usage analytics over a time range: optionally bucketed by hour or day, optionally
 * grouped by a built-in dimension or a custom property; groups beyond `limit` (ranked by cost
 * over the whole range, in the same scan: analytics-sql.ts) are summed into one `(other)` row. Totals cover the whole range.
 * Top-N users is the same query grouped by user, keeping the first N and no `(other)`.
 */
import { QueryParams } from '@tokentrace/processors';
import type { AnalyticsQuery, AnalyticsResult, AnalyticsRow, ProjectScope, TimeRange } from './query-model.js';
import type { FilterExpression } from './filter/filter-expression.js';
import { selectRows, selectWithTotals, type QueryContext } from './query-context.js';
import { figuresSql, groupSpec, validBucket } from './analytics-sql.js';
import { rollupRead } from './rollup-read.js';
import { analyticsRow, usageFigures, type FigureRow } from './analytics-rows.js';
import { modelCallsWhere } from './model-calls.js';
import { validLimit, validRange } from './query-sql.js';

export const DEFAULT_GROUP_LIMIT = 20;
export const MAX_GROUP_LIMIT = 1000;
export const OTHER_GROUP = '(other)';

export async function analytics(ctx: QueryContext, query: AnalyticsQuery): Promise<AnalyticsResult> {
  const params = new QueryParams();
  const range = validRange(query.range);
  const bucket = validBucket(query.bucket);
  const group = groupSpec(query.groupBy, params);
  const limit = validLimit(query.limit, DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT);
  const where = modelCallsWhere(params, query.projectId, range, query.filter);
  const rank = group.grouped ? { limit, mode: 'other' as const, otherName: OTHER_GROUP } : undefined;
  const rollup = await rollupRead(ctx, params, query.projectId, range, group.dim, bucket, query.filter);
  const sql = figuresSql({ ctx, group, where, bucket, rank, rollup, tail: 'WITH TOTALS ORDER BY bucket, cost_usd DESC, requests DESC, g' }, params);
  const { rows, totals } = await selectWithTotals<FigureRow>(ctx, sql, params);
  // `(other)` last within its bucket, whatever its cost.
  const hasOther = group.grouped && rows.some((r) => r.g === OTHER_GROUP);
  const ordered = hasOther ? [...rows.filter((r) => r.g !== OTHER_GROUP), ...rows.filter((r) => r.g === OTHER_GROUP)] : rows;
  if (bucket && hasOther) ordered.sort((a, b) => Number(a.bucket) - Number(b.bucket));
  return { rows: ordered.map((r) => analyticsRow(r, bucket, group.grouped)), totals: usageFigures(rows.length > 0 ? totals : undefined) };
}

export async function topUsers(ctx: QueryContext, query: ProjectScope & { range: TimeRange; limit?: number; filter?: FilterExpression }): Promise<AnalyticsRow[]> {
  const params = new QueryParams();
  const range = validRange(query.range);
  const limit = validLimit(query.limit, DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT);
  const where = modelCallsWhere(params, query.projectId, range, query.filter);
  const group = groupSpec('user', params);
  const rollup = await rollupRead(ctx, params, query.projectId, range, group.dim, undefined, query.filter);
  const sql = figuresSql({ ctx, group, where, bucket: undefined, rank: { limit, mode: 'keep', otherName: OTHER_GROUP }, rollup, tail: 'ORDER BY cost_usd DESC, requests DESC, g' }, params);
  const rows = await selectRows<FigureRow>(ctx, sql, params);
  return rows.map((r) => analyticsRow(r, undefined, true));
}
