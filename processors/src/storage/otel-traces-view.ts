/**
 * `otel_traces`: the spans in the column layout of the OpenTelemetry Collector's ClickHouse
 * exporter (opentelemetry-collector-contrib, exporter/clickhouseexporter, traces table), so that
 * tools that read that table read ours: Grafana's ClickHouse data source in its trace views, SQL
 * written for the exporter. A plain view over `spans` with FINAL (each span once, newest version);
 * it stores nothing. Extra columns (ProjectId, the GenAI columns) come after the exporter's.
 */
import type { SchemaLayout } from './schema-layout.js';
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES } from './span-table.js';

export const OTEL_TRACES_VIEW = 'otel_traces';

/** The exporter's spelling: pdata's SpanKind / StatusCode String() ("Server", "Error", …). */
const capitalised = (names: readonly string[]) => `[${names.map((n) => `'${n[0].toUpperCase()}${n.slice(1)}'`).join(', ')}]`;

export function otelTracesView(db: string, layout: SchemaLayout): string {
  return layout.plainView(
    db,
    OTEL_TRACES_VIEW,
    `SELECT
    start_time AS Timestamp,
    trace_id AS TraceId,
    span_id AS SpanId,
    parent_span_id AS ParentSpanId,
    '' AS TraceState,
    name AS SpanName,
    arrayElement(${capitalised(SPAN_KIND_NAMES)}, toUInt8(kind) + 1) AS SpanKind,
    service_name AS ServiceName,
    resource_attributes AS ResourceAttributes,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    attributes AS SpanAttributes,
    duration_ns AS Duration,
    arrayElement(${capitalised(STATUS_CODE_NAMES)}, toUInt8(status_code) + 1) AS StatusCode,
    status_message AS StatusMessage,
    events.time AS \`Events.Timestamp\`,
    events.name AS \`Events.Name\`,
    events.attributes AS \`Events.Attributes\`,
    CAST([], 'Array(String)') AS \`Links.TraceId\`,
    CAST([], 'Array(String)') AS \`Links.SpanId\`,
    CAST([], 'Array(String)') AS \`Links.TraceState\`,
    CAST([], 'Array(Map(LowCardinality(String), String))') AS \`Links.Attributes\`,
    project_id AS ProjectId,
    model AS GenAiModel,
    input_tokens AS GenAiInputTokens,
    output_tokens AS GenAiOutputTokens,
    cost_total_usd AS CostUsd
FROM ${db}.spans FINAL`,
  );
}
