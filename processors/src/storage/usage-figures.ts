/**
 * The usage figures of model calls (requests, errors, Decimal costs, token sums, latency and TTFT
 * histograms) as SQL, declared once for both places that compute them: the query engine's reads
 * of `spans` (collector/src/queries/analytics-sql.ts) and the builds of the usage rollup
 * (usage-rollup-build.ts), whose rows hold the same columns. A figure computed from spans and the
 * same figure re-merged from rollup rows are the same number: sums of integers and of
 * `Decimal128(15)` are exact in any order, and the histograms below merge by adding counts.
 *
 * Percentiles come from a log-bucket histogram: a value v > 0 (milliseconds) is counted in bucket
 * k = floor(log(v) / log(r)) with r = HISTOGRAM_RATIO; 0 has its own bucket. A histogram is a
 * `Map(Int16, UInt64)`, bucket → count, holding only the buckets that hold a value: counted from
 * spans with `countMap` (the -Map combinator: a hash table per group, ≈ 2× cheaper than
 * `sumMap` of one-element arrays, bench/README.md), merged with `sumMap`. A percentile p is the
 * bucket of the call of rank ceil(p·n) (nearest rank, integer arithmetic), reported as the
 * bucket's geometric middle r^(k + 1/2): within a factor r^(±1/2) of the exact value (±2.5 % for
 * r = 1.05). The same values give the same histogram whatever the order they are added in, so
 * the same rows give the same percentiles, from spans or from the rollup.
 */

/** The ratio between the bounds of a histogram bucket. */
export const HISTOGRAM_RATIO = 1.05;
/** The percentiles reported, in percent (integers, so ranks are computed without rounding). */
export const PERCENTILES = [50, 95, 99] as const;
/** The key of the bucket of the value 0 (and of negative values, which a duration never is). */
const ZERO_KEY = -32768;

/** The histogram bucket of `value` (Float64 milliseconds), an Int16. */
export function histogramKeySql(value: string): string {
  return `toInt16(if(${value} <= 0, ${ZERO_KEY}, greatest(-32767, least(32767, floor(log(${value}) / log(${HISTOGRAM_RATIO}))))))`;
}

/**
 * [p50, p95, p99] of a merged histogram (`sumMap` result): the key at the first cumulative count
 * ≥ ceil(p·n / 100), as the bucket's geometric middle. Meaningless (but defined) when n = 0:
 * readers report no percentile then.
 */
export function histogramPercentilesSql(merged: string): string {
  const sorted = `mapSort(${merged})`;
  const n = `arraySum(mapValues(${sorted}))`;
  const key = (p: number) => `mapKeys(${sorted})[arrayFirstIndex(c -> c >= intDiv(${n} * ${p} + 99, 100), arrayCumSum(mapValues(${sorted})))]`;
  return `arrayMap(k -> if(k = ${ZERO_KEY}, 0, pow(${HISTOGRAM_RATIO}, k + 0.5)), [${PERCENTILES.map(key).join(', ')}])`;
}

/** Latency and TTFT histograms of spans rows, and how many values each holds. */
const SPAN_HISTOGRAMS = `countMap(map(${histogramKeySql('duration_ns / 1000000')}, 1)) AS latency_h, count() AS latency_count,
    countMapIf(map(${histogramKeySql('ifNull(ttft_seconds, 0) * 1000')}, 1), isNotNull(ttft_seconds)) AS ttft_h, count(ttft_seconds) AS ttft_count`;

/**
 * Figures of `spans` rows (model calls), per group of the enclosing GROUP BY. The cost stays a
 * Decimal until the outer query, so that sums over buckets and merged groups are exact in any order.
 */
export const SPAN_FIGURES = `count() AS requests, countIf(status_code = 'error') AS errors, countIf(resend_count > 0) AS retries, sum(toDecimal128(ifNull(cost_total_usd, 0), 15)) AS cost_dec,
    sum(ifNull(input_tokens, 0)) AS input_tokens, sum(ifNull(output_tokens, 0)) AS output_tokens,
    sum(ifNull(cache_read_tokens, 0)) AS cache_read_tokens, sum(ifNull(cache_creation_tokens, 0)) AS cache_creation_tokens,
    sum(ifNull(reasoning_tokens, 0)) AS reasoning_tokens,
    countIf(cost_status = 'cache_hit') AS cache_hits, sum(toDecimal128(ifNull(cost_saved_usd, 0), 15)) AS saved_dec,
    ${SPAN_HISTOGRAMS}`;

