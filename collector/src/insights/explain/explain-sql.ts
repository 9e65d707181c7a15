/**
 * The explainer's reads: the model calls of the baseline, the period and the hours between (for
 * the hourly series), read with FINAL (each span once, its newest version), figures per
 * (dimension, group, window[, hour]) by GROUPING SETS: one set per dimension, so each call is
 * counted once per dimension in one pass, without copying it per dimension (an ARRAY JOIN over
 * (dimension, group) pairs did, 3× slower: bench/README.md). Three statements:
 *
 * 1. the custom property names of the range (a plain read of the keys, at most 20);
 * 2. every group's figures per window (the decomposition needs all of them);
 * 3. the hourly figures of the top groups of each dimension only (named as parameters), the
 *    series change points are looked for in.
 *
 * Values are query parameters; dimension columns come from a fixed map.
 */
import { projectCondition, startRangeCondition, type QueryParams } from '@tokentrace/processors';
import type { QueryContext } from '../../queries/query-context.js';
import { QueryError } from '../../queries/query-error.js';
import type { MsRange } from './explain-model.js';

/** Built-in dimensions and their column. */
const COLUMNS: Record<string, string> = { model: 'model', prompt_id: 'prompt_id', user: 'user_id', service: 'service_name', environment: 'environment' };
const MAX_PROPERTY_NAME = 256;
export const MAX_PROPERTIES = 20;

/** The total (all calls) travels as dimension '' so that every window's totals come from the same scan. */
export const TOTAL_DIMENSION = '';

