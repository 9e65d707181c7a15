/**
 * The SQL of usage figures: the model calls of a range read once with FINAL (each span once, its
 * newest version; processors/src/storage/README.md), figures per (bucket, group) with latency and
 * TTFT histograms, then an outer query that ranks groups, maps them (e.g. to `(other)`) and
 * merges. When the usage rollup can answer part of the range (rollup-read.ts), its rows for those
 * hours and days come in beside the spans of the other hours (`UNION ALL`) before the same merge.
 *
 * Percentiles are approximate, within ±2.5 % of a value of the group: log-bucket histograms with
 * buckets 5 % wide (processors/src/storage/usage-figures.ts). Histograms merge exactly into
 * `(other)` and the totals, whatever the order, the thread count or whether the rows came from
 * spans or the rollup, so the same rows give the same percentiles.
 */
import { buildIdsCondition, histogramPercentilesSql, MERGED_FIGURES, propertyDimension, SPAN_FIGURES, USAGE_DIMENSIONS, type QueryParams } from '@tokentrace/processors';
import { propertySql } from './filter/index.js';
import type { Bucket, GroupBy } from './query-model.js';
import { QueryError } from './query-error.js';
import type { QueryContext } from './query-context.js';
import { rawHoursCondition, type RollupRead } from './rollup-read.js';

/** `<name>_n`, the number of values, and `<name>_p`, [p50, p95, p99], of the merged histograms. */
function percentilesSql(name: string): string {
  return `sum(${name}_count) AS ${name}_n, ${histogramPercentilesSql(`sumMap(${name}_h)`)} AS ${name}_p`;
}

const MAX_PROPERTY_NAME_LENGTH = 256;

/** Built-in dimensions and the column of `spans` each groups by (the storage contract's list). */
export const DIMENSIONS = USAGE_DIMENSIONS;

export interface GroupSpec {
  /** SQL of the group over the columns of `spans`. */
  sql: string;
  grouped: boolean;
  /** The rollup's dimension of the group (`''` for none, `model`, `property:feature`, …). */
  dim: string;
}

export function groupSpec(groupBy: GroupBy | undefined, params: QueryParams): GroupSpec {
  if (groupBy === undefined || groupBy === null) return { sql: DIMENSIONS[''], grouped: false, dim: '' };
  if (typeof groupBy === 'string' && (groupBy as string) !== '' && Object.hasOwn(DIMENSIONS, groupBy)) {
    return { sql: DIMENSIONS[groupBy as keyof typeof DIMENSIONS], grouped: true, dim: groupBy };
  }
  if (typeof groupBy === 'string' && groupBy.startsWith('property:')) {
    const name = groupBy.slice('property:'.length);
    if (name === '' || name.length > MAX_PROPERTY_NAME_LENGTH) throw new QueryError(`groupBy property name must have 1 to ${MAX_PROPERTY_NAME_LENGTH} characters`, 'groupBy');
    return { sql: propertySql(params, name), grouped: true, dim: propertyDimension(name) };
  }
  throw new QueryError(`groupBy must be one of ${Object.keys(DIMENSIONS).filter(Boolean).join(', ')} or property:<Name>, got ${JSON.stringify(groupBy)}`, 'groupBy');
}

export function validBucket(bucket: Bucket | undefined): Bucket | undefined {
  if (bucket === undefined || bucket === null || bucket === 'hour' || bucket === 'day') return bucket ?? undefined;
  throw new QueryError(`bucket must be hour or day, got ${JSON.stringify(bucket)}`, 'bucket');
}

/** Bucket numbers are UTC days or hours since the epoch (no time zone anywhere), of spans' `start_time` or the rollup's `start`. */
function bucketSql(bucket: Bucket | undefined, start = 'start_time'): string {
  if (bucket === 'day') return `toUInt32(toUInt16(toDate(${start})))`;
  if (bucket === 'hour') return `toUInt32(intDiv(toUnixTimestamp(toStartOfHour(${start})), 3600))`;
  return 'toUInt32(0)';
}

export function bucketStart(bucket: Bucket, value: number | string): string {
  return new Date(Number(value) * (bucket === 'day' ? 86_400_000 : 3_600_000)).toISOString();
}

