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
import { buildIdsCondition, projectCondition, startRangeCondition, type QueryParams } from '@tokentrace/processors';
import type { QueryContext } from '../../queries/query-context.js';
import { QueryError } from '../../queries/query-error.js';
import { rawHoursCondition, type RollupPlan } from '../../queries/rollup-read.js';
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

/** Where a read takes its rows when the usage rollup can answer (explain-source.ts); absent: spans FINAL only. */
export interface ExplainSource {
  plan: RollupPlan;
  /** Names of the dimensions (and '' for the total) read from the plan's builds and, in its raw hours, from spans; the others from spans. */
  rolled: ReadonlySet<string>;
}

/** A call's figures as the windows sum them: costs as Decimal sums (exact in any order, from spans or rollup rows) until the merge. */
const SPAN_FIGURES = `count() AS requests, sum(c) AS cost_dec, sum(i) AS input, sum(ca) AS cached, sum(o) AS output, sum(r) AS reasoning,
    sum(ci) AS cost_in, sum(cc) AS cost_cache, sum(co) AS cost_out`;
/** The same figures from the rollup's rows (processors/src/storage/usage-figures.ts columns). */
const ROLLUP_FIGURES = `sum(requests) AS requests, sum(cost_dec) AS cost_dec, sum(input_tokens) AS input, sum(cache_read_tokens) AS cached,
    sum(output_tokens) AS output, sum(reasoning_tokens) AS reasoning, sum(cost_input_dec) AS cost_in, sum(cost_cache_read_dec) AS cost_cache, sum(cost_output_dec) AS cost_out`;
/** Merged, as reported. */
const FIGURES = `sum(requests) AS requests, toFloat64(sum(cost_dec)) AS cost, sum(input) AS input, sum(cached) AS cached, sum(output) AS output,
    sum(reasoning) AS reasoning, toFloat64(sum(cost_in)) AS cost_in, toFloat64(sum(cost_cache)) AS cost_cache, toFloat64(sum(cost_out)) AS cost_out`;

const decimal = (column: string) => `toDecimal128(ifNull(${column}, 0), 15)`;

function calls(s: ExplainScan, dims: Dimension[], params: QueryParams, hours?: number[]): string {
  const inRange = (r: MsRange) => startRangeCondition(params, r.fromMs, r.toMs);
  const onlyHours = hours && hours.length > 0 ? ` AND ${rawHoursCondition(params, hours)}` : '';
  return `SELECT toUInt32(intDiv(toUnixTimestamp(toStartOfHour(start_time)), 3600)) AS hour,
        toUInt8(multiIf(${inRange(s.period)}, 1, ${inRange(s.baseline)}, 0, 2)) AS w,
        ${decimal('cost_total_usd')} AS c, ifNull(input_tokens, 0) AS i, ifNull(cache_read_tokens, 0) AS ca,
        ifNull(output_tokens, 0) AS o, ifNull(reasoning_tokens, 0) AS r,
        ${decimal('cost_input_usd')} AS ci, ${decimal('cost_cache_read_usd')} AS cc, ${decimal('cost_output_usd')} AS co
        ${dims.map((d, k) => `, toString(${d.sql}) AS g${k}`).join('')}
      FROM ${s.ctx.spans} FINAL WHERE ${where(s, params)}${onlyHours}`;
}

/** The dimension and group of a row of the grouping sets: the one column in its set. */
function dimensionAndGroup(dims: Dimension[], params: QueryParams): string {
  if (dims.length === 0) return `'' AS dim, '' AS grp`;
  const names = dims.map((d, k) => `grouping(g${k}) = 0, ${params.bind('String', d.name)}`).join(', ');
  const groups = dims.map((_, k) => `grouping(g${k}) = 0, g${k}`).join(', ');
  return `multiIf(${names}, '') AS dim, multiIf(${groups}, '') AS grp`;
}

function sets(dims: Dimension[], keys: string, total: boolean): string {
  return [...dims.map((_, k) => `(${keys}, g${k})`), ...(total ? [`(${keys})`] : [])].join(', ');
}

/** One part of a read: the dimensions `dims` (and the total when `total`) from spans FINAL, in `hours` only when given. */
interface SpansPart {
  dims: Dimension[];
  total: boolean;
  hours?: number[];
}

/**
 * The parts a read merges: without a source, every dimension and the total from spans; with one,
 * the rolled dimensions from the rollup's rows and from spans in the plan's raw hours, the others
 * from spans over the whole range.
 */
function spansParts(dims: Dimension[], source: ExplainSource | undefined): SpansPart[] {
  if (source === undefined) return [{ dims, total: true }];
  const rolled = dims.filter((d) => source.rolled.has(d.name));
  const others = dims.filter((d) => !source.rolled.has(d.name));
  const parts: SpansPart[] = [];
  if (source.plan.rawHours.length > 0) parts.push({ dims: rolled, total: true, hours: source.plan.rawHours });
  if (others.length > 0) parts.push({ dims: others, total: false });
  return parts;
}

