/**
 * The `spans` table: every column declared once, here, with the migration that added it (v3, or
 * `since`: v4 added `resend_count`). The DDL (migrations.ts), the
 * INSERT's column list (clickhouse-exporter.ts), the row type (span-row.ts) and the read-side SQL
 * (span-reads.ts) all come from this list.
 *
 * Choices, measured on the embedded engine (ClickHouse 26.7) with the bench's 10 M spans
 * (README.md has the figures):
 * - `start_time DateTime64(9, 'UTC')`: nanoseconds, no time zone; `Delta, ZSTD` because spans
 *   arrive nearly in time order. `start_time_ns` and `date` are ALIAS columns (computed on read),
 *   so filters and cursors keep reading integers and days.
 * - `LowCardinality(String)` where values repeat (service, environment, provider, operation,
 *   models, names, scope, session names, prompt ids, error types); ids stay plain `String` + ZSTD.
 * - `model` is stored once at insert (MATERIALIZED): the response model when known, else the
 *   requested one; analytics group by it.
 * - Attributes, resource attributes and custom properties are `Map(LowCardinality(String), String)`
 *   (the layout of the OpenTelemetry Collector's ClickHouse exporter); events are Nested.
 * - Bloom-filter skip indexes on trace, session and user ids: lookups that are not on the key.
 */

export interface SpanColumn {
  name: string;
  type: string;
  /** `CODEC(...)` when the default LZ4 is not the best fit. */
  codec?: string;
  /** Computed by the engine: `MATERIALIZED expr` (stored) or `ALIAS expr` (on read); never inserted. */
  computed?: string;
  /** The migration that added the column with `ALTER TABLE … ADD COLUMN`; absent: schema v3's CREATE TABLE. */
  since?: number;
}

/** The schema version whose CREATE TABLE declares the columns without `since`. */
const CREATED_IN = 3;

const LC = 'LowCardinality(String)';
const ZSTD = 'ZSTD(1)';
const ATTRIBUTE_MAP = `Map(${LC}, String)`;

/** `kind` and `status_code` spell the OTLP enums (opentelemetry-proto trace.proto, Span.SpanKind / Status.StatusCode). */
export const SPAN_KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKindName = (typeof SPAN_KIND_NAMES)[number];
export const STATUS_CODE_NAMES = ['unset', 'ok', 'error'] as const;
export type StatusCodeName = (typeof STATUS_CODE_NAMES)[number];

const enumType = (names: readonly string[]) => `Enum8(${names.map((n, i) => `'${n}' = ${i}`).join(', ')})`;

export const SPAN_TABLE_COLUMNS: readonly SpanColumn[] = [
  { name: 'project_id', type: LC },
  { name: 'start_time', type: "DateTime64(9, 'UTC')", codec: `Delta(8), ${ZSTD}` },
  { name: 'start_time_ns', type: 'UInt64', computed: 'ALIAS toUnixTimestamp64Nano(start_time)' },
  { name: 'date', type: 'Date', computed: 'ALIAS toDate(start_time)' },
  { name: 'duration_ns', type: 'UInt64', codec: `T64, ${ZSTD}` },
  { name: 'trace_id', type: 'String', codec: ZSTD },
  { name: 'span_id', type: 'String', codec: ZSTD },
  { name: 'parent_span_id', type: 'String', codec: ZSTD },
  { name: 'service_name', type: LC },
  { name: 'environment', type: LC },
  { name: 'name', type: LC },
  { name: 'kind', type: enumType(SPAN_KIND_NAMES) },
  { name: 'status_code', type: enumType(STATUS_CODE_NAMES) },
  { name: 'status_message', type: 'String', codec: ZSTD },
  { name: 'scope_name', type: LC },
  { name: 'scope_version', type: LC },
  { name: 'is_model_call', type: 'UInt8' },
  { name: 'provider', type: LC },
  { name: 'operation', type: LC },
  { name: 'request_model', type: LC },
  { name: 'response_model', type: LC },
  { name: 'model', type: LC, computed: "MATERIALIZED if(response_model != '', response_model, request_model)" },
  { name: 'input_tokens', type: 'Nullable(UInt64)' },
  { name: 'output_tokens', type: 'Nullable(UInt64)' },
  { name: 'cache_read_tokens', type: 'Nullable(UInt64)' },
  { name: 'cache_creation_tokens', type: 'Nullable(UInt64)' },
  { name: 'reasoning_tokens', type: 'Nullable(UInt64)' },
  { name: 'cost_input_usd', type: 'Nullable(Float64)' },
  { name: 'cost_output_usd', type: 'Nullable(Float64)' },
  { name: 'cost_cache_read_usd', type: 'Nullable(Float64)' },
  { name: 'cost_cache_write_usd', type: 'Nullable(Float64)' },
  { name: 'cost_total_usd', type: 'Nullable(Float64)' },
  // A response-cache hit (cost_status 'cache_hit', 0 spent): what its replayed call's usage costs (issue 14).
  { name: 'cost_saved_usd', type: 'Nullable(Float64)', since: 8 },
  { name: 'cost_status', type: LC },
  { name: 'priced_model', type: LC },
  { name: 'ttft_seconds', type: 'Nullable(Float64)' },
  { name: 'user_id', type: 'String', codec: ZSTD },
  { name: 'session_id', type: 'String', codec: ZSTD },
  { name: 'session_name', type: LC },
  { name: 'session_path', type: 'String', codec: ZSTD },
  { name: 'session_parent_path', type: 'String', codec: ZSTD },
  { name: 'session_depth', type: 'UInt16' },
  { name: 'prompt_id', type: LC },
  { name: 'error_type', type: LC },
  // http.request.resend_count: 0 for a first attempt, n for the n-th retry of a request.
  { name: 'resend_count', type: 'UInt16', since: 4 },
  { name: 'properties', type: ATTRIBUTE_MAP, codec: ZSTD },
  { name: 'attributes', type: ATTRIBUTE_MAP, codec: ZSTD },
  { name: 'resource_attributes', type: ATTRIBUTE_MAP, codec: ZSTD },
  { name: 'events.time', type: "Array(DateTime64(9, 'UTC'))", codec: ZSTD },
  { name: 'events.name', type: `Array(${LC})` },
  { name: 'events.attributes', type: `Array(${ATTRIBUTE_MAP})`, codec: ZSTD },
  { name: 'version', type: 'UInt64' },
];

