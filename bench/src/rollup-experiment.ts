/**
 * npm run bench:rollup — an experiment for issue 11 (analytics < 300 ms on 30 days, exact under
 * duplicate deliveries): pre-aggregations of `spans` measured beside today's read (`spans FINAL`),
 * on the embedded engine. Nothing here is used by the query engine; bench/README.md
 * ("Pre-aggregations that stay exact under duplicates") has the design and the figures.
 *
 * Candidates, created beside schema v3 (ensureSchema) before the load:
 * - **narrow**: `spans_narrow`, one row per model call version with only what analytics read,
 *   ReplacingMergeTree(version) ORDER BY (project_id, hour, span_key UInt64 =
 *   cityHash64(trace_id, span_id)), filled by an insert-time materialized view; read with FINAL.
 * - **hourly**: `usage_hourly`, figures (counts, Decimal cost sums, token sums, bfloat16 percentile
 *   states) per (project, hour, dimension, value, provider, status), rebuilt for whole hours from
 *   `spans FINAL` (so exact whatever was stored twice), each build stamped `built_at`; a tiny
 *   `dirty_hours` table, filled by an insert-time materialized view with (project, hour of the
 *   span, insert time), says which hours changed since their last build. A read takes the hours
 *   whose last build is newer than their last change (minus a grace for inserts in flight) from
 *   `usage_hourly` and every other hour from `spans FINAL`, in one statement.
 * Steps: load SPAN_COUNT spans (default 2 M) over 30 days with 2 % of the batches twice (the
 * exporter's encoding, query-bench-load.ts); time the insert cost of the two views (the same
 * encoded batches into a bare `spans` and into one with the views, interleaved); build the
 * rollup (timed); time the queries on each design as loaded; send a day's batches again (late
 * duplicates), rebuild the dirty hours (timed), check the answers; merge every table; time again;
 * then time parts of the hybrid read (the clean-hour test, the rollup rows, their sums, their
 * percentile states) for cost by model by day.
 * Every answer is compared with `spans FINAL`'s: requests and cost must be equal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, ensureSchema as ensureFullSchema, insertSpanBatch, MIGRATIONS, spanBatchBody, spanInsertFormat } from '@tokentrace/processors';
import { BenchData, type BenchBatch } from './query-bench-data.js';
import { loadSpans, mergePartitions, waitForMerges } from './query-bench-load.js';
import { median } from './stats.js';

/** The schema before migration 9 (which landed the rollup these candidates led to): `spans` without its views. */
const ensureSchema = (client: ClickHouseClient, db: string) => ensureFullSchema(client, db, MIGRATIONS.filter((m) => m.version < 9));

const SPAN_COUNT = Number(process.env.SPAN_COUNT ?? 2_000_000);
const RUNS = Number(process.env.QUERY_RUNS ?? 5);
const DB = 'tokentrace';
const PROJECT = 'default';
const DAY = 86_400_000;
/** An hour changed less than this before its build is built again (inserts in flight during a build). */
const GRACE_S = 15;
/** The properties the rollup keeps as dimensions (a configured list: a property not in it is read from spans). */
const ROLLUP_PROPERTIES = ['feature', 'tier'];
const SETTINGS = { do_not_merge_across_partitions_select_final: 1 } as const;

const QUANTILES = '0.5, 0.95, 0.99';
/** Per-row figures, as collector/src/queries/analytics-sql.ts computes them (RAW_FIGURES). */
const RAW_FIGURES = `count() AS requests, countIf(status_code = 'error') AS errors, countIf(resend_count > 0) AS retries,
  sum(toDecimal128(ifNull(cost_total_usd, 0), 15)) AS cost_dec, sum(ifNull(input_tokens, 0)) AS input_tokens, sum(ifNull(output_tokens, 0)) AS output_tokens,
  sum(ifNull(cache_read_tokens, 0)) AS cache_read_tokens, sum(ifNull(cache_creation_tokens, 0)) AS cache_creation_tokens, sum(ifNull(reasoning_tokens, 0)) AS reasoning_tokens,
  countIf(cost_status = 'cache_hit') AS cache_hits, sum(toDecimal128(ifNull(cost_saved_usd, 0), 15)) AS saved_dec,
  quantilesBFloat16State(${QUANTILES})(duration_ns / 1000000) AS latency_state, count() AS latency_count,
  quantilesBFloat16State(${QUANTILES})(ttft_seconds * 1000) AS ttft_state, count(ttft_seconds) AS ttft_count`;