export interface ExplainRow {
  dim: string;
  grp: string;
  /** 0 baseline, 1 period, 2 between. */
  w: number;
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

export interface Dimension {
  name: string;
  /** SQL of the group over the columns of `spans`. */
  sql: string;
}

/** The dimensions asked for (`by`), or every built-in one and each of `properties` (lower-cased names). */
export function dimensionsOf(by: string[] | undefined, properties: string[], params: QueryParams): Dimension[] {
  const wanted = by ?? [...Object.keys(COLUMNS), ...properties.map((p) => `property:${p}`)];
  const out: Dimension[] = [];
  for (const d of wanted) {
    if (Object.hasOwn(COLUMNS, d)) out.push({ name: d, sql: COLUMNS[d] });
    else if (d.startsWith('property:') && d.length > 9 && d.length <= 9 + MAX_PROPERTY_NAME) {
      const name = d.slice(9).toLowerCase();
      out.push({ name: `property:${name}`, sql: `properties[${params.bind('String', name)}]` });
    } else throw new QueryError(`by: expected ${Object.keys(COLUMNS).join(', ')} or property:<Name>, got ${JSON.stringify(d)}`, 'by');
  }
  return out.filter((d, i) => out.findIndex((x) => x.name === d.name) === i);
}

export interface ExplainScan {
  ctx: QueryContext;
  projectId: string;
  period: MsRange;
  baseline: MsRange;
}

function where(s: ExplainScan, params: QueryParams): string {
  const fromMs = Math.min(s.period.fromMs, s.baseline.fromMs);
  const toMs = Math.max(s.period.toMs, s.baseline.toMs);
  return `${projectCondition(params, s.projectId)} AND is_model_call = 1 AND ${startRangeCondition(params, fromMs, toMs)}`;
}

/** Statement 1: the custom property names used in the range (keys are stored lower-cased). */
export function propertyNamesSql(s: ExplainScan, params: QueryParams): string {
  return `SELECT DISTINCT arrayJoin(mapKeys(properties)) AS name FROM ${s.ctx.spans} WHERE ${where(s, params)} ORDER BY name LIMIT ${MAX_PROPERTIES}`;
}

const FIGURES = `count() AS requests, toFloat64(sum(c)) AS cost, sum(i) AS input, sum(ca) AS cached, sum(o) AS output, sum(r) AS reasoning,
    sum(ci) AS cost_in, sum(cc) AS cost_cache, sum(co) AS cost_out`;

function calls(s: ExplainScan, dims: Dimension[], params: QueryParams): string {
  const inRange = (r: MsRange) => startRangeCondition(params, r.fromMs, r.toMs);
  return `SELECT toUInt32(intDiv(toUnixTimestamp(toStartOfHour(start_time)), 3600)) AS hour,
        toUInt8(multiIf(${inRange(s.period)}, 1, ${inRange(s.baseline)}, 0, 2)) AS w,
        toDecimal128(ifNull(cost_total_usd, 0), 15) AS c, ifNull(input_tokens, 0) AS i, ifNull(cache_read_tokens, 0) AS ca,
        ifNull(output_tokens, 0) AS o, ifNull(reasoning_tokens, 0) AS r,
        ifNull(cost_input_usd, 0) AS ci, ifNull(cost_cache_read_usd, 0) AS cc, ifNull(cost_output_usd, 0) AS co
        ${dims.map((d, k) => `, toString(${d.sql}) AS g${k}`).join('')}
      FROM ${s.ctx.spans} FINAL WHERE ${where(s, params)}`;
}

/** The dimension and group of a row of the grouping sets: the one column in its set. */
function dimensionAndGroup(dims: Dimension[], params: QueryParams): string {
  if (dims.length === 0) return `'' AS dim, '' AS grp`;
  const names = dims.map((d, k) => `grouping(g${k}) = 0, ${params.bind('String', d.name)}`).join(', ');
  const groups = dims.map((_, k) => `grouping(g${k}) = 0, g${k}`).join(', ');
  return `multiIf(${names}, '') AS dim, multiIf(${groups}, '') AS grp`;
}

function sets(dims: Dimension[], keys: string): string {
  return [...dims.map((_, k) => `(${keys}, g${k})`), `(${keys})`].join(', ');
}

/** Statement 2: every group's figures per window, and the total (dimension ''). */
export function windowFiguresSql(s: ExplainScan, dims: Dimension[], params: QueryParams): string {
  return `SELECT ${dimensionAndGroup(dims, params)}, w, ${FIGURES}
    FROM (${calls(s, dims, params)}) GROUP BY GROUPING SETS (${sets(dims, 'w')})`;
}

/** One top group's hours (hour numbers since the epoch) and its figures per hour. */
export interface SeriesRow {
  dim: string;
  grp: string;
  hours: number[];
  requests: number[];
  cost: number[];
  input: number[];
  output: number[];
  cost_in: number[];
  cost_out: number[];
}

/**
 * Statement 3: the hourly figures of the groups in `top` (per dimension name), one row per group
 * with its hours as arrays (of Float64: unquoted in JSON; a row per hour was 11 MB of JSON for
 * 30 days, longer to send than to compute). `dims` not empty.
 */
export function hourlySeriesSql(s: ExplainScan, dims: Dimension[], top: Map<string, string[]>, params: QueryParams): string {
  const kept = dims.map((d, k) => `(grouping(g${k}) = 0 AND g${k} IN ${params.bind('Array(String)', top.get(d.name) ?? [])})`);
  const hourly = `SELECT ${dimensionAndGroup(dims, params)}, hour, toFloat64(count()) AS n, toFloat64(sum(c)) AS cost, toFloat64(sum(i)) AS input,
      toFloat64(sum(o)) AS output, sum(ci) AS cost_in, sum(co) AS cost_out
    FROM (${calls(s, dims, params)}) GROUP BY GROUPING SETS (${dims.map((_, k) => `(hour, g${k})`).join(', ')})
    HAVING ${kept.join(' OR ')}`;
  return `SELECT dim, grp, groupArray(hour) AS hours, groupArray(n) AS requests, groupArray(cost) AS cost, groupArray(input) AS input,
      groupArray(output) AS output, groupArray(cost_in) AS cost_in, groupArray(cost_out) AS cost_out
    FROM (${hourly}) GROUP BY dim, grp`;
}
