/**
 * Where the tables of the schema live, and so how their DDL reads. Migrations (migrations.ts)
 * describe each table once; a layout renders it:
 *
 * - one server (`singleNodeLayout`, the default): `spans` is a MergeTree table, exactly the
 *   statement the migration writes;
 * - a cluster (`clusterLayout`, issue 5): on every shard the rows are in `<name>_local`
 *   (ReplicatedReplacingMergeTree & co. when `replicated`, else the plain engines), and `<name>`
 *   is a Distributed table over them, so the code that writes and reads `spans` stays the same;
 *   views read the Distributed tables. Rows inserted through `spans` go to the shard of `cityHash64(trace_id)`: a trace and
 *   every version of each of its spans live on one shard, which is what keeps ReplacingMergeTree
 *   and FINAL exact (they only de-duplicate within a shard).
 *
 * A cluster's DDL is either sent once with `ON CLUSTER` (`onCluster`: distributed DDL, which needs
 * ZooKeeper or ClickHouse Keeper and `<distributed_ddl>` on the servers), or run by the migrator on
 * each node itself (cluster-schema.ts), which is what works without ZooKeeper and Keeper.
 */
import { sqlString } from './sql-literal.js';

export type TableEngine = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

/** One table, as a migration declares it. */
export interface TableSpec {
  name: string;
  /** The column lines between the parentheses, each indented by four spaces. */
  columns: string;
  engine: TableEngine;
  /** The engine's own arguments (`version` for ReplacingMergeTree), empty for none. */
  engineArgs?: string;
  /** `PARTITION BY …`, `ORDER BY …`, `SETTINGS …` lines. */
  keys: string;
  /** Picks the shard of a row inserted through the Distributed table; none: rows are not inserted through it. */
  shardBy?: string;
}

export interface SchemaLayout {
  readonly kind: 'single' | 'cluster';
  /** ` ON CLUSTER '<name>'` when DDL is distributed, else empty. */
  readonly onClusterClause: string;
  /** The table that holds `table`'s rows on a server: `spans`, or `spans_local` on a shard. */
  local(table: string): string;
  createDatabase(db: string): string;
  /** CREATE TABLE of the rows; on a cluster followed by the Distributed table under `spec.name`. */
  table(db: string, spec: TableSpec): string[];
  /**
   * `ALTER TABLE name <clauses>` (e.g. ADD COLUMN): on a cluster for the local table and then the
   * Distributed one, which has its own column list.
   */
  alterTable(db: string, name: string, clauses: readonly string[]): string[];
  /** A plain (non-materialized) view `name`; `select` reads the tables as code does (Distributed on a cluster). */
  plainView(db: string, name: string, select: string): string;
  /**
   * An insert-time materialized view `name` on table `source` writing to table `to`: on a cluster
   * on every shard, from `<source>_local` to `<to>_local` (each shard sees the rows inserted on
   * it). `select(source)` reads the source table named as given.
   */
  materializedView(db: string, name: string, source: string, to: string, select: (source: string) => string): string;
  /** The record of applied migrations (never a Distributed table: each server can read it itself). */
  migrationsTable(db: string): string;
}

function alterTable(db: string, name: string, onCluster: string, clauses: readonly string[]): string {
  return `ALTER TABLE ${db}.${name}${onCluster}\n    ${clauses.join(',\n    ')}`;
}