/** The same figures over rows that already hold figures (the rollup, or a per-group subquery). */
const REMERGED = `sum(requests) AS requests, sum(errors) AS errors, sum(retries) AS retries, sum(cost_dec) AS cost_dec, sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
  sum(reasoning_tokens) AS reasoning_tokens, sum(cache_hits) AS cache_hits, sum(saved_dec) AS saved_dec,
  quantilesBFloat16MergeState(${QUANTILES})(latency_state) AS latency_state, sum(latency_count) AS latency_count,
  quantilesBFloat16MergeState(${QUANTILES})(ttft_state) AS ttft_state, sum(ttft_count) AS ttft_count`;
const FINAL_FIGURES = `sum(requests) AS requests, toFloat64(sum(cost_dec)) AS cost_usd, sum(input_tokens) AS input_tokens,
  quantilesBFloat16Merge(${QUANTILES})(latency_state) AS latency_p, quantilesBFloat16Merge(${QUANTILES})(ttft_state) AS ttft_p`;

const MODEL_CALL_COLUMNS = `model, provider, user_id, service_name, environment, prompt_id, session_name, status_code, cost_status, resend_count,
  cost_total_usd, cost_saved_usd, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, duration_ns, ttft_seconds, properties`;

/** The experiment's tables and views (what a migration 9 would create). */
function ddl(db: string): string[] {
  const merge = 'min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1';
  return [
    `CREATE TABLE ${db}.spans_narrow ENGINE = ReplacingMergeTree(version) PARTITION BY toDate(hour) ORDER BY (project_id, hour, span_key) SETTINGS ${merge}
     EMPTY AS SELECT project_id, toStartOfHour(start_time) AS hour, cityHash64(trace_id, span_id) AS span_key, ${MODEL_CALL_COLUMNS}, version FROM ${db}.spans`,
    `CREATE MATERIALIZED VIEW ${db}.spans_narrow_mv TO ${db}.spans_narrow AS
     SELECT project_id, toStartOfHour(start_time) AS hour, cityHash64(trace_id, span_id) AS span_key, ${MODEL_CALL_COLUMNS}, version FROM ${db}.spans WHERE is_model_call = 1`,
    `CREATE TABLE ${db}.dirty_hours (project_id LowCardinality(String), hour DateTime('UTC'), changed_at DateTime64(6, 'UTC'))
     ENGINE = ReplacingMergeTree(changed_at) ORDER BY (project_id, hour)`,
    `CREATE MATERIALIZED VIEW ${db}.dirty_hours_mv TO ${db}.dirty_hours AS
     SELECT project_id, toStartOfHour(start_time) AS hour, now64(6, 'UTC') AS changed_at FROM ${db}.spans GROUP BY project_id, hour`,
    `CREATE TABLE ${db}.usage_hourly ENGINE = MergeTree PARTITION BY toYYYYMM(hour) ORDER BY (project_id, dim, hour, value, built_at)
     EMPTY AS ${buildSelect(db, "toDateTime64('2000-01-01', 6, 'UTC')", 'true')}`,
    `CREATE TABLE ${db}.usage_hourly_builds (project_id LowCardinality(String), hour DateTime('UTC'), built_at DateTime64(6, 'UTC'))
     ENGINE = ReplacingMergeTree(built_at) ORDER BY (project_id, hour)`,
  ];
}

/** Figures per (hour, dimension, value, provider, status) of the model calls `where` selects, from spans FINAL. */
function buildSelect(db: string, builtAt: string, where: string): string {
  const dims = [`('', '')`, `('model', model)`, `('user', user_id)`, `('service', service_name)`, `('environment', environment)`, `('prompt_id', prompt_id)`, `('session_name', session_name)`, `('provider', provider)`, ...ROLLUP_PROPERTIES.map((p) => `('property:${p}', properties['${p}'])`)];
  return `SELECT project_id, toStartOfHour(start_time) AS hour, ${builtAt} AS built_at, d.1 AS dim, d.2 AS value, provider, toString(status_code) AS status, ${RAW_FIGURES}
    FROM ${db}.spans FINAL ARRAY JOIN [${dims.join(', ')}] AS d WHERE ${where} GROUP BY project_id, hour, dim, value, provider, status`;
}