/** The rollup rows of the plan's builds for the rolled dimensions among `dims` (and the total), over every provider and status. */
function rollupWhere(s: ExplainScan, source: ExplainSource, dims: Dimension[], params: QueryParams): string {
  const names = ['', ...dims.filter((d) => source.rolled.has(d.name)).map((d) => d.name)];
  return `project_id = ${params.bind('String', s.projectId)} AND dim IN ${params.bind('Array(String)', names)} AND split = 0
      AND start >= toDateTime(${params.bind('UInt32', source.plan.fromS)}, 'UTC') AND start < toDateTime(${params.bind('UInt32', source.plan.toS)}, 'UTC')
      AND ${buildIdsCondition(params, source.plan.buildIds)}`;
}

/** The window of a rollup row: its period lies in one window (the plan splits at the windows' ends). */
function rollupWindow(s: ExplainScan, params: QueryParams): string {
  const inRange = (r: MsRange) => `toUnixTimestamp(start) >= ${params.bind('UInt32', Math.ceil(r.fromMs / 1000))} AND toUnixTimestamp(start) < ${params.bind('UInt32', Math.ceil(r.toMs / 1000))}`;
  return `toUInt8(multiIf(${inRange(s.period)}, 1, ${inRange(s.baseline)}, 0, 2))`;
}

/**
 * Statement 2: every group's figures per window, and the total (dimension ''), in a fixed order
 * (sums of floats over groups then come out the same, whatever the engine's order).
 */
export function windowFiguresSql(s: ExplainScan, dims: Dimension[], params: QueryParams, source?: ExplainSource): string {
  const parts = spansParts(dims, source).map(
    (p) => `SELECT ${dimensionAndGroup(p.dims, params)}, w, ${SPAN_FIGURES}
      FROM (${calls(s, p.dims, params, p.hours)}) GROUP BY GROUPING SETS (${sets(p.dims, 'w', p.total)})`,
  );
  if (source !== undefined) {
    parts.unshift(`SELECT dim, value AS grp, ${rollupWindow(s, params)} AS w, ${ROLLUP_FIGURES}
      FROM ${s.ctx.usageRollup} WHERE ${rollupWhere(s, source, dims, params)} GROUP BY dim, grp, w`);
  }
  return `SELECT dim, grp, w, ${FIGURES} FROM (${parts.join('\n    UNION ALL ')}) GROUP BY dim, grp, w
    ORDER BY dim, grp, w`;
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
 * 30 days, longer to send than to compute). `dims` not empty; `source` plans hours only.
 */
export function hourlySeriesSql(s: ExplainScan, dims: Dimension[], top: Map<string, string[]>, params: QueryParams, source?: ExplainSource): string {
  const topOf = (d: Dimension) => params.bind('Array(String)', top.get(d.name) ?? []);
  const parts = spansParts(dims, source)
    .filter((p) => p.dims.length > 0)
    .map((p) => {
      const kept = p.dims.map((d, k) => `(grouping(g${k}) = 0 AND g${k} IN ${topOf(d)})`);
      return `SELECT ${dimensionAndGroup(p.dims, params)}, hour, count() AS n, sum(c) AS cost_dec, sum(i) AS input, sum(o) AS output, sum(ci) AS cost_in, sum(co) AS cost_out
      FROM (${calls(s, p.dims, params, p.hours)}) GROUP BY GROUPING SETS (${sets(p.dims, 'hour', false)})
      HAVING ${kept.join(' OR ')}`;
    });
  const rolled = source ? dims.filter((d) => source.rolled.has(d.name)) : [];
  if (source !== undefined && rolled.length > 0) {
    const kept = rolled.map((d) => `(dim = ${params.bind('String', d.name)} AND value IN ${topOf(d)})`);
    parts.unshift(`SELECT dim, value AS grp, toUInt32(intDiv(toUnixTimestamp(start), 3600)) AS hour, sum(requests) AS n, sum(cost_dec) AS cost_dec,
        sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cost_input_dec) AS cost_in, sum(cost_output_dec) AS cost_out
      FROM ${s.ctx.usageRollup} WHERE ${rollupWhere(s, source, rolled, params)} AND (${kept.join(' OR ')}) GROUP BY dim, grp, hour`);
  }
  const hourly = `SELECT dim, grp, hour, toFloat64(sum(n)) AS n, toFloat64(sum(cost_dec)) AS cost, toFloat64(sum(input)) AS input, toFloat64(sum(output)) AS output,
      toFloat64(sum(cost_in)) AS cost_in, toFloat64(sum(cost_out)) AS cost_out
    FROM (${parts.join('\n    UNION ALL ')}) GROUP BY dim, grp, hour`;
  return `SELECT dim, grp, groupArray(hour) AS hours, groupArray(n) AS requests, groupArray(cost) AS cost, groupArray(input) AS input,
      groupArray(output) AS output, groupArray(cost_in) AS cost_in, groupArray(cost_out) AS cost_out
    FROM (${hourly}) GROUP BY dim, grp`;
}