/** The columns of `spans` SPAN_FIGURES reads. */
export const SPAN_FIGURE_INPUTS = 'status_code, resend_count, cost_total_usd, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_status, cost_saved_usd, duration_ns, ttft_seconds';

/** The figure columns, in the order SPAN_FIGURES and MERGED_FIGURES give them (and usage_rollup stores them). */
export const FIGURE_COLUMNS = [
  'requests', 'errors', 'retries', 'cost_dec', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'reasoning_tokens',
  'cache_hits', 'saved_dec', 'latency_h', 'latency_count', 'ttft_h', 'ttft_count',
] as const;

/** `columns`' figures merged over rows that already hold them: histograms with `sumMap`, the rest with `sum`. */
function mergedFigures(columns: readonly string[]): string {
  return columns.map((c) => (c.endsWith('_h') ? `sumMap(${c}) AS ${c}` : `sum(${c}) AS ${c}`)).join(', ');
}

/** The same figures over rows that already hold figures (rollup rows, per-group subqueries). */
export const MERGED_FIGURES = mergedFigures(FIGURE_COLUMNS);

/**
 * Costs by kind (input including cached reads, cached reads, output), which the spend-change
 * explainer decomposes (collector/src/insights/explain): kept in the rollup beside the figures
 * above (analytics do not read them), as exact `Decimal128(15)` sums like the total cost.
 */
export const COST_KIND_FIGURES = `sum(toDecimal128(ifNull(cost_input_usd, 0), 15)) AS cost_input_dec, sum(toDecimal128(ifNull(cost_cache_read_usd, 0), 15)) AS cost_cache_read_dec,
    sum(toDecimal128(ifNull(cost_output_usd, 0), 15)) AS cost_output_dec`;

/** The columns of `spans` COST_KIND_FIGURES reads. */
export const COST_KIND_INPUTS = 'cost_input_usd, cost_cache_read_usd, cost_output_usd';

/** The columns of the usage rollup's figures: FIGURE_COLUMNS, then COST_KIND_FIGURES'. */
export const ROLLUP_FIGURE_COLUMNS = [...FIGURE_COLUMNS, 'cost_input_dec', 'cost_cache_read_dec', 'cost_output_dec'] as const;

/** A rollup row's figures from `spans` rows (ROLLUP_FIGURE_COLUMNS' order), and the columns of `spans` they read. */
export const ROLLUP_SPAN_FIGURES = `${SPAN_FIGURES}, ${COST_KIND_FIGURES}`;
export const ROLLUP_SPAN_FIGURE_INPUTS = `${SPAN_FIGURE_INPUTS}, ${COST_KIND_INPUTS}`;

/** A rollup row's figures merged from rollup rows (day builds from hour builds). */
export const ROLLUP_MERGED_FIGURES = mergedFigures(ROLLUP_FIGURE_COLUMNS);

/** The column lines of the figures in usage_rollup, as ROLLUP_SPAN_FIGURES gives them. */
export const FIGURE_COLUMNS_DDL = ROLLUP_FIGURE_COLUMNS.map((c) => {
  if (c.endsWith('_h')) return `    ${c} Map(Int16, UInt64)`;
  if (c.endsWith('_dec')) return `    ${c} Decimal(38, 15)`;
  return `    ${c} UInt64`;
}).join(',\n');

/**
 * The dimensions analytics group by, and the column of `spans` each reads: `''` is no group.
 * The rollup keeps figures per value of each (and of the configured properties).
 */
export const USAGE_DIMENSIONS = {
  '': "''",
  model: 'model',
  provider: 'provider',
  user: 'user_id',
  session_name: 'session_name',
  prompt_id: 'prompt_id',
  service: 'service_name',
  environment: 'environment',
} as const;

export type UsageDimension = keyof typeof USAGE_DIMENSIONS;

/** The rollup's name of the dimension of custom property `name` (lower-cased, as stored). */
export function propertyDimension(name: string): string {
  return `property:${name.toLowerCase()}`;
}
