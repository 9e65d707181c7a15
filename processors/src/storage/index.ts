/** The ClickHouse exporter: schema, row mapping, the client on the embedded engine or a server. */
export { ClickHouseExporter, ClickHouseRefusedError, ClickHouseUnavailableError, createClickHouseExporter, insertSpanBatch, spanBatchBody, type ClickHouseExporterOptions } from './clickhouse-exporter.js';
export { DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, resolveClickHouseExporterConfig, validateClickHouseExporterConfig, type ClickHouseExporterConfig } from './config.js';
export { createClickHouseClient, storageLocation, type ClickHouseConnectionConfig } from './clickhouse-client.js';
export { embeddedConnection, openEmbeddedEngineDir, EmbeddedEngineError, type EmbeddedEngineSettings } from './embedded-engine.js';
export { ensureSchema, ensureRetention, appliedVersions, schemaTables, type SchemaResult } from './schema.js';
export { MIGRATIONS, DEFAULT_RETENTION_DAYS, type Migration, type SchemaOptions } from './migrations.js';
export { SPAN_INSERT_COLUMNS, SPAN_TABLE_COLUMNS, SPAN_KIND_NAMES, STATUS_CODE_NAMES, type SpanColumn } from './span-table.js';
export { OTEL_TRACES_VIEW } from './otel-traces-view.js';
export { spanRowMapper, toSpanRow, toSpanRows, attributeMap, type SpanRow } from './span-row.js';
export { insertJsonEachRow, insertRows, jsonCompactEachRowBody, jsonEachRowBody, jsonEachRowChunks, type RowFormat } from './json-each-row-insert.js';
export { classifyClickHouseError, DATA_CODES, REFUSED_CODES, TRANSIENT_CODES, type ClickHouseFailure, type ClickHouseFailureKind } from './error-classifier.js';
export { sqlIdentifier, sqlString, isPlainIdentifier } from './sql-literal.js';
export { repriceStoredSpans, type RepriceOptions, type RepriceResult } from './reprice-stored-spans.js';
export { ensureClusterSchema, type ClusterSchemaOptions, type ClusterSchemaResult } from './cluster-schema.js';
export { clusterLayout, singleNodeLayout, LOCAL_SUFFIX, type SchemaLayout, type ClusterLayoutOptions, type TableSpec } from './schema-layout.js';
export { QueryParams } from './query-params.js';
export { SUMMARY_COLUMNS, TREE_COLUMNS, DETAIL_COLUMNS, READ_SETTINGS, projectCondition, startRangeCondition, propertySql, exactUsdSum } from './span-reads.js';
export { ALERT_EVENTS_TABLE, ALERT_RULES_TABLE, ALERT_EVENT_COLUMNS, ALERT_RULE_COLUMNS, type AlertEventRow, type AlertRuleRow } from './alert-tables.js';
