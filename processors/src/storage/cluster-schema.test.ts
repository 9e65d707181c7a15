// The cluster schema run per node (cluster-schema.ts, `nodeUrls`) on the real engine: embedded
// ClickHouse (chdb) started with a config file that declares a cluster `loop` of one shard, so
// that Distributed tables can be created. Nothing is inserted through them (the shard's address
// is not served here): this checks that the engine accepts the DDL the cluster layout renders,
// and what the upgrade of an 18.16 cluster database and a retention change do to the tables.
// Replicated engines and ON CLUSTER need ZooKeeper / Keeper: their DDL is checked as text in
// schema-layout.test.ts.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseClient } from './clickhouse-client.js';
import { MIGRATIONS } from './migrations.js';
import { ensureClusterSchema, type ClusterSchemaOptions } from './cluster-schema.js';
import { appliedVersions } from './schema.js';

const NODE = 'http://ch-1.example:8123/';
const OPTIONS: ClusterSchemaOptions = { cluster: 'loop', replicated: false, nodeUrls: [NODE] };
const noOtherNode = (url: string): never => {
  throw new Error(`no other node to connect to: ${url}`);
};

let root: string;
let client: ClickHouseClient;
let session: { close(): void };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-cluster-schema-'));
  const dataDir = join(root, 'clickhouse');
  const config = join(root, 'loop-cluster.xml');
  await writeFile(config, `<clickhouse><remote_servers><loop><shard><replica><host>127.0.0.1</host><port>9000</port></replica></shard></loop></remote_servers></clickhouse>\n`);
  // The engine starts with the first connection to its folder: this one, with the config file.
  const { Session } = createRequire(import.meta.url)('chdb') as { Session: new (path: string, options: { connectionArgs: string[] }) => { close(): void } };
  session = new Session(dataDir, { connectionArgs: [`--config-file=${config}`] });
  client = createClickHouseClient({ url: '', dataDir });
});

afterAll(async () => {
  await client?.close();
  session?.close();
  await rm(root, { recursive: true, force: true });
});

async function rows<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function tables(db: string): Promise<Array<{ name: string; engine_full: string }>> {
  return rows(`SELECT name, engine_full FROM system.tables WHERE database = '${db}' ORDER BY name`);
}