/**
 * Rebuilds the given hours of the project from spans FINAL, a day's worth per statement (a whole
 * month in one statement needs more than the embedded engine's 2 GiB): what a refresh would do.
 */
async function rebuild(client: ClickHouseClient, hours: number[]): Promise<void> {
  const builtAt = `toDateTime64({built_at:String}, 6, 'UTC')`;
  const built_at = new Date().toISOString().replace('T', ' ').replace('Z', '');
  for (let i = 0; i < hours.length; i += 24) {
    const params = { project: PROJECT, hours: hours.slice(i, i + 24), built_at };
    const range = `toStartOfHour(start_time) IN (SELECT toDateTime(arrayJoin({hours:Array(UInt32)}), 'UTC'))`;
    await client.command({ query: `INSERT INTO ${DB}.usage_hourly ${buildSelect(DB, builtAt, `project_id = {project:String} AND is_model_call = 1 AND ${range}`)}`, query_params: params, clickhouse_settings: SETTINGS });
    await client.command({
      query: `INSERT INTO ${DB}.usage_hourly_builds (project_id, hour, built_at) SELECT {project:String}, toDateTime(arrayJoin({hours:Array(UInt32)}), 'UTC'), ${builtAt}`,
      query_params: params,
    });
  }
}

/** Every hour of the project that has spans and starts before `before` (epoch ms). */
async function storedHours(client: ClickHouseClient, before: number): Promise<number[]> {
  const result = await client.query({
    query: `SELECT DISTINCT toUnixTimestamp(hour) AS h FROM ${DB}.dirty_hours WHERE project_id = {project:String} AND hour < toStartOfHour(toDateTime({before:UInt32})) ORDER BY h`,
    query_params: { project: PROJECT, before: Math.floor(before / 1000) },
    format: 'JSONEachRow',
  });
  return (await result.json<{ h: number }>()).map((r) => Number(r.h));
}

/** Hours whose last change is older than their last build (minus the grace): the rollup has them right. */
function cleanHours(): string {
  return `SELECT b.hour AS hour, b.built_at AS built_at FROM (SELECT hour, max(built_at) AS built_at FROM ${DB}.usage_hourly_builds WHERE project_id = {project:String} GROUP BY hour) AS b
    LEFT JOIN (SELECT hour, max(changed_at) AS changed_at FROM ${DB}.dirty_hours WHERE project_id = {project:String} GROUP BY hour) AS d ON b.hour = d.hour
    WHERE d.changed_at < b.built_at - INTERVAL ${GRACE_S} SECOND OR d.changed_at = 0`;
}

interface Query {
  name: string;
  /** SQL of the group over the columns of spans, its rollup dimension, a filter on spans and on the rollup (provider / status only). */
  group: string;
  dim: string;
  days: number;
  bucket: 'day' | 'hour' | 'none';
  where: string;
  rollupWhere: string;
}

const bucketOf = (b: Query['bucket'], hour: string) => (b === 'day' ? `toDate(${hour})` : b === 'hour' ? hour : '0');

/** Today's statement shape on `spans FINAL` (or on `spans_narrow FINAL`): per (bucket, group), then merged. */
function rawSql(q: Query, table: 'spans' | 'spans_narrow'): string {
  const hour = table === 'spans' ? 'toStartOfHour(start_time)' : 'hour';
  const model = table === 'spans' ? 'is_model_call = 1 AND ' : '';
  const range = table === 'spans' ? 'start_time >= {from:DateTime64(9)} AND start_time < {to:DateTime64(9)}' : 'hour >= toStartOfHour({from:DateTime64(9)}) AND hour < {to:DateTime64(9)}';
  return `SELECT bucket, grp, ${FINAL_FIGURES} FROM (SELECT ${bucketOf(q.bucket, hour)} AS bucket, ${q.group} AS grp, ${RAW_FIGURES}
    FROM ${DB}.${table} FINAL WHERE project_id = {project:String} AND ${model}${range} ${q.where} GROUP BY bucket, grp) GROUP BY bucket, grp ORDER BY bucket, grp`;
}

