/**
 * The SQL of usage figures: the model calls of a range read once with FINAL (each span once, its
 * newest version; processors/src/storage/README.md), figures per (bucket, group) with
 * percentile states, then an outer query that ranks groups, maps them (e.g. to `(other)`) and
 * merges.
 *
 * Percentiles are approximate, within 0.4 % of a value of the group (`quantilesBFloat16`: each
 * value rounded to 8 significant bits, counted per rounded value). Their states are small
 * histograms that merge exactly into `(other)` and the totals, whatever the order or the thread
 * count, so the same rows give the same percentiles. Exact states (`quantilesExact`, every value
 * kept and carried through the ranking) made the analytics ≈ 2× slower (bench/README.md).
 */
import type { QueryParams } from '@tokentrace/processors';
import { propertySql } from './filter/index.js';
import type { Bucket, GroupBy } from './query-model.js';
import { QueryError } from './query-error.js';
import type { QueryContext } from './query-context.js';

const QUANTILES = '0.5, 0.95, 0.99';

/** The quantile function (documented in the API: collector/src/api/openapi.ts, README.md). */
const QUANTILE = 'quantilesBFloat16';

/** Latency and TTFT percentile states: a histogram of values rounded to bfloat16 per (bucket, group). */
export const PERCENTILE_STATES = `${QUANTILE}State(${QUANTILES})(duration_ns / 1000000) AS latency_state, count() AS latency_count,
    ${QUANTILE}State(${QUANTILES})(ttft_seconds * 1000) AS ttft_state, count(ttft_seconds) AS ttft_count`;

/** `<name>_n`, the number of values, and `<name>_p`, [p50, p95, p99], of the merged states. */
function percentilesSql(name: string): string {
  return `sum(${name}_count) AS ${name}_n, ${QUANTILE}Merge(${QUANTILES})(${name}_state) AS ${name}_p`;
}

const MAX_PROPERTY_NAME_LENGTH = 256;

/** Built-in dimensions and the column of `spans` each groups by. */
export const DIMENSIONS = {
  '': "''",
  model: 'model',
  provider: 'provider',
  user: 'user_id',
  session_name: 'session_name',
  prompt_id: 'prompt_id',
  service: 'service_name',
  environment: 'environment',
} as const;

export interface GroupSpec {
  /** SQL of the group over the columns of `spans`. */
  sql: string;
  grouped: boolean;
}

export function groupSpec(groupBy: GroupBy | undefined, params: QueryParams): GroupSpec {
  if (groupBy === undefined || groupBy === null) return { sql: DIMENSIONS[''], grouped: false };
  if (typeof groupBy === 'string' && (groupBy as string) !== '' && Object.hasOwn(DIMENSIONS, groupBy)) {
    return { sql: DIMENSIONS[groupBy as keyof typeof DIMENSIONS], grouped: true };
  }
  if (typeof groupBy === 'string' && groupBy.startsWith('property:')) {
    const name = groupBy.slice('property:'.length);
    if (name === '' || name.length > MAX_PROPERTY_NAME_LENGTH) throw new QueryError(`groupBy property name must have 1 to ${MAX_PROPERTY_NAME_LENGTH} characters`, 'groupBy');
    return { sql: propertySql(params, name), grouped: true };
  }
  throw new QueryError(`groupBy must be one of ${Object.keys(DIMENSIONS).filter(Boolean).join(', ')} or property:<Name>, got ${JSON.stringify(groupBy)}`, 'groupBy');
}

export function validBucket(bucket: Bucket | undefined): Bucket | undefined {
  if (bucket === undefined || bucket === null || bucket === 'hour' || bucket === 'day') return bucket ?? undefined;
  throw new QueryError(`bucket must be hour or day, got ${JSON.stringify(bucket)}`, 'bucket');
}

/** Bucket numbers are UTC days or hours since the epoch (no time zone anywhere). */
function bucketSql(bucket: Bucket | undefined): string {
  if (bucket === 'day') return 'toUInt32(toUInt16(date))';
  if (bucket === 'hour') return 'toUInt32(intDiv(toUnixTimestamp(toStartOfHour(start_time)), 3600))';
  return 'toUInt32(0)';
}

export function bucketStart(bucket: Bucket, value: number | string): string {
  return new Date(Number(value) * (bucket === 'day' ? 86_400_000 : 3_600_000)).toISOString();
}

/**
 * Figures per (bucket, group) from raw rows. The cost stays a Decimal until the outer query, so
 * that sums over a group's buckets (its rank) and merged groups are exact in any order.
 */
const RAW_FIGURES = `count() AS requests, countIf(status_code = 'error') AS errors, countIf(resend_count > 0) AS retries, sum(toDecimal128(ifNull(cost_total_usd, 0), 15)) AS cost_dec,
    sum(ifNull(input_tokens, 0)) AS input_tokens, sum(ifNull(output_tokens, 0)) AS output_tokens,
    sum(ifNull(cache_read_tokens, 0)) AS cache_read_tokens, sum(ifNull(cache_creation_tokens, 0)) AS cache_creation_tokens,
    sum(ifNull(reasoning_tokens, 0)) AS reasoning_tokens,
    countIf(cost_status = 'cache_hit') AS cache_hits, sum(toDecimal128(ifNull(cost_saved_usd, 0), 15)) AS saved_dec,
    ${PERCENTILE_STATES}`;

const MERGED_FIGURES = `sum(requests) AS requests, sum(errors) AS errors, sum(retries) AS retries, toFloat64(sum(cost_dec)) AS cost_usd, sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
    sum(reasoning_tokens) AS reasoning_tokens, sum(cache_hits) AS cache_hits, toFloat64(sum(saved_dec)) AS saved_usd,
    ${percentilesSql('latency')}, ${percentilesSql('ttft')}`;

export interface FiguresQuery {
  ctx: QueryContext;
  /** The conditions on `spans` (project, range, model calls, filter), values bound in the query's params. */
  where: string;
  group: GroupSpec;
  bucket: Bucket | undefined;
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
  const perGroup = `SELECT ${bucketSql(q.bucket)} AS bucket, ${q.group.sql} AS grp, ${RAW_FIGURES}
          FROM ${q.ctx.spans} FINAL WHERE ${q.where} GROUP BY bucket, grp`;
  if (!q.rank) return `SELECT bucket, grp AS g, ${MERGED_FIGURES} FROM (${perGroup}) GROUP BY bucket, g ${q.tail}`;
  const limit = params.bind('UInt32', q.rank.limit);
  const ranked = `SELECT *, dense_rank() OVER (ORDER BY group_cost DESC, group_requests DESC, grp) AS group_rank
      FROM (SELECT *, sum(cost_dec) OVER (PARTITION BY grp) AS group_cost, sum(requests) OVER (PARTITION BY grp) AS group_requests FROM (${perGroup}))`;
  const g = q.rank.mode === 'other' ? `if(group_rank <= ${limit}, grp, ${params.bind('String', q.rank.otherName)})` : 'grp';
  const where = q.rank.mode === 'keep' ? `WHERE group_rank <= ${limit}` : '';
  return `SELECT bucket, ${g} AS g, ${MERGED_FIGURES} FROM (${ranked}) ${where} GROUP BY bucket, g ${q.tail}`;
}
