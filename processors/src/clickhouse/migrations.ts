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
 */

export interface Migration {
  version: number;
  name: string;
  /** The statements, for a database name already quoted as an identifier. */
  statements(db: string): string[];
}

/** `kind` and `status_code` spell the OTLP enums (opentelemetry-proto trace.proto, Span.SpanKind / Status.StatusCode). */
const SPANS_V1 = (db: string) => `CREATE TABLE IF NOT EXISTS ${db}.spans
(
    project_id String,
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
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(date)
ORDER BY (project_id, date, trace_id, span_id)`;

/**
 * Where a trace's or a session's spans lie in time, filled by a materialized view on every insert
 * into `spans`: a lookup reads the id's first and last start here (a point read on the key), then
 * only those days of `spans`. On 18.16 with 10M spans that turns a trace lookup with FINAL from
 * ~170-280 ms into ~10 ms, and a session lookup (session_id is not in the key of `spans`) from
 * ~3 s into ~80 ms (README.md). Only min and max are kept: a re-sent batch does not change them,
 * whereas sums in a materialized view would count it twice.
 */
function timeIndex(db: string, table: string, idColumn: 'trace_id' | 'session_id'): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${table}
(
    project_id String,
    ${idColumn} String,
    first_start AggregateFunction(min, DateTime('UTC')),
    last_start AggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree()
ORDER BY (project_id, ${idColumn})`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${table}_mv TO ${db}.${table}
AS SELECT
    project_id,
    ${idColumn},
    minState(start_time) AS first_start,
    maxState(start_time) AS last_start
FROM ${db}.spans
WHERE ${idColumn} != ''
GROUP BY project_id, ${idColumn}`,
  ];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'spans table; trace and session time indexes',
    statements: (db) => [SPANS_V1(db), ...timeIndex(db, 'trace_index', 'trace_id'), ...timeIndex(db, 'session_index', 'session_id')],
  },
];

/** The record of applied migrations, created before any migration runs. */
export function migrationsTableStatement(db: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
(
    version UInt32,
    name String,
    applied_at DateTime('UTC')
)
ENGINE = MergeTree()
ORDER BY version`;
}