/** The hybrid read: clean hours from usage_hourly (their last build only), the others from spans FINAL. */
function hybridSql(q: Query): string {
  const fromRollup = `SELECT ${bucketOf(q.bucket, 'hour')} AS bucket, value AS grp, ${REMERGED} FROM ${DB}.usage_hourly
    WHERE project_id = {project:String} AND dim = '${q.dim}' AND hour >= {from:DateTime64(9)} AND hour < toStartOfHour({to:DateTime64(9)})
      AND (hour, built_at) IN (SELECT hour, built_at FROM clean) ${q.rollupWhere} GROUP BY bucket, grp`;
  const fromSpans = `SELECT ${bucketOf(q.bucket, 'toStartOfHour(start_time)')} AS bucket, ${q.group} AS grp, ${RAW_FIGURES} FROM ${DB}.spans FINAL
    WHERE project_id = {project:String} AND is_model_call = 1 AND start_time >= {from:DateTime64(9)} AND start_time < {to:DateTime64(9)}
      AND toStartOfHour(start_time) IN (SELECT toDateTime(arrayJoin({raw_hours:Array(UInt32)}), 'UTC')) ${q.where} GROUP BY bucket, grp`;
  return `WITH clean AS (${cleanHours()}) SELECT bucket, grp, ${FINAL_FIGURES} FROM (${fromRollup} UNION ALL ${fromSpans}) GROUP BY bucket, grp ORDER BY bucket, grp`;
}

/** The hours of [from, to) that the rollup cannot answer: partial hours at both ends and hours not clean. */
async function rawHours(client: ClickHouseClient, from: number, to: number): Promise<number[]> {
  const result = await client.query({ query: `${cleanHours()}`, query_params: { project: PROJECT }, format: 'JSONEachRow' });
  const clean = new Set((await result.json<{ hour: string }>()).map((r) => Date.parse(`${r.hour.replace(' ', 'T')}Z`) / 1000));
  const hours: number[] = [];
  for (let h = Math.floor(from / 3_600_000) * 3600; h * 1000 < to; h += 3600) {
    const whole = h * 1000 >= from && (h + 3600) * 1000 <= to;
    if (!whole || !clean.has(h)) hours.push(h);
  }
  return hours;
}

interface Answer {
  requests: number;
  cost: number;
  rows: number;
}

async function run(client: ClickHouseClient, sql: string, q: Query, end: number, extra: Record<string, unknown> = {}): Promise<Answer> {
  const from = end - q.days * DAY;
  const params = { project: PROJECT, from: (from / 1000).toFixed(3), to: (end / 1000).toFixed(3), ...extra };
  const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: SETTINGS });
  const rows = await result.json<{ requests: string; cost_usd: number }>();
  return { requests: rows.reduce((s, r) => s + Number(r.requests), 0), cost: rows.reduce((s, r) => s + r.cost_usd, 0), rows: rows.length };
}

type Design = 'spans FINAL' | 'narrow FINAL' | 'hourly rollup';
const DESIGNS: Design[] = ['spans FINAL', 'narrow FINAL', 'hourly rollup'];

async function runDesign(client: ClickHouseClient, design: Design, q: Query, end: number): Promise<Answer> {
  if (design === 'spans FINAL') return run(client, rawSql(q, 'spans'), q, end);
  if (design === 'narrow FINAL') return run(client, rawSql(q, 'spans_narrow'), q, end);
  const hours = await rawHours(client, end - q.days * DAY, end);
  return run(client, hybridSql(q), q, end, { raw_hours: hours });
}