describe('the cluster schema, run per node', () => {
  it('creates spans_local on the node, a Distributed spans over it sharded by trace, and the otel_traces view; again is a no-op', async () => {
    expect(await rows(`SELECT cluster, shard_num FROM system.clusters WHERE cluster = 'loop'`)).toEqual([{ cluster: 'loop', shard_num: 1 }]);
    expect(await ensureClusterSchema(client, NODE, 'tt_cluster', OPTIONS, noOtherNode)).toEqual({ applied: [3, 4, 7, 8, 9], version: 9, nodes: [{ url: NODE, applied: [3, 4, 7, 8, 9], version: 9 }] });
    const created = await tables('tt_cluster');
    expect(created.map((t) => t.name)).toEqual(['alert_events', 'alert_events_local', 'alert_rules', 'alert_rules_local', 'dirty_hours', 'dirty_hours_local', 'dirty_hours_mv_local', 'otel_traces', 'schema_migrations', 'spans', 'spans_local', 'usage_rollup', 'usage_rollup_builds', 'usage_rollup_builds_local', 'usage_rollup_local']);
    const [migrations, spans, local] = ['schema_migrations', 'spans', 'spans_local'].map((n) => created.find((t) => t.name === n)!);
    // The alert tables (migration 7): a project's rules and history on one shard.
    expect(created.find((t) => t.name === 'alert_rules')!.engine_full).toBe("Distributed('loop', 'tt_cluster', 'alert_rules_local', cityHash64(project_id))");
    expect(created.find((t) => t.name === 'alert_rules_local')!.engine_full).toMatch(/^ReplacingMergeTree\(version\) ORDER BY \(project_id, rule_id\)/);
    expect(created.find((t) => t.name === 'alert_events_local')!.engine_full).toMatch(/^MergeTree PARTITION BY toYYYYMM\(time\) ORDER BY \(project_id, rule_id, time\)/);
    expect(spans.engine_full).toBe("Distributed('loop', 'tt_cluster', 'spans_local', cityHash64(trace_id))");
    expect(local.engine_full).toMatch(/^ReplacingMergeTree\(version\) PARTITION BY toDate\(start_time\) ORDER BY \(project_id, is_model_call, toStartOfHour\(start_time\), trace_id, span_id\) TTL toDateTime\(start_time\) \+ toIntervalDay\(400\) SETTINGS /);
    expect(migrations.engine_full).toMatch(/^MergeTree ORDER BY version/); // each node records what ran on it

    // The same columns on both, computed ones included; skip indexes only where the rows are.
    const columns = (table: string) => rows(`SELECT name, type, default_kind FROM system.columns WHERE database = 'tt_cluster' AND table = '${table}' ORDER BY position`);
    expect(await columns('spans')).toEqual(await columns('spans_local'));
    expect(await rows(`SELECT table, count() AS n FROM system.data_skipping_indices WHERE database = 'tt_cluster' GROUP BY table`)).toEqual([{ table: 'spans_local', n: '3' }]);
    expect((await rows<{ create_table_query: string }>(`SELECT create_table_query FROM system.tables WHERE database = 'tt_cluster' AND name = 'otel_traces'`))[0].create_table_query)
      .toMatch(/FROM tt_cluster\.spans FINAL$/);

    expect(await ensureClusterSchema(client, NODE, 'tt_cluster', OPTIONS, noOtherNode)).toEqual({ applied: [], version: 9, nodes: [{ url: NODE, applied: [], version: 9 }] });
  });

  it('migration 4 on a v3 cluster database: resend_count added to spans_local and to the Distributed spans', async () => {
    const db = 'tt_cluster_v3';
    const v3Only = MIGRATIONS.filter((m) => m.version === 3);
    expect(await ensureClusterSchema(client, NODE, db, OPTIONS, noOtherNode, v3Only)).toMatchObject({ applied: [3], version: 3 });
    const resendColumn = (table: string) => rows(`SELECT type, default_kind FROM system.columns WHERE database = '${db}' AND table = '${table}' AND name = 'resend_count'`);
    expect(await resendColumn('spans_local')).toEqual([]);
    expect(await ensureClusterSchema(client, NODE, db, OPTIONS, noOtherNode)).toMatchObject({ applied: [4, 7, 8, 9], version: 9 });
    expect(await resendColumn('spans_local')).toEqual([{ type: 'UInt16', default_kind: '' }]);
    expect(await resendColumn('spans')).toEqual([{ type: 'UInt16', default_kind: '' }]);
    const columns = (d: string, table: string) => rows(`SELECT name, type FROM system.columns WHERE database = '${d}' AND table = '${table}' ORDER BY position`);
    expect(await columns(db, 'spans')).toEqual(await columns('tt_cluster', 'spans')); // as on a database created at v4
  });

  it('sets the retention on the local table', async () => {
    const ttl = async () => /\bTTL (.*?) SETTINGS/.exec((await tables('tt_cluster_ttl')).find((t) => t.name === 'spans_local')!.engine_full)?.[1] ?? 'none';
    await ensureClusterSchema(client, NODE, 'tt_cluster_ttl', OPTIONS, noOtherNode, undefined, { retentionDays: 30 });
    expect(await ttl()).toBe('toDateTime(start_time) + toIntervalDay(30)');
    await ensureClusterSchema(client, NODE, 'tt_cluster_ttl', OPTIONS, noOtherNode, undefined, { retentionDays: 0 });
    expect(await ttl()).toBe('none');
  });

  it('upgrades an 18.16 cluster database: the old local spans kept as spans_v2_legacy_local with its rows, the old Distributed spans not kept pointing at v3', async () => {
    const db = 'tt_cluster_legacy';
    await client.command({ query: `CREATE DATABASE ${db} ENGINE = Ordinary`, clickhouse_settings: { allow_deprecated_database_ordinary: 1 } });
    await client.command({ query: `CREATE TABLE ${db}.schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version` });
    await client.command({ query: `INSERT INTO ${db}.schema_migrations VALUES (1, 'v1', 1546300800), (2, 'v2', 1546300900)` });
    const oldColumns = '(project_id String, date Date, trace_id String, span_id String, name String, is_model_call UInt8, version UInt64)';
    await client.command({ query: `CREATE TABLE ${db}.spans_local ${oldColumns} ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(date) ORDER BY (project_id, date, trace_id, span_id)` });
    await client.command({ query: `CREATE TABLE ${db}.spans ${oldColumns} ENGINE = Distributed('loop', '${db}', 'spans_local', cityHash64(trace_id))` });
    await client.command({ query: `CREATE TABLE ${db}.requests_local (project_id String, date Date, span_id String, version UInt64) ENGINE = ReplacingMergeTree(version) PARTITION BY date ORDER BY (project_id, date, span_id)` });
    await client.command({ query: `CREATE TABLE ${db}.requests (project_id String, date Date, span_id String, version UInt64) ENGINE = Distributed('loop', '${db}', 'requests_local', cityHash64(span_id))` });
    await client.command({ query: `CREATE MATERIALIZED VIEW ${db}.requests_mv TO ${db}.requests_local AS SELECT project_id, date, span_id, version FROM ${db}.spans_local WHERE is_model_call = 1` });
    await client.command({ query: `INSERT INTO ${db}.spans_local VALUES ('p', '2019-03-01', 't1', 's1', 'chat', 1, 1), ('p', '2019-03-02', 't2', 's2', 'GET /', 0, 1)` });

    expect(await ensureClusterSchema(client, NODE, db, OPTIONS, noOtherNode)).toMatchObject({ applied: [3, 4, 7, 8, 9], version: 9 });
    expect(await appliedVersions(client, db)).toEqual([1, 2, 3, 4, 7, 8, 9]);
    const upgraded = await tables(db);
    // No `spans_v2_legacy` Distributed table: renamed, it would still name `spans_local`, which is now v3's.
    expect(upgraded.map((t) => t.name)).toEqual(['alert_events', 'alert_events_local', 'alert_rules', 'alert_rules_local', 'dirty_hours', 'dirty_hours_local', 'dirty_hours_mv_local', 'otel_traces', 'schema_migrations', 'spans', 'spans_local', 'spans_v2_legacy_local', 'usage_rollup', 'usage_rollup_builds', 'usage_rollup_builds_local', 'usage_rollup_local']);
    expect(upgraded.find((t) => t.name === 'spans')!.engine_full).toBe(`Distributed('loop', '${db}', 'spans_local', cityHash64(trace_id))`);
    expect(upgraded.find((t) => t.name === 'spans_local')!.engine_full).toMatch(/^ReplacingMergeTree\(version\) PARTITION BY toDate\(start_time\) ORDER BY \(project_id, is_model_call, /);
    expect(await rows(`SELECT span_id, name FROM ${db}.spans_v2_legacy_local ORDER BY span_id`)).toEqual([{ span_id: 's1', name: 'chat' }, { span_id: 's2', name: 'GET /' }]);
    expect(await ensureClusterSchema(client, NODE, db, OPTIONS, noOtherNode)).toMatchObject({ applied: [], version: 9 });
  });
});
