/**
 * The versioned schema, as an append-only list of migrations. A released migration never
 * changes: a new column or table is a new entry with the next version. Every statement is
 * idempotent on its own (IF NOT EXISTS), so a migration interrupted half-way, or run by two
 * collectors at once, is simply run again.
 *
 * All SQL runs on ClickHouse 18.16 (Debian) and on current releases: no Map, JSON, DateTime64 or
 * LowCardinality types, no data-skipping indexes (18.16 has neither them nor the flag that later
 * enabled them), no projections, no `SETTINGS` clause, `DateTime('UTC')` so that dates do not
 * depend on the server's time zone. Why the `spans` table looks the way it does: README.md.
 *
 * Tables are declared once and rendered by a layout (schema-layout.ts): on one server as they
 * always were, on a cluster as local tables on each shard behind Distributed tables of the same
 * names. So a statement names the table holding rows as `layout.local(name)`.
 */
import { singleNodeLayout, type SchemaLayout, type TableSpec } from './schema-layout.js';

export interface Migration {
  version: number;
  name: string;
  /** The statements, for a database name already quoted as an identifier, in `layout` (default: one server). */
  statements(db: string, layout?: SchemaLayout): string[];
  /** The migration copies rows stored by earlier versions (a backfill), which `ON CLUSTER` cannot do. */
  copiesData?: boolean;
}

/** Spans (and the tables filled from them) go to the shard of their trace: see schema-layout.ts. */
const BY_TRACE = 'cityHash64(trace_id)';

/** `kind` and `status_code` spell the OTLP enums (opentelemetry-proto trace.proto, Span.SpanKind / Status.StatusCode). */
const SPANS_V1: TableSpec = {
  name: 'spans',
  columns: `    project_id String,
    date Date,
    start_time DateTime('UTC'),
    start_time_ns UInt64,
    duration_ns UInt64,
    trace_id String,
    span_id String,
    parent_span_id String,
    service_name String,
    environment String,
    name String,
    kind Enum8('unspecified' = 0, 'internal' = 1, 'server' = 2, 'client' = 3, 'producer' = 4, 'consumer' = 5),
    status_code Enum8('unset' = 0, 'ok' = 1, 'error' = 2),
    status_message String,
    scope_name String,
    scope_version String,
    is_model_call UInt8,
    provider String,
    operation String,
    request_model String,
    response_model String,
    input_tokens Nullable(UInt64),
    output_tokens Nullable(UInt64),
    cache_read_tokens Nullable(UInt64),
    cache_creation_tokens Nullable(UInt64),
    reasoning_tokens Nullable(UInt64),
    cost_input_usd Nullable(Float64),
    cost_output_usd Nullable(Float64),
    cost_cache_read_usd Nullable(Float64),
    cost_cache_write_usd Nullable(Float64),
    cost_total_usd Nullable(Float64),
    cost_status String,
    priced_model String,
    ttft_seconds Nullable(Float64),
    user_id String,
    session_id String,
    session_name String,
    session_path String,
    session_parent_path String,
    session_depth UInt16,
    prompt_id String,
    error_type String,
    property_keys Array(String),
    property_values Array(String),
    attributes String,
    resource_attributes String,
    events String,
    version UInt64`,
  engine: 'ReplacingMergeTree',
  engineArgs: 'version',
  keys: `PARTITION BY toYYYYMM(date)
ORDER BY (project_id, date, trace_id, span_id)`,
  shardBy: BY_TRACE,
};

/**
 * Where a trace's or a session's spans lie in time, filled by a materialized view on every insert
 * into `spans`: a lookup reads the id's first and last start here (a point read on the key), then
 * only those days of `spans`. On 18.16 with 10M spans that turns a trace lookup with FINAL from
 * ~170-280 ms into ~10 ms, and a session lookup (session_id is not in the key of `spans`) from
 * ~3 s into ~80 ms (README.md). Only min and max are kept: a re-sent batch does not change them,
 * whereas sums in a materialized view would count it twice.
 */