/** Each query on each design, interleaved, median of RUNS; every answer checked against spans FINAL. */
async function timeDesigns(client: ClickHouseClient, queries: Query[], end: number): Promise<void> {
  for (const q of queries) {
    const expected = await runDesign(client, 'spans FINAL', q, end);
    const times = new Map<Design, number[]>(DESIGNS.map((d) => [d, []]));
    const verdicts: string[] = [];
    for (const d of DESIGNS) {
      const a = await runDesign(client, d, q, end);
      const exact = a.requests === expected.requests && Math.abs(a.cost - expected.cost) <= 1e-9 * expected.cost && a.rows === expected.rows;
      verdicts.push(`${d}: ${exact ? 'exact' : `WRONG (${a.requests} requests, $${a.cost.toFixed(4)}, ${a.rows} rows)`}`);
      if (!exact) process.exitCode = 1;
    }
    for (let i = 0; i < RUNS; i++) {
      for (const d of DESIGNS) {
        const t = performance.now();
        await runDesign(client, d, q, end);
        times.get(d)!.push(performance.now() - t);
      }
    }
    const base = median(times.get('spans FINAL')!);
    const cells = DESIGNS.map((d) => `${d} ${median(times.get(d)!).toFixed(0).padStart(6)} ms (×${(base / median(times.get(d)!)).toFixed(1)})`);
    console.log(`  ${q.name.padEnd(44)} ${cells.join('  ')}`);
    console.log(`  ${''.padEnd(44)} ${expected.requests.toLocaleString('en')} requests, $${expected.cost.toFixed(4)}, ${expected.rows} rows; ${verdicts.join(', ')}`);
  }
}

/**
 * Engine rows/s for the same encoded batches into a bare `spans`, one with dirty_hours_mv only
 * (the hourly rollup's insert cost) and one with spans_narrow_mv too, interleaved.
 */
async function insertCost(client: ClickHouseClient, batches: BenchBatch[]): Promise<void> {
  const variants = [
    { db: 'cost_bare', label: 'bare spans', views: [] as string[] },
    { db: 'cost_dirty', label: '+ dirty_hours_mv', views: ['dirty_hours'] },
    { db: 'cost_both', label: '+ dirty_hours_mv + spans_narrow_mv', views: ['dirty_hours', 'spans_narrow'] },
  ];
  for (const v of variants) {
    await ensureSchema(client, v.db);
    for (const stmt of ddl(v.db)) if (v.views.some((name) => stmt.includes(`${v.db}.${name} `) || stmt.includes(`${v.db}.${name}_mv `))) await client.command({ query: stmt });
  }
  const times = new Map<string, number[]>(variants.map((v) => [v.db, []]));
  for (let round = 0; round < 3; round++) {
    for (const v of variants) {
      const t = performance.now();
      for (const b of batches) await insertSpanBatch(client, `${v.db}.spans`, b.body);
      times.get(v.db)!.push(performance.now() - t);
    }
  }
  const rows = batches.reduce((s, b) => s + b.rows, 0);
  const rates = variants.map((v) => rows / (median(times.get(v.db)!) / 1000));
  console.log(`insert cost (${rows.toLocaleString('en')} spans in ${batches.length} batches of the exporter's encoding, 3 rounds interleaved, medians):`);
  variants.forEach((v, i) => console.log(`  ${v.label.padEnd(40)} ${Math.round(rates[i]).toLocaleString('en').padStart(8)} rows/s (×${(rates[i] / rates[0]).toFixed(2)}, ${((1 / rates[i] - 1 / rates[0]) * 1e6).toFixed(1)} µs per span more)`));
  for (const v of variants) await client.command({ query: `DROP DATABASE ${v.db} SYNC` });
}