/** The figures as reported: costs as Float64 at last, percentiles of the merged histograms. */
const REPORTED_FIGURES = `sum(requests) AS requests, sum(errors) AS errors, sum(retries) AS retries, toFloat64(sum(cost_dec)) AS cost_usd, sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
    sum(reasoning_tokens) AS reasoning_tokens, sum(cache_hits) AS cache_hits, toFloat64(sum(saved_dec)) AS saved_usd,
    ${percentilesSql('latency')}, ${percentilesSql('ttft')}`;

export interface FiguresQuery extends GroupSource {
  /**
   * Groups ranked by cost over the whole range (then requests, then name), from the same scan:
   * `other` keeps the first `limit` and sums the rest into one `otherName` row; `keep` keeps the
   * first `limit` and drops the rest. Absent: every group as it is.
   */
  rank?: { limit: number; mode: 'other' | 'keep'; otherName: string };
  tail: string;
}

/**
 * The whole statement: one scan of the model calls with FINAL, figures per (bucket, group); then,
 * when groups are ranked, each group's totals over its buckets and its rank (window functions
 * over the small per-group result); then the groups as reported (e.g. `(other)`) merged.
 */
export function figuresSql(q: FiguresQuery, params: QueryParams): string {
  const perGroup = perGroupSql(q, params);
  if (!q.rank) return `SELECT bucket, grp AS g, ${REPORTED_FIGURES} FROM (${perGroup}) GROUP BY bucket, g ${q.tail}`;
  const limit = params.bind('UInt32', q.rank.limit);
  const ranked = `SELECT *, dense_rank() OVER (ORDER BY group_cost DESC, group_requests DESC, grp) AS group_rank
      FROM (SELECT *, sum(cost_dec) OVER (PARTITION BY grp) AS group_cost, sum(requests) OVER (PARTITION BY grp) AS group_requests FROM (${perGroup}))`;
  const g = q.rank.mode === 'other' ? `if(group_rank <= ${limit}, grp, ${params.bind('String', q.rank.otherName)})` : 'grp';
  const where = q.rank.mode === 'keep' ? `WHERE group_rank <= ${limit}` : '';
  return `SELECT bucket, ${g} AS g, ${REPORTED_FIGURES} FROM (${ranked}) ${where} GROUP BY bucket, g ${q.tail}`;
}

/** A read's source rows: spans (with their conditions), and the rollup's part when it can answer. */
export interface GroupSource {
  ctx: QueryContext;
  /** The conditions on `spans` (project, range, model calls, filter). */
  where: string;
  group: GroupSpec;
  bucket: Bucket | undefined;
  rollup?: RollupRead;
}

/** The figures a read computes: from spans rows, and again over rows holding them (rollup rows, the merge). */
export interface FigureSet {
  spans: string;
  merged: string;
}

export const USAGE_FIGURE_SET: FigureSet = { spans: SPAN_FIGURES, merged: MERGED_FIGURES };

/**
 * Figures per (bucket, group): from spans FINAL alone, or the rollup's rows of the plan's builds
 * and the spans of the other hours (`UNION ALL`), merged per (bucket, group).
 */
export function perGroupSql(q: GroupSource, params: QueryParams, figures: FigureSet = USAGE_FIGURE_SET): string {
  const spans = (where: string, asText: boolean) => `SELECT ${bucketSql(q.bucket)} AS bucket, ${asText ? `toString(${q.group.sql})` : q.group.sql} AS grp, ${figures.spans}
          FROM ${q.ctx.spans} FINAL WHERE ${where} GROUP BY bucket, grp`;
  const r = q.rollup;
  if (r === undefined) return spans(q.where, false);
  const fromRollup = `SELECT ${bucketSql(q.bucket, 'start')} AS bucket, value AS grp, ${figures.merged} FROM ${q.ctx.usageRollup}
          WHERE project_id = ${params.bind('String', r.projectId)} AND dim = ${params.bind('String', r.dim)}
            AND ${r.filterSql === undefined ? 'split = 0' : `split = 1 AND ${r.filterSql}`}
            AND start >= toDateTime(${params.bind('UInt32', r.plan.fromS)}, 'UTC') AND start < toDateTime(${params.bind('UInt32', r.plan.toS)}, 'UTC')
            AND ${buildIdsCondition(params, r.plan.buildIds)} GROUP BY bucket, grp`;
  const fromSpans = r.plan.rawHours.length > 0 ? `\n          UNION ALL ${spans(`${q.where} AND ${rawHoursCondition(params, r.plan.rawHours)}`, true)}` : '';
  return `SELECT bucket, grp, ${figures.merged} FROM (${fromRollup}${fromSpans}) GROUP BY bucket, grp`;
}
