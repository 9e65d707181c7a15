/**
 * The explainer's one read: the model calls of the baseline, the period and the hours between
 * (for the hourly series), read once with FINAL (each span once, its newest version), each call
 * counted once per dimension (ARRAY JOIN over (dimension, group) pairs), figures per
 * (dimension, group, window, hour). Groups ranked by cost within their dimension (window
 * functions over the small grouped result): the first `topSeries` keep their hours (the series
 * change points are looked for in), the others are summed per window (the decomposition needs
 * every group). Values are query parameters; dimension names come from a fixed map.
 */
import { projectCondition, startRangeCondition, type QueryParams } from '@tokentrace/processors';
import type { QueryContext } from '../../queries/query-context.js';
import { QueryError } from '../../queries/query-error.js';
import type { MsRange } from './explain-model.js';

/** Built-in dimensions and their column. */
const COLUMNS: Record<string, string> = { model: 'model', prompt_id: 'prompt_id', user: 'user_id', service: 'service_name', environment: 'environment' };
const MAX_PROPERTY_NAME = 256;

/** The total (all calls) travels as dimension '' so that every window's totals come from the same scan. */
export const TOTAL_DIMENSION = '';

export interface ExplainRow {
  dim: string;
  grp: string;
  /** 0 baseline, 1 period, 2 between. */
  w: number;
  /** Hour number since the epoch; 0 for the summed rows of groups beyond the top. */
  hr: number;
  requests: number;
  cost: number;
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  cost_in: number;
  cost_cache: number;
  cost_out: number;
}

/** The (dimension, group) pairs of a call, as SQL: an array of tuples. `by` absent: every built-in dimension and every property. */
export function dimensionsSql(by: string[] | undefined, params: QueryParams): string {
  const pairs = [`tuple('', '')`];
  const wanted = by ?? [...Object.keys(COLUMNS), 'property:*'];
  let allProperties = false;
  for (const d of wanted) {
    if (Object.hasOwn(COLUMNS, d)) pairs.push(`tuple('${d}', ${COLUMNS[d]})`);
    else if (d === 'property:*') allProperties = true;
    else if (d.startsWith('property:') && d.length > 9 && d.length <= 9 + MAX_PROPERTY_NAME) {
      const name = params.bind('String', d.slice(9).toLowerCase());
      pairs.push(`tuple(concat('property:', ${name}), properties[${name}])`);
    } else throw new QueryError(`by: expected ${Object.keys(COLUMNS).join(', ')} or property:<Name>, got ${JSON.stringify(d)}`, 'by');
  }
  const fixed = `[${pairs.join(', ')}]`;
  return allProperties ? `arrayConcat(${fixed}, arrayMap((k, v) -> tuple(concat('property:', k), v), mapKeys(properties), mapValues(properties)))` : fixed;
}

export function explainSql(ctx: QueryContext, params: QueryParams, projectId: string, period: MsRange, baseline: MsRange, by: string[] | undefined, topSeries: number): string {
  const fromMs = Math.min(period.fromMs, baseline.fromMs);
  const toMs = Math.max(period.toMs, baseline.toMs);
  const inRange = (r: MsRange) => startRangeCondition(params, r.fromMs, r.toMs);
  const calls = `SELECT toUInt32(intDiv(toUnixTimestamp(toStartOfHour(start_time)), 3600)) AS hour,
        toUInt8(multiIf(${inRange(period)}, 1, ${inRange(baseline)}, 0, 2)) AS w,
        ${dimensionsSql(by, params)} AS dims,
        toDecimal128(ifNull(cost_total_usd, 0), 15) AS c, ifNull(input_tokens, 0) AS i, ifNull(cache_read_tokens, 0) AS ca,
        ifNull(output_tokens, 0) AS o, ifNull(reasoning_tokens, 0) AS r,
        ifNull(cost_input_usd, 0) AS ci, ifNull(cost_cache_read_usd, 0) AS cc, ifNull(cost_output_usd, 0) AS co
      FROM ${ctx.spans} FINAL
      WHERE ${projectCondition(params, projectId)} AND is_model_call = 1 AND ${startRangeCondition(params, fromMs, toMs)}`;
  const hourly = `SELECT d.1 AS dim, d.2 AS grp, w, hour, count() AS requests, sum(c) AS cost_dec, sum(i) AS input, sum(ca) AS cached,
        sum(o) AS output, sum(r) AS reasoning, sum(ci) AS cost_in, sum(cc) AS cost_cache, sum(co) AS cost_out
      FROM (${calls}) ARRAY JOIN dims AS d GROUP BY dim, grp, w, hour`;
  const ranked = `SELECT *, dense_rank() OVER (PARTITION BY dim ORDER BY group_cost DESC, grp) AS group_rank
      FROM (SELECT *, sum(cost_dec) OVER (PARTITION BY dim, grp) AS group_cost FROM (${hourly}))`;
  const top = params.bind('UInt32', topSeries);
  return `SELECT dim, grp, w, if(group_rank <= ${top} OR dim = '', hour, 0) AS hr, sum(requests) AS requests, toFloat64(sum(cost_dec)) AS cost,
      sum(input) AS input, sum(cached) AS cached, sum(output) AS output, sum(reasoning) AS reasoning,
      sum(cost_in) AS cost_in, sum(cost_cache) AS cost_cache, sum(cost_out) AS cost_out
    FROM (${ranked}) GROUP BY dim, grp, w, hr`;
}