/** Where the hybrid read's time goes: parts of its statement for one query, interleaved, medians. */
async function rollupParts(client: ClickHouseClient, q: Query, end: number): Promise<void> {
  const where = `project_id = {project:String} AND dim = '${q.dim}' AND hour >= {from:DateTime64(9)} AND hour < toStartOfHour({to:DateTime64(9)})`;
  const sums = REMERGED.split('quantilesBFloat16MergeState')[0].replace(/,\s*$/, '');
  const parts: [string, () => Promise<unknown>][] = [
    ['clean hours (builds ⋈ dirty_hours)', () => client.query({ query: cleanHours(), query_params: { project: PROJECT }, format: 'JSONEachRow' }).then((r) => r.json())],
    ['rollup rows, count only', () => run(client, `SELECT count() AS requests, 0 AS cost_usd FROM ${DB}.usage_hourly WHERE ${where}`, q, end)],
    ['rollup, sums per (day, model), no states', () => run(client, `SELECT ${bucketOf(q.bucket, 'hour')} AS bucket, value AS grp, ${sums} FROM ${DB}.usage_hourly WHERE ${where} GROUP BY bucket, grp`, q, end)],
    ['rollup, + percentile states merged', () => run(client, `SELECT bucket, grp, ${FINAL_FIGURES} FROM (SELECT ${bucketOf(q.bucket, 'hour')} AS bucket, value AS grp, ${REMERGED} FROM ${DB}.usage_hourly WHERE ${where} GROUP BY bucket, grp) GROUP BY bucket, grp`, q, end)],
    ['rollup, states merged in one level', () => run(client, `SELECT ${bucketOf(q.bucket, 'hour')} AS bucket, value AS grp, ${sums.replace('sum(cost_dec) AS cost_dec', 'toFloat64(sum(cost_dec)) AS cost_usd')}, quantilesBFloat16Merge(${QUANTILES})(latency_state) AS latency_p, quantilesBFloat16Merge(${QUANTILES})(ttft_state) AS ttft_p FROM ${DB}.usage_hourly WHERE ${where} GROUP BY bucket, grp`, q, end)],
    ['rollup, latency state only, one level', () => run(client, `SELECT ${bucketOf(q.bucket, 'hour')} AS bucket, value AS grp, ${sums.replace('sum(cost_dec) AS cost_dec', 'toFloat64(sum(cost_dec)) AS cost_usd')}, quantilesBFloat16Merge(${QUANTILES})(latency_state) AS latency_p FROM ${DB}.usage_hourly WHERE ${where} GROUP BY bucket, grp`, q, end)],
    ['hybrid as timed above', () => runDesign(client, 'hourly rollup', q, end)],
  ];
  // A second level: the hourly rows merged per day ahead (what long ranges would read; hours of a
  // day not all clean would be read at the hourly level).
  const t = performance.now();
  await client.command({
    query: `CREATE TABLE ${DB}.usage_daily ENGINE = MergeTree ORDER BY (project_id, dim, day, value) AS
      SELECT project_id, dim, toDate(hour) AS day, value, provider, status, ${REMERGED} FROM ${DB}.usage_hourly
      WHERE (hour, built_at) IN (SELECT hour, built_at FROM (${cleanHours()})) GROUP BY project_id, dim, day, value, provider, status`,
    query_params: { project: PROJECT },
  });
  console.log(`\nusage_daily built from usage_hourly in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const dayWhere = `project_id = {project:String} AND dim = '${q.dim}' AND day >= toDate({from:DateTime64(9)}) AND day < toDate({to:DateTime64(9)})`;
  parts.push(['usage_daily, + percentile states merged', () => run(client, `SELECT bucket, grp, ${FINAL_FIGURES} FROM (SELECT day AS bucket, value AS grp, ${REMERGED} FROM ${DB}.usage_daily WHERE ${dayWhere} GROUP BY bucket, grp) GROUP BY bucket, grp`, q, end)]);
  const times = parts.map(() => [] as number[]);
  for (let i = 0; i <= RUNS; i++) {
    for (const [k, [, f]] of parts.entries()) {
      const t = performance.now();
      await f();
      if (i > 0) times[k].push(performance.now() - t);
    }
  }
  console.log(`where the hybrid read's time goes, ${q.name}, merged, median of ${RUNS}:`);
  parts.forEach(([name], k) => console.log(`  ${name.padEnd(44)} ${median(times[k]).toFixed(0).padStart(6)} ms`));
}

async function tableSizes(client: ClickHouseClient): Promise<string> {
  const result = await client.query({
    query: `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = '${DB}' AND active GROUP BY table ORDER BY table`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ table: string; rows: string; parts: string; bytes: string }>()).map((r) => `${r.table} ${Number(r.rows).toLocaleString('en')} rows / ${r.parts} parts / ${(Number(r.bytes) / 2 ** 20).toFixed(1)} MiB`).join('; ');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-bench-rollup-'));
  const client = createClickHouseClient({ url: '', dataDir: join(dir, 'clickhouse'), requestTimeoutMs: 600_000, maxOpenConnections: 4 });
  try {
    await ensureSchema(client, DB);
    const cost = new BenchData({ spans: 100_000, endMs: Date.now(), days: 1, project: PROJECT }, [1]);
    const costBatches: BenchBatch[] = [];
    while (!cost.done) costBatches.push(cost.batch(5000, Date.now() * 1000, spanInsertFormat(client)));
    await insertCost(client, costBatches);

    for (const stmt of ddl(DB)) await client.command({ query: stmt });
    const end = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 1; // the data ends just before this hour: every queried hour whole but the last
    const data = new BenchData({ spans: SPAN_COUNT, endMs: end, days: 30, project: PROJECT }, [30]);
    console.log(`\nloading ${SPAN_COUNT.toLocaleString('en')} spans over 30 days (views attached), 2 % of the batches twice…`);
    const load = await loadSpans(client, `${DB}.spans`, data, { batchSpans: 20_000, concurrency: 2, duplicateEvery: 50 }, () => undefined);
    console.log(`loaded ${load.rows.toLocaleString('en')} spans (+${load.duplicateRows.toLocaleString('en')} twice) in ${load.seconds.toFixed(1)} s; merges quiet after ${(await waitForMerges(client, DB, 5000, 120_000)).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, (GRACE_S + 1) * 1000)); // hours changed within the grace are not built
    let t = performance.now();
    await rebuild(client, await storedHours(client, end - 3_600_000)); // every hour but the last, still "open"
    console.log(`rollup built from spans FINAL for 30 days in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    console.log(`tables: ${await tableSizes(client)}`);

    const ask = end + 1; // ranges end at the hour after the data; the last hour is read from spans
    const queries: Query[] = [
      { name: 'cost by user, 7 days', group: 'user_id', dim: 'user', days: 7, bucket: 'none', where: '', rollupWhere: '' },
      { name: 'cost by model by day, 30 days', group: 'model', dim: 'model', days: 30, bucket: 'day', where: '', rollupWhere: '' },
      { name: 'property feature, 30 d, anthropic & ok', group: "properties['feature']", dim: 'property:feature', days: 30, bucket: 'none', where: "AND provider = 'anthropic' AND status_code = 'ok'", rollupWhere: "AND provider = 'anthropic' AND status = 'ok'" },
      { name: 'explainer: cost by hour by model, 30 d', group: 'model', dim: 'model', days: 30, bucket: 'hour', where: '', rollupWhere: '' },
    ];
    console.log(`\nas loaded, median of ${RUNS}, interleaved (×: speed-up over spans FINAL):`);
    await timeDesigns(client, queries, ask);

    // Late duplicates: the batches of one day 10 days back sent again, after the rollup was built.
    const late = new BenchData({ spans: SPAN_COUNT, endMs: end, days: 30, project: PROJECT }, [30]);
    const dayFrom = end - 10 * DAY;
    let resent = 0;
    while (!late.done) {
      const records = late.records(20_000);
      const inDay = records.filter((r) => r.startTimeUnixNano >= BigInt(dayFrom) * 1_000_000n && r.startTimeUnixNano < BigInt(dayFrom + DAY) * 1_000_000n);
      if (inDay.length > 0) await insertSpanBatch(client, `${DB}.spans`, spanBatchBody(inDay, Date.now() * 1000, spanInsertFormat(client))), (resent += inDay.length);
    }
    const dirty = await rawHours(client, ask - 30 * DAY, ask);
    console.log(`\n${resent.toLocaleString('en')} spans of one day sent again after the build: ${dirty.length} hours of 30 days now read from spans until rebuilt`);
    await timeDesigns(client, queries.slice(1, 2), ask);
    await new Promise((r) => setTimeout(r, (GRACE_S + 1) * 1000));
    t = performance.now();
    const stale = dirty.filter((h) => h * 1000 < end - 3_600_000);
    await rebuild(client, stale);
    console.log(`rebuilt ${stale.length} dirty hours from spans FINAL in ${((performance.now() - t) / 1000).toFixed(2)} s`);

    t = performance.now();
    await mergePartitions(client, DB);
    for (const table of ['spans_narrow', 'usage_hourly', 'dirty_hours', 'usage_hourly_builds']) await client.command({ query: `OPTIMIZE TABLE ${DB}.${table} FINAL` });
    console.log(`\nmerged every table in ${((performance.now() - t) / 1000).toFixed(1)} s; tables: ${await tableSizes(client)}`);
    console.log(`merged, median of ${RUNS}, interleaved:`);
    await timeDesigns(client, queries, ask);
    await rollupParts(client, queries[1], ask);
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