function timeIndex(db: string, layout: SchemaLayout, table: string, idColumn: 'trace_id' | 'session_id'): string[] {
  return [
    ...layout.table(db, {
      name: table,
      columns: `    project_id String,
    ${idColumn} String,
    first_start AggregateFunction(min, DateTime('UTC')),
    last_start AggregateFunction(max, DateTime('UTC'))`,
      engine: 'AggregatingMergeTree',
      keys: `ORDER BY (project_id, ${idColumn})`,
      // A session's traces may lie on several shards, each indexing its own: reads merge the states.
      shardBy: idColumn === 'trace_id' ? BY_TRACE : undefined,
    }),
    layout.view(
      db,
      `${table}_mv`,
      table,
      `SELECT
    project_id,
    ${idColumn},
    minState(start_time) AS first_start,
    maxState(start_time) AS last_start
FROM ${db}.${layout.local('spans')}
WHERE ${idColumn} != ''
GROUP BY project_id, ${idColumn}`,
    ),
  ];
}

/**
 * `requests`: the model calls of `spans` in the narrow form analytics and request lists read
 * (collector/src/query/README.md). What it is built for:
 * - de-duplication stays exact: ReplacingMergeTree(version) like `spans`, keyed by the span's
 *   identity (`span_key`, a 64-bit hash of trace and span id) within (project, day, hour): a
 *   span's start never changes, so neither does its hour, and a range that cuts an hour reads
 *   that hour only;
 * - one partition per day, so that a day stops changing once its day is over and merges bring it
 *   down to one part: a day held by a single merged part has no duplicate and is read without
 *   FINAL; only the days still being written (today, late spans) pay for FINAL;
 * - the columns keep the names of `spans`, so a compiled filter runs on either table; `model` is
 *   the response model when known, else the requested one, computed once at insert.
 * Filled by a materialized view on every insert into `spans`, and once from the spans of the last
 * three years already stored (running that copy again only makes duplicates, which reads do not
 * see). Current servers refuse an insert that touches more than 100 days at once
 * (max_partitions_per_insert_block): batches of live spans never do.
 */
/** How far back the spans stored before version 2 are copied into `requests`. */
const BACKFILL_MONTHS = 37;

function requestsV2(db: string, layout: SchemaLayout): string[] {
  const columns = `project_id, date, span_key, start_time, start_time_ns, duration_ns, trace_id, span_id, parent_span_id, name, status_code, is_model_call,
    provider, operation, model, request_model, response_model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens,
    cost_total_usd, ttft_seconds, service_name, environment, user_id, session_id, session_name, session_path, prompt_id, error_type,
    property_keys, property_values, version`;
  const select = `SELECT project_id, date, cityHash64(trace_id, span_id) AS span_key, start_time, start_time_ns, duration_ns, trace_id, span_id, parent_span_id, name,
    status_code, is_model_call, provider, operation, if(response_model != '', response_model, request_model) AS model, request_model, response_model,
    input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_total_usd, ttft_seconds, service_name, environment,
    user_id, session_id, session_name, session_path, prompt_id, error_type, property_keys, property_values, version
FROM ${db}.${layout.local('spans')}
WHERE is_model_call = 1`;
  return [
    ...layout.table(db, {
      name: 'requests',
      columns: `    project_id String,
    date Date,
    span_key UInt64,
    start_time DateTime('UTC'),
    start_time_ns UInt64,
    duration_ns UInt64,
    trace_id String,
    span_id String,
    parent_span_id String,
    name String,
    status_code Enum8('unset' = 0, 'ok' = 1, 'error' = 2),
    is_model_call UInt8,
    provider String,
    operation String,
    model String,
    request_model String,
    response_model String,
    input_tokens Nullable(UInt64),
    output_tokens Nullable(UInt64),
    cache_read_tokens Nullable(UInt64),
    cache_creation_tokens Nullable(UInt64),
    reasoning_tokens Nullable(UInt64),
    cost_total_usd Nullable(Float64),
    ttft_seconds Nullable(Float64),
    service_name String,
    environment String,
    user_id String,
    session_id String,
    session_name String,
    session_path String,
    prompt_id String,
    error_type String,
    property_keys Array(String),
    property_values Array(String),
    version UInt64`,
      engine: 'ReplacingMergeTree',
      engineArgs: 'version',
      keys: `PARTITION BY date
ORDER BY (project_id, date, toStartOfHour(start_time), span_key)`,
      // Filled on each shard from that shard's spans: a model call sits with its trace.
      shardBy: BY_TRACE,
    }),
    layout.view(db, 'requests_mv', 'requests', select),
    // The backfill goes month by month: current servers refuse an insert block that touches more
    // than 100 partitions (max_partitions_per_insert_block), and a month has at most 31 days.
    ...Array.from({ length: BACKFILL_MONTHS }, (_, k) => {
      const month = `addMonths(toStartOfMonth(today()), -${k})`;
      return layout.copy(`INSERT INTO ${db}.${layout.local('requests')} (${columns}) ${select} AND date >= ${month} AND date < addMonths(${month}, 1)`);
    }).flat(),
  ];
}

