/**
 * The usage rollup's tables (issue 11, migration 9), declared once here and rendered by the
 * schema layout like `spans` (on a cluster: local tables behind Distributed ones; the view on
 * each shard's `spans_local`). bench/README.md ("Pre-aggregations that stay exact under
 * duplicates") has the design and its measurements:
 *
 * - `dirty_hours`: (project, hour, changed_at), one row per hour an insert into `spans` touched,
 *   written by the insert-time view `dirty_hours_mv` (`changed_at` = the insert's time). The last
 *   change of an hour is `max(changed_at)`; ReplacingMergeTree keeps about one row per hour.
 * - `usage_rollup`: usage figures (usage-figures.ts) per (project, level, start, dimension,
 *   value, provider, status) of whole hours (`level` 'hour') and whole UTC days ('day'), and
 *   again per (project, level, start, dimension, value) over every provider and status
 *   (`split` 0: what unfiltered reads take, several times fewer rows for users), each
 *   build of a period stamped with its `built_at` and `build_id`. Rows are REBUILT for a whole
 *   period from `spans FINAL` (hours) or from the period's clean hours (days), never updated, so
 *   they are exact whatever was stored twice; a newer build's rows replace an older build's on
 *   merge, and readers take the rows of a period's newest build only (`build_id`).
 * - `usage_rollup_builds`: one row per build of a period (the dimensions it holds): what a reader
 *   and the builder compare with `dirty_hours` (usage-rollup-state.ts).
 */
import type { SchemaLayout, TableSpec } from './schema-layout.js';
import { FIGURE_COLUMNS_DDL } from './usage-figures.js';
import { retentionTtl, STATUS_CODE_NAMES } from './span-table.js';

export const DIRTY_HOURS_TABLE = 'dirty_hours';
export const DIRTY_HOURS_VIEW = 'dirty_hours_mv';
export const USAGE_ROLLUP_TABLE = 'usage_rollup';
export const ROLLUP_BUILDS_TABLE = 'usage_rollup_builds';

export const ROLLUP_LEVELS = ['hour', 'day'] as const;
export type RollupLevel = (typeof ROLLUP_LEVELS)[number];
const LEVEL_TYPE = `Enum8(${ROLLUP_LEVELS.map((l, i) => `'${l}' = ${i + 1}`).join(', ')})`;
const STATUS_TYPE = `Enum8(${STATUS_CODE_NAMES.map((n, i) => `'${n}' = ${i}`).join(', ')})`;

/** Rows of one period go to one shard, so a period's build lands in one place. */
const BY_PERIOD = 'cityHash64(project_id, toStartOfDay(start))';

/** The columns that name a build of a period, in the rollup's rows and in the builds table alike. */
const BUILD_COLUMNS = `    project_id LowCardinality(String),
    level ${LEVEL_TYPE},
    start DateTime('UTC'),
    built_at DateTime64(6, 'UTC'),
    build_id UInt64,`;

/**
 * `TTL` of the rollup's tables: a day later than the spans' (which drop a day whole once its last
 * span is past the retention), so that a period keeps its record, its change and its rows as
 * long as its spans are stored, and they go together a day after.
 */
function rollupTtlExpression(column: string, retentionDays: number): string {
  return retentionTtl(retentionDays + 1).replace('start_time', column);
}

/** The `TTL` clause of a rollup table's CREATE TABLE (none without a retention). */
function rollupTtl(column: string, retentionDays: number): string {
  return retentionDays > 0 ? `\nTTL ${rollupTtlExpression(column, retentionDays)}` : '';
}

const dirtyHoursSpec = (retentionDays: number): TableSpec => ({
  name: DIRTY_HOURS_TABLE,
  columns: `    project_id LowCardinality(String),
    hour DateTime('UTC'),
    changed_at DateTime64(6, 'UTC')`,
  engine: 'ReplacingMergeTree',
  engineArgs: 'changed_at',
  keys: `ORDER BY (project_id, hour)${rollupTtl('hour', retentionDays)}`,
  shardBy: 'cityHash64(project_id, hour)',
});

function rollupSpec(retentionDays: number): TableSpec {
  const ttl = rollupTtl('start', retentionDays);
  return {
    name: USAGE_ROLLUP_TABLE,
    columns: `${BUILD_COLUMNS}
    dim LowCardinality(String),
    split UInt8,
    value String,
    provider LowCardinality(String),
    status_code ${STATUS_TYPE},
${FIGURE_COLUMNS_DDL}`,
    engine: 'ReplacingMergeTree',
    engineArgs: 'built_at',
    keys: `PARTITION BY toYYYYMM(start)
ORDER BY (project_id, level, dim, split, start, value, provider, status_code)${ttl}`,
    shardBy: BY_PERIOD,
  };
}

const buildsSpec = (retentionDays: number): TableSpec => ({
  name: ROLLUP_BUILDS_TABLE,
  columns: `${BUILD_COLUMNS}
    dims Array(LowCardinality(String))`,
  engine: 'ReplacingMergeTree',
  engineArgs: 'built_at',
  keys: `ORDER BY (project_id, level, start)${rollupTtl('start', retentionDays)}`,
  shardBy: BY_PERIOD,
});

/** The rollup's tables and the time column of their TTL. */
export const ROLLUP_TTL_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  [DIRTY_HOURS_TABLE, 'hour'],
  [USAGE_ROLLUP_TABLE, 'start'],
  [ROLLUP_BUILDS_TABLE, 'start'],
];

/** `MODIFY TTL` / `REMOVE TTL` clause of a rollup table for `retentionDays` (schema.ts `ensureRetention`). */
export function rollupTtlClause(column: string, retentionDays: number): string {
  return retentionDays > 0 ? `MODIFY TTL ${rollupTtlExpression(column, retentionDays)}` : 'REMOVE TTL';
}

/**
 * Migration 9's statements: the tables, the view, and every hour already stored marked changed
 * (a database upgraded with spans in it gets its rollup built by the builder, oldest first;
 * until then reads of those hours go to `spans` as before).
 */
export function usageRollupStatements(db: string, layout: SchemaLayout, retentionDays: number): string[] {
  // Run on each node (a cluster without ON CLUSTER): each shard's own rows; else through the
  // Distributed tables, once for the whole cluster.
  const rows = (table: string) => (layout.onClusterClause === '' ? layout.local(table) : table);
  return [
    ...layout.table(db, dirtyHoursSpec(retentionDays)),
    layout.materializedView(
      db,
      DIRTY_HOURS_VIEW,
      'spans',
      DIRTY_HOURS_TABLE,
      (spans) => `SELECT project_id, toStartOfHour(start_time) AS hour, now64(6, 'UTC') AS changed_at FROM ${spans} GROUP BY project_id, hour`,
    ),
    ...layout.table(db, rollupSpec(retentionDays)),
    ...layout.table(db, buildsSpec(retentionDays)),
    `INSERT INTO ${db}.${rows(DIRTY_HOURS_TABLE)} (project_id, hour, changed_at)
SELECT project_id, toStartOfHour(start_time) AS hour, now64(6, 'UTC') FROM ${db}.${rows('spans')} GROUP BY project_id, hour`,
  ];
}
