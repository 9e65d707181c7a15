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
import { ClickHouseConfigError } from './config.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { singleNodeLayout, type SchemaLayout } from './schema-layout.js';
import { sqlIdentifier } from './sql-literal.js';

export interface SchemaResult {
  /** Versions applied by this call, oldest first; empty when the schema was current. */
  applied: number[];
  /** The newest version now in the database. */
  version: number;
}

/** Table names, qualified with the database, for code that writes or reads them. */
export function schemaTables(database: string): { spans: string; traceIndex: string; sessionIndex: string; migrations: string } {
  const db = sqlIdentifier(database);
  return { spans: `${db}.spans`, traceIndex: `${db}.trace_index`, sessionIndex: `${db}.session_index`, migrations: `${db}.schema_migrations` };
}

export async function ensureSchema(
  client: ClickHouseClient,
  database: string,
  migrations: readonly Migration[] = MIGRATIONS,
  layout: SchemaLayout = singleNodeLayout(),
): Promise<SchemaResult> {
  const db = sqlIdentifier(database);
  await client.command({ query: layout.createDatabase(db) });
  await client.command({ query: layout.migrationsTable(db) });
  const done = new Set(await appliedVersions(client, database));
  const fresh = done.size === 0;
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    if (migration.copiesData && !layout.canCopy && !fresh) {
      // Its copy of stored rows would be left out (ON CLUSTER carries no INSERT): run it per node.
      throw new ClickHouseConfigError('nodeUrls', `every node's URL: migration ${migration.version} copies stored rows, which ON CLUSTER cannot`, []);
    }
    for (const statement of migration.statements(db, layout)) await client.command({ query: statement });
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, applied_at: Math.floor(Date.now() / 1000) }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
    done.add(migration.version);
  }
  return { applied, version: Math.max(0, ...done) };
}

/** The migration versions recorded in `database`, oldest first. */
export async function appliedVersions(client: ClickHouseClient, database: string): Promise<number[]> {
  const result = await client.query({ query: `SELECT DISTINCT version FROM ${schemaTables(database).migrations} ORDER BY version`, format: 'JSONEachRow' });
  const rows = await result.json<{ version: number | string }>();
  return rows.map((r) => Number(r.version));
}