/**
 * Pre-aggregated figures of the days of `requests` that no longer change (one merged part), one
 * row per (project, day, hour or whole day, dimension, value), built by the query engine
 * (collector/src/query/rollup-builder.ts) and recorded in `request_rollup_builds` only once
 * complete. A build is tied to the part it read: when the day's part changes (a late span, a
 * merge), the build no longer counts and the day is read from `requests` until rebuilt.
 * `hourly` is 1 for the rows of one hour (`hour` 0..23), 0 for the whole day (`hour` 24). Latency and TTFT are kept as histograms on a log
 * scale (bucket → count, sorted by bucket), which add up exactly when rollups are merged.
 * Whole-day rows sort apart from hourly ones, so a month of days is a few granules; granules are
 * small (256 rows) because the histograms make rows heavy.
 */
function rollupsV2(db: string, layout: SchemaLayout): string[] {
  return [
    ...layout.table(db, {
      name: 'request_rollups',
      columns: `    project_id String,
    date Date,
    build_id UInt64,
    dimension String,
    value String,
    hourly UInt8,
    hour UInt8,
    requests UInt64,
    errors UInt64,
    cost_usd Float64,
    input_tokens UInt64,
    output_tokens UInt64,
    cache_read_tokens UInt64,
    cache_creation_tokens UInt64,
    reasoning_tokens UInt64,
    latency_buckets Array(Int16),
    latency_counts Array(UInt64),
    ttft_buckets Array(Int16),
    ttft_counts Array(UInt64)`,
      engine: 'MergeTree',
      keys: `PARTITION BY toYYYYMM(date)
ORDER BY (project_id, dimension, hourly, date, hour, build_id, value)
SETTINGS index_granularity = 256`,
    }),
    ...layout.table(db, {
      name: 'request_rollup_builds',
      columns: `    date Date,
    source_part String,
    build_id UInt64,
    min_start_ns UInt64,
    max_start_ns UInt64,
    rollup_rows UInt64,
    built_at DateTime('UTC')`,
      engine: 'MergeTree',
      keys: `PARTITION BY toYYYYMM(date)
ORDER BY (date, source_part, build_id)`,
    }),
  ];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'spans table; trace and session time indexes',
    statements: (db, layout = singleNodeLayout()) => [
      ...layout.table(db, SPANS_V1),
      ...timeIndex(db, layout, 'trace_index', 'trace_id'),
      ...timeIndex(db, layout, 'session_index', 'session_id'),
    ],
  },
  {
    version: 2,
    name: 'requests table (model calls, daily partitions) and its rollups, for the query engine',
    statements: (db, layout = singleNodeLayout()) => [...requestsV2(db, layout), ...rollupsV2(db, layout)],
    copiesData: true,
  },
];

/** The record of applied migrations, created before any migration runs. */
export function migrationsTableStatement(db: string, layout: SchemaLayout = singleNodeLayout()): string {
  return layout.migrationsTable(db);
}
