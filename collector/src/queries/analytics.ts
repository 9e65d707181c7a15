/**
 * Cost and usage analytics over a time range: optionally bucketed by hour or day, optionally
 * grouped by a built-in dimension or a custom property; groups beyond `limit` (ranked by cost
 * over the whole range) are summed into one `(other)` row. Totals cover the whole range.
 * Top-N users is the same query grouped by user, keeping the first N and no `(other)`.
 */
import { QueryParams } from '@tokentrace/processors';
import type { AnalyticsQuery, AnalyticsResult, AnalyticsRow, ProjectScope, TimeRange } from './query-model.js';
import type { FilterExpression } from './filter/filter-expression.js';
import { selectRows, selectWithTotals, type QueryContext } from './query-context.js';
import { figuresSql, groupSpec, validBucket, type FiguresQuery } from './analytics-sql.js';
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
  const base = { ctx, group, where: modelCallsWhere(params, query.projectId, range, query.filter) };
  let outerGroup: string | undefined;
  if (group.grouped) {
    const top = await ranking(base, params, limit + 1);
    if (top.length > limit) outerGroup = `if(grp IN ${params.bind('Array(String)', top.slice(0, limit))}, grp, ${params.bind('String', OTHER_GROUP)})`;
  }
  const sql = figuresSql({ ...base, bucket, figures: 'full', outerGroup, tail: 'WITH TOTALS ORDER BY bucket, cost_usd DESC, requests DESC, g' });
  const { rows, totals } = await selectWithTotals<FigureRow>(ctx, sql, params);
  // `(other)` last within its bucket, whatever its cost.
  const ordered = outerGroup ? [...rows.filter((r) => r.g !== OTHER_GROUP), ...rows.filter((r) => r.g === OTHER_GROUP)] : rows;
  if (bucket && outerGroup) ordered.sort((a, b) => Number(a.bucket) - Number(b.bucket));
  return { rows: ordered.map((r) => analyticsRow(r, bucket, group.grouped)), totals: usageFigures(rows.length > 0 ? totals : undefined) };
}

export async function topUsers(ctx: QueryContext, query: ProjectScope & { range: TimeRange; limit?: number; filter?: FilterExpression }): Promise<AnalyticsRow[]> {
  const params = new QueryParams();
  const range = validRange(query.range);
  const limit = validLimit(query.limit, DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT);
  const base = { ctx, group: groupSpec('user', params), where: modelCallsWhere(params, query.projectId, range, query.filter) };
  const top = await ranking(base, params, limit);
  if (top.length === 0) return [];
  const sql = figuresSql({ ...base, bucket: undefined, figures: 'full', outerWhere: `grp IN ${params.bind('Array(String)', top)}`, tail: 'ORDER BY cost_usd DESC, requests DESC, g' });
  const rows = await selectRows<FigureRow>(ctx, sql, params);
  return rows.map((r) => analyticsRow(r, undefined, true));
}

/** The first `count` groups by cost over the whole range (then requests, then name). */
async function ranking(base: Pick<FiguresQuery, 'ctx' | 'group' | 'where'>, params: QueryParams, count: number): Promise<string[]> {
  const sql = figuresSql({ ...base, bucket: undefined, figures: 'rank', tail: `ORDER BY cost_usd DESC, requests DESC, g LIMIT ${count}` });
  return (await selectRows<{ g: string }>(base.ctx, sql, params)).map((r) => r.g);
}