function createTable(db: string, name: string, onCluster: string, columns: string, engine: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.${name}${onCluster}
(
${columns}
)
ENGINE = ${engine}`;
}

const MIGRATIONS_COLUMNS = `    version UInt32,
    name String,
    applied_at DateTime('UTC')`;

/** Every table on one server. */
export function singleNodeLayout(): SchemaLayout {
  return {
    kind: 'single',
    onClusterClause: '',
    local: (table) => table,
    createDatabase: (db) => `CREATE DATABASE IF NOT EXISTS ${db}`,
    table: (db, spec) => [createTable(db, spec.name, '', spec.columns, `${spec.engine}(${spec.engineArgs ?? ''})\n${spec.keys}`)],
    alterTable: (db, name, clauses) => [alterTable(db, name, '', clauses)],
    plainView: (db, name, select) => `CREATE VIEW IF NOT EXISTS ${db}.${name}\nAS ${select}`,
    materializedView: (db, name, source, to, select) => `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${name}\nTO ${db}.${to}\nAS ${select(`${db}.${source}`)}`,
    migrationsTable: (db) => createTable(db, 'schema_migrations', '', MIGRATIONS_COLUMNS, 'MergeTree()\nORDER BY version'),
  };
}

export interface ClusterLayoutOptions {
  /** The cluster's name in the servers' `<remote_servers>`. */
  cluster: string;
  /** The database, unquoted (it is part of each replicated table's ZooKeeper path). */
  database: string;
  /** Replicated engines (needs ZooKeeper / Keeper and the `{shard}` and `{replica}` macros on every server). */
  replicated: boolean;
  /** Add `ON CLUSTER` to every DDL statement (distributed DDL); false: the caller runs them on each node. */
  onCluster: boolean;
}

/** The column lines without `INDEX …` lines: a Distributed table has no skip indexes (the engine refuses them). */
function withoutIndexes(columns: string): string {
  return columns
    .split(',\n')
    .filter((line) => !/^\s*INDEX /.test(line))
    .join(',\n');
}

/** The suffix of the tables that hold a shard's rows. */
export const LOCAL_SUFFIX = '_local';

export function clusterLayout(options: ClusterLayoutOptions): SchemaLayout {
  const { cluster, database, replicated } = options;
  const onCluster = options.onCluster ? ` ON CLUSTER ${sqlString(cluster)}` : '';
  const local = (table: string) => `${table}${LOCAL_SUFFIX}`;
  const engine = (spec: TableSpec) => {
    if (!replicated) return `${spec.engine}(${spec.engineArgs ?? ''})`;
    // One ZooKeeper path per shard and table; `{shard}` and `{replica}` are each server's macros.
    const path = sqlString(`/clickhouse/tables/{shard}/${database}/${local(spec.name)}`);
    return `Replicated${spec.engine}(${path}, '{replica}'${spec.engineArgs ? `, ${spec.engineArgs}` : ''})`;
  };
  return {
    kind: 'cluster',
    onClusterClause: onCluster,
    local,
    createDatabase: (db) => `CREATE DATABASE IF NOT EXISTS ${db}${onCluster}`,
    table: (db, spec) => [
      createTable(db, local(spec.name), onCluster, spec.columns, `${engine(spec)}\n${spec.keys}`),
      createTable(db, spec.name, onCluster, withoutIndexes(spec.columns), `Distributed(${[cluster, database, local(spec.name)].map(sqlString).join(', ')}${spec.shardBy ? `, ${spec.shardBy}` : ''})`),
    ],
    alterTable: (db, name, clauses) => [alterTable(db, local(name), onCluster, clauses), alterTable(db, name, onCluster, clauses)],
    plainView: (db, name, select) => `CREATE VIEW IF NOT EXISTS ${db}.${name}${onCluster}\nAS ${select}`,
    materializedView: (db, name, source, to, select) =>
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local(name)}${onCluster}\nTO ${db}.${local(to)}\nAS ${select(`${db}.${local(source)}`)}`,
    // With ON CLUSTER and replication: one record for the whole cluster (a single ZooKeeper path,
    // every node a replica), so whichever node a collector reaches at start (behind a load
    // balancer) it reads the versions the cluster has. Run per node, each node records what was
    // run on it: a shared record would tell a node that has not run a migration yet that it has.
    migrationsTable: (db) => {
      const shared = replicated && options.onCluster;
      const engine = shared ? `ReplicatedMergeTree(${sqlString(`/clickhouse/tables/all/${database}/schema_migrations`)}, '{shard}-{replica}')` : 'MergeTree()';
      return createTable(db, 'schema_migrations', onCluster, MIGRATIONS_COLUMNS, `${engine}\nORDER BY version`);
    },
  };
}
