/**
 * The forecast's one read (issue 13 §3: "heavy aggregation in ClickHouse"): the cost of a
 * project's model calls per UTC day, optionally per group (a built-in dimension or a custom
 * property, as in analytics), from a first day until now. Groups beyond `limit`, ranked by their
 * cost over the whole range in the same scan, are summed into `(other)`. Read with FINAL like every
 * sum of the query layer (each span once, its newest version; collector/src/queries/README.md),
 * or from the usage rollup's clean days and hours (exact likewise: queries/rollup-read.ts);
 * every value is a query parameter. A read can instead keep a given list of groups (`keep`), to
 * extend an earlier read with the same groups (spend-history-cache.ts).
 */
import { QueryParams } from '@tokentrace/processors';
import { groupSpec, perGroupSql, type FigureSet } from '../../queries/analytics-sql.js';
import { rollupRead } from '../../queries/rollup-read.js';
import type { FilterExpression } from '../../queries/filter/filter-expression.js';
import { OTHER_GROUP } from '../../queries/analytics.js';
import { modelCallsWhere } from '../../queries/model-calls.js';
import { selectRows, type QueryContext } from '../../queries/query-context.js';
import type { GroupBy } from '../../queries/query-model.js';
import { DAY_MS } from './daily-model.js';
import type { DailyCosts } from './period-forecast.js';

export interface DailySpendQuery {
  projectId: string;
  /** Epoch day of the first day read. */
  fromDay: number;
  /** The end of the read (now), exclusive. */
  toMs: number;
  groupBy?: GroupBy;
  filter?: FilterExpression;
  /** Groups kept before `(other)`. */
  limit: number;
  /** Keep exactly these groups (the others are `(other)`) instead of ranking: a read that extends a cached one. */
  keep?: string[];
}

export interface DailySpend {
  total: DailyCosts;
  /** Per group, in the order of their cost over the range (`(other)` last); empty when not grouped. */
  groups: Array<{ group: string; costs: DailyCosts }>;
}

/** The cost only, as a Decimal until the sums are done. */
const COST: FigureSet = { spans: 'sum(toDecimal128(ifNull(cost_total_usd, 0), 15)) AS cost_dec', merged: 'sum(cost_dec) AS cost_dec' };

interface Row {
  day: number;
  g: string;
  cost: number;
}

export async function readDailySpend(ctx: QueryContext, query: DailySpendQuery): Promise<DailySpend> {
  const params = new QueryParams();
  const group = groupSpec(query.groupBy, params);
  const range = { fromMs: query.fromDay * DAY_MS, toMs: query.toMs };
  const where = modelCallsWhere(params, query.projectId, range, query.filter);
  // Whole days and hours from the usage rollup where it is clean, the rest from spans FINAL (queries/rollup-read.ts).
  const rollup = await rollupRead(ctx, params, query.projectId, range, group.dim, 'day', query.filter);
  const perDay = `SELECT bucket AS day, grp, cost_dec FROM (${perGroupSql({ ctx, where, group, bucket: 'day', rollup }, params, COST)})`;
  const sql = group.grouped && query.keep
    ? `SELECT day, if(grp IN ${params.bind('Array(String)', query.keep)}, grp, ${params.bind('String', OTHER_GROUP)}) AS g, toFloat64(sum(cost_dec)) AS cost FROM (${perDay}) GROUP BY day, g`
    : group.grouped
    ? `SELECT day, if(group_rank <= ${params.bind('UInt32', query.limit)}, grp, ${params.bind('String', OTHER_GROUP)}) AS g, toFloat64(sum(cost_dec)) AS cost
       FROM (SELECT *, dense_rank() OVER (ORDER BY group_cost DESC, grp) AS group_rank
             FROM (SELECT *, sum(cost_dec) OVER (PARTITION BY grp) AS group_cost FROM (${perDay})))
       GROUP BY day, g`
    : `SELECT day, '' AS g, toFloat64(sum(cost_dec)) AS cost FROM (${perDay}) GROUP BY day`;
  const rows = await selectRows<Row>(ctx, sql, params);

  const days = Math.floor((query.toMs - 1) / DAY_MS) - query.fromDay + 1;
  const dense = () => ({ startDay: query.fromDay, costs: new Array<number>(Math.max(0, days)).fill(0) });
  const total = dense();
  const byGroup = new Map<string, DailyCosts>();
  for (const row of rows) {
    const i = Number(row.day) - query.fromDay;
    if (i < 0 || i >= days) continue;
    total.costs[i] += row.cost;
    if (!group.grouped) continue;
    let series = byGroup.get(row.g);
    if (!series) byGroup.set(row.g, (series = dense()));
    series.costs[i] += row.cost;
  }
  const sum = (s: DailyCosts) => s.costs.reduce((a, b) => a + b, 0);
  const groups = [...byGroup].map(([name, costs]) => ({ group: name, costs, weight: name === OTHER_GROUP ? -1 : sum(costs) }));
  groups.sort((a, b) => b.weight - a.weight || a.group.localeCompare(b.group));
  return { total, groups: groups.map(({ group: name, costs }) => ({ group: name, costs })) };
}
