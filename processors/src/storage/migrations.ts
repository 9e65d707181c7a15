/**
 * The versioned schema, as an append-only list of migrations. A released migration never
 * changes: a new column or table is a new entry with the next version. Every statement is
 * idempotent on its own (IF NOT EXISTS), so a migration interrupted half-way, or run by two
 * collectors at once, is simply run again.
 *
 * Schema v3 (migration 3) is the first for current ClickHouse (floor 25.8 LTS; the embedded
 * engine is 26.7). Versions 1 and 2 were written for ClickHouse 18.16; their data is not migrated:
 * a database that has them gets its old tables renamed or dropped by schema.ts before v3 runs
 * (README.md). Tables are declared once and rendered by a layout (schema-layout.ts): on one
 * server as written, on a cluster as local tables on each shard behind Distributed tables of the
 * same names.
 */
import { singleNodeLayout, type SchemaLayout } from './schema-layout.js';
import { addedColumnsDdl, FORCE_MERGE_AFTER_SECONDS, retentionTtl, SPAN_ORDER_BY, SPAN_PARTITION_BY, spanTableColumnsDdl } from './span-table.js';
import { otelTracesView } from './otel-traces-view.js';
import { ALERT_EVENTS_SPEC, ALERT_RULES_SPEC } from './alert-tables.js';
import { usageRollupStatements } from './usage-rollup-tables.js';

export interface SchemaOptions {
  /** Days spans are kept (`TTL`); 0 keeps them forever. */
  retentionDays: number;
}

export const DEFAULT_RETENTION_DAYS = 400;

export interface Migration {
  version: number;
  name: string;
  /** The statements, for a database name already quoted as an identifier, in `layout` (default: one server). */
  statements(db: string, layout?: SchemaLayout, options?: SchemaOptions): string[];
}

/** Spans go to the shard of their trace: see schema-layout.ts. */
const BY_TRACE = 'cityHash64(trace_id)';

function spansV3(db: string, layout: SchemaLayout, options: SchemaOptions): string[] {
  const ttl = options.retentionDays > 0 ? `\nTTL ${retentionTtl(options.retentionDays)}` : '';
  return layout.table(db, {
    name: 'spans',
    columns: spanTableColumnsDdl(),
    engine: 'ReplacingMergeTree',
    engineArgs: 'version',
    keys: `PARTITION BY ${SPAN_PARTITION_BY}
ORDER BY (${SPAN_ORDER_BY})${ttl}
SETTINGS min_age_to_force_merge_seconds = ${FORCE_MERGE_AFTER_SECONDS}, min_age_to_force_merge_on_partition_only = 1, ttl_only_drop_parts = 1, materialize_ttl_recalculate_only = 1`,
    shardBy: BY_TRACE,
  });
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: 'schema v3 for current ClickHouse: spans with Map attributes, DateTime64, skip indexes, TTL; otel_traces view',
    statements: (db, layout = singleNodeLayout(), options = { retentionDays: DEFAULT_RETENTION_DAYS }) => [...spansV3(db, layout, options), otelTracesView(db, layout)],
  },
  {
    version: 4,
    name: 'spans.resend_count: which retry of its request a call is (http.request.resend_count, issue 12)',
    statements: (db, layout = singleNodeLayout()) => layout.alterTable(db, 'spans', addedColumnsDdl(4)),
  },
  // 5 and 6 are left to work under way elsewhere (issues 11 and 12).
  {
    version: 7,
    name: 'alert_rules and alert_events: alert rules and their history, per project (issue 13)',
    statements: (db, layout = singleNodeLayout()) => [...layout.table(db, ALERT_RULES_SPEC), ...layout.table(db, ALERT_EVENTS_SPEC)],
  },
  {
    version: 8,
    name: 'spans.cost_saved_usd: what a response-cache hit saved (issue 14)',
    statements: (db, layout = singleNodeLayout()) => layout.alterTable(db, 'spans', addedColumnsDdl(8)),
  },
  {
    version: 9,
    name: 'usage_rollup, usage_rollup_builds, dirty_hours and dirty_hours_mv: analytics from hourly and daily figures rebuilt from spans FINAL (issue 11)',
    statements: (db, layout = singleNodeLayout(), options = { retentionDays: DEFAULT_RETENTION_DAYS }) => usageRollupStatements(db, layout, options.retentionDays),
  },
];

/** What a database written by the 18.16 schema (versions 1 and 2) holds; schema.ts retires it. */
export const LEGACY_VERSIONS = [1, 2] as const;
/** The old `spans` is kept under this name (its rows are not migrated), everything else dropped. */
export const LEGACY_SPANS_TABLE = 'spans_v2_legacy';
export const LEGACY_VIEWS = ['requests_mv', 'trace_index_mv', 'session_index_mv'] as const;
export const LEGACY_TABLES = ['requests', 'request_rollups', 'request_rollup_builds', 'trace_index', 'session_index'] as const;
