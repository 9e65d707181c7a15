/**
 * Creates the database and brings its schema up to the newest migration, at start-up. Running it
 * again is a no-op: applied versions are read from `schema_migrations` and skipped, and every
 * statement is `IF NOT EXISTS` anyway (two collectors starting at once may both apply a
 * migration; both end in the same schema, and readers take DISTINCT versions).
 *
 * `layout` says where the tables live (schema-layout.ts): one server by default; for a cluster,
 * cluster-schema.ts calls this once with ON CLUSTER, or once per node.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_RETENTION_DAYS, LEGACY_SPANS_TABLE, LEGACY_TABLES, LEGACY_VERSIONS, LEGACY_VIEWS, MIGRATIONS, type Migration, type SchemaOptions } from './migrations.js';
import { retentionTtl } from './span-table.js';
import { singleNodeLayout, type SchemaLayout } from './schema-layout.js';
import { sqlIdentifier } from './sql-literal.js';
import { ROLLUP_TTL_COLUMNS, rollupTtlClause, USAGE_ROLLUP_TABLE } from './usage-rollup-tables.js';

export interface SchemaResult {
  /** Versions applied by this call, oldest first; empty when the schema was current. */
  applied: number[];
  /** The newest version now in the database. */
  version: number;
}

/** Table names, qualified with the database, for code that writes or reads them. */
export function schemaTables(database: string): { spans: string; usageRollup: string; migrations: string } {
  const db = sqlIdentifier(database);
  return { spans: `${db}.spans`, usageRollup: `${db}.${USAGE_ROLLUP_TABLE}`, migrations: `${db}.schema_migrations` };
}

export async function ensureSchema(
  client: ClickHouseClient,
  database: string,
  migrations: readonly Migration[] = MIGRATIONS,
  layout: SchemaLayout = singleNodeLayout(),
  options: SchemaOptions = { retentionDays: DEFAULT_RETENTION_DAYS },
): Promise<SchemaResult> {
  const db = sqlIdentifier(database);
  await client.command({ query: layout.createDatabase(db) });
  await client.command({ query: layout.migrationsTable(db) });
  const done = new Set(await appliedVersions(client, database));
  const applied: number[] = [];
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => !done.has(m.version));
  if (LEGACY_VERSIONS.some((v) => done.has(v)) && pending.some((m) => m.version > Math.max(...LEGACY_VERSIONS))) {
    // Run again after an interruption, the old `spans` is already out of the way (and `spans` may be v3's).
    const renamed = await tableExists(client, database, layout.local(LEGACY_SPANS_TABLE));
    for (const statement of retireLegacySchema(db, layout, !renamed)) await client.command({ query: statement });
  }
  for (const migration of pending) {
    for (const statement of migration.statements(db, layout, options)) await client.command({ query: statement });
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, applied_at: Math.floor(Date.now() / 1000) }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
    done.add(migration.version);
  }
  if (applied.length === 0) await ensureRetention(client, database, layout, options.retentionDays);
  return { applied, version: Math.max(0, ...done) };
}

/**
 * A database written by the 18.16 schema (versions 1 and 2): its views and derived tables are
 * dropped, and the table holding its spans is renamed out of the way (its rows are not migrated;
 * README.md): `spans_v2_legacy`, on a cluster `spans_v2_legacy_local` on each shard. A cluster's
 * old Distributed `spans` is dropped, not renamed: it names its local table, `spans_local`, which
 * v3 creates anew, so a renamed one would read v3's rows. `renameSpans` is false when a previous,
 * interrupted run renamed it already.
 */
function retireLegacySchema(db: string, layout: SchemaLayout, renameSpans: boolean): string[] {
  const on = layout.onClusterClause;
  const names = (t: string) => (layout.kind === 'cluster' ? [t, layout.local(t)] : [t]);
  const spans = layout.local('spans');
  return [
    ...LEGACY_VIEWS.map((v) => `DROP VIEW IF EXISTS ${db}.${v}${on}`),
    ...LEGACY_TABLES.flatMap(names).map((t) => `DROP TABLE IF EXISTS ${db}.${t}${on}`),
    ...(renameSpans
      ? [
          ...(layout.kind === 'cluster' ? [`DROP TABLE IF EXISTS ${db}.spans${on}`] : []),
          `RENAME TABLE ${db}.${spans} TO ${db}.${layout.local(LEGACY_SPANS_TABLE)}${on}`,
        ]
      : []),
  ];
}

async function tableExists(client: ClickHouseClient, database: string, table: string): Promise<boolean> {
  const result = await client.query({
    query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: { db: database, table },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string | number }>();
  return Number(row?.n ?? 0) > 0;
}

/**
 * Brings the spans' `TTL` to `retentionDays` when the configuration changed since the table was
 * created (0 removes it). A new TTL is materialized: each stored part's TTL is recalculated (only
 * that: the table has `materialize_ttl_recalculate_only`, so no part is rewritten; a background
 * mutation), and the engine then drops the days that are past it whole. Without it the parts
 * kept the TTL they were written with: a shorter retention never dropped the days already
 * stored, a longer one still dropped them at the old age. The usage rollup's tables follow, a
 * day longer.
 */
export async function ensureRetention(client: ClickHouseClient, database: string, layout: SchemaLayout, retentionDays: number): Promise<void> {
  const table = layout.local('spans');
  const result = await client.query({
    query: 'SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: { db: database, table },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ engine_full: string }>();
  if (!row) return;
  const current = /\bTTL (.*?) SETTINGS/.exec(row.engine_full)?.[1];
  const wanted = retentionDays > 0 ? retentionTtl(retentionDays).replace(/INTERVAL (\d+) DAY/, 'toIntervalDay($1)') : undefined;
  if (current === wanted) return;
  const db = sqlIdentifier(database);
  const onCluster = layout.onClusterClause;
  await client.command({
    query: wanted === undefined ? `ALTER TABLE ${db}.${table}${onCluster} REMOVE TTL` : `ALTER TABLE ${db}.${table}${onCluster} MODIFY TTL ${retentionTtl(retentionDays)}`,
    clickhouse_settings: { materialize_ttl_after_modify: 1 },
  });
  // The usage rollup's tables (migration 9) keep a day more than the spans (usage-rollup-tables.ts).
  for (const [name, column] of ROLLUP_TTL_COLUMNS) {
    if (!(await tableExists(client, database, layout.local(name)))) continue;
    await client.command({ query: `ALTER TABLE ${db}.${layout.local(name)}${onCluster} ${rollupTtlClause(column, retentionDays)}`, clickhouse_settings: { materialize_ttl_after_modify: 1 } });
  }
}

/** The migration versions recorded in `database`, oldest first. */
export async function appliedVersions(client: ClickHouseClient, database: string): Promise<number[]> {
  const result = await client.query({ query: `SELECT DISTINCT version FROM ${schemaTables(database).migrations} ORDER BY version`, format: 'JSONEachRow' });
  const rows = await result.json<{ version: number | string }>();
  return rows.map((r) => Number(r.version));
}