/** The columns an INSERT names, in table order (computed ones are left to the engine). */
export const SPAN_INSERT_COLUMNS: readonly string[] = SPAN_TABLE_COLUMNS.filter((c) => c.computed === undefined).map((c) => c.name);

/**
 * The sorting key, which is also the identity ReplacingMergeTree keeps one row per: a span's
 * project, trace and span id, plus values a span never changes between versions (whether it is a
 * model call, its start hour), placed first so that analytics read model calls only and prune
 * by hour. One partition per UTC day: a day stops changing once it is over, and the engine merges
 * it into one part (min_age_to_force_merge_*), which FINAL then reads without merging.
 */
export const SPAN_ORDER_BY = 'project_id, is_model_call, toStartOfHour(start_time), trace_id, span_id';
export const SPAN_PARTITION_BY = 'toDate(start_time)';

/** Skip indexes for lookups that are not on the sorting key. */
export const SPAN_INDEXES: readonly string[] = [
  'INDEX trace_id_bloom trace_id TYPE bloom_filter(0.001) GRANULARITY 1',
  'INDEX session_id_bloom session_id TYPE bloom_filter(0.01) GRANULARITY 1',
  'INDEX user_id_bloom user_id TYPE bloom_filter(0.01) GRANULARITY 1',
];

/**
 * A partition whose parts are all older than this is merged into one part by the engine itself:
 * the day then holds each span once and FINAL costs nothing there. Ten minutes keeps today's
 * partition (still written) out of repeated whole-day merges.
 */
export const FORCE_MERGE_AFTER_SECONDS = 600;

/** `TTL` of the spans: whole days dropped when the last of their spans is older than `days`. */
export function retentionTtl(days: number): string {
  return `toDateTime(start_time) + INTERVAL ${Math.trunc(days)} DAY`;
}

/** The column lines of `spans`' CREATE TABLE in schema v3, each indented by four spaces (Nested columns as one). */
export function spanTableColumnsDdl(): string {
  const lines: string[] = [];
  const nested: string[] = [];
  for (const c of SPAN_TABLE_COLUMNS) {
    if (c.since !== undefined && c.since > CREATED_IN) continue; // added by a later migration
    if (c.name.startsWith('events.')) {
      // Declared as `events Nested(...)`, inserted and read as `events.time` & co.
      nested.push(`${c.name.slice('events.'.length)} ${c.type.replace(/^Array\((.*)\)$/, '$1')}`);
      if (nested.length === 3) lines.push(`    events Nested(${nested.join(', ')})`);
      continue;
    }
    lines.push(`    ${columnDefinition(c)}`);
  }
  return [...lines, ...SPAN_INDEXES.map((i) => `    ${i}`)].join(',\n');
}

/**
 * The `ADD COLUMN IF NOT EXISTS … AFTER …` clauses of the columns migration `version` adds, each
 * after the column declared before it, so that an upgraded table and a new one read the same.
 */
export function addedColumnsDdl(version: number): string[] {
  const clauses: string[] = [];
  SPAN_TABLE_COLUMNS.forEach((c, i) => {
    if (c.since === version) clauses.push(`ADD COLUMN IF NOT EXISTS ${columnDefinition(c)} AFTER ${SPAN_TABLE_COLUMNS[i - 1].name}`);
  });
  return clauses;
}

function columnDefinition(c: SpanColumn): string {
  return `${c.name} ${c.type}${c.computed ? ` ${c.computed}` : ''}${c.codec ? ` CODEC(${c.codec})` : ''}`;
}
