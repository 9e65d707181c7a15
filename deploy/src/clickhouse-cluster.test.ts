/**
 * deploy/clickhouse-cluster, compared with the schema it has to carry (schema v3) and with
 * itself: the cluster's shape, the macros the replicated DDL uses, Keeper where the servers look
 * for it, synchronous Distributed inserts, every variable the files read documented, and the DDL
 * the README shows. (No server runs here: the production files name hosts that exist only in a
 * deployment; the per-node schema runs on the embedded engine in
 * processors/src/storage/cluster-schema.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterLayout, MIGRATIONS } from '../../processors/src/storage/index.js';
import { LEGACY_SPANS_TABLE } from '../../processors/src/storage/migrations.js';
import { deployDir } from './testing/repo.js';

const dir = join(deployDir, 'clickhouse-cluster');
const read = (path: string) => readFileSync(join(dir, path), 'utf8');
const cluster = read('production/config.d/tokentrace-cluster.xml');
const macros = read('production/config.d/macros.xml');
const users = read('production/users.d/tokentrace.xml');
const keeper = read('production/keeper/keeper.xml');

/** Inner texts of `<tag>…</tag>` (the files have no nested tags of the same name). */
function all(xml: string, tag: string): string[] {
  return [...withoutComments(xml).matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1].trim());
}

function withoutComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '');
}

/** The schema v3 DDL for the production cluster, ON CLUSTER with replication, as the collector sends it. */
const productionDdl = MIGRATIONS.flatMap((m) => m.statements('`tokentrace`', clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster: true })));

describe('deploy/clickhouse-cluster/production', () => {
  it('defines the cluster `tokentrace` as 2 shards of 2 replicas, replicated internally', () => {
    const [definition] = all(all(cluster, 'remote_servers')[0], 'tokentrace');
    const shards = all(definition, 'shard');
    expect(shards).toHaveLength(2);
    for (const shard of shards) {
      expect(all(shard, 'internal_replication')).toEqual(['true']);
      expect(all(shard, 'replica')).toHaveLength(2);
    }
    const hosts = shards.flatMap((s) => all(s, 'host'));
    expect(new Set(hosts).size).toBe(4);
  });

  it('gives every server the macros the replicated schema uses', () => {
    const ddl = productionDdl.join('\n');
    const used = new Set([...ddl.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(['replica', 'shard']);
    const defined = [...withoutComments(macros).matchAll(/<(shard|replica)\s+from_env="(\w+)"\s*\/>/g)].map((m) => m[1]);
    expect(defined.sort()).toEqual(['replica', 'shard']);
  });

  it('points the servers at the Keeper ensemble that keeper.xml defines, with distributed DDL on', () => {
    const servers = all(all(cluster, 'zookeeper')[0], 'node').map((n) => `${all(n, 'host')[0]}:${all(n, 'port')[0]}`);
    const port = all(keeper, 'tcp_port')[0];
    const raft = all(all(keeper, 'raft_configuration')[0], 'server').map((s) => `${all(s, 'hostname')[0]}:${port}`);
    expect(servers).toHaveLength(3);
    expect(servers).toEqual(raft);
    expect(all(all(cluster, 'distributed_ddl')[0], 'path')).toEqual(['/clickhouse/task_queue/ddl']);
  });

  it('makes the collector user insert synchronously through Distributed tables and allows ON CLUSTER', () => {
    const profile = all(all(users, 'profiles')[0], 'tokentrace')[0];
    expect(all(profile, 'distributed_foreground_insert')).toEqual(['1']);
    expect(all(all(users, 'users')[0], 'profile')).toEqual(['tokentrace']);
    expect(all(users, 'query')).toEqual(expect.arrayContaining(['GRANT ALL ON tokentrace.*', 'GRANT CLUSTER ON *.*']));
  });

  it('documents every environment variable the files read in the README', () => {
    const readme = read('README.md');
    const names = new Set([cluster, macros, users, keeper].flatMap((xml) => [...withoutComments(xml).matchAll(/from_env="(\w+)"/g)].map((m) => m[1])));
    expect(names.size).toBe(5);
    for (const name of names) expect(readme, name).toContain(`\`${name}\``);
  });
});

describe('deploy/clickhouse-cluster/README.md', () => {
  const readme = read('README.md');
  const sql = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');

  it('shows the DDL of schema v3 as the layout renders it: every engine, key, TTL and settings line, and each statement\'s head', () => {
    const lines = sql.split('\n').map((l) => l.replace(/;$/, '')).filter((l) => /^(ENGINE|PARTITION BY|ORDER BY|TTL|SETTINGS) /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const ddl = productionDdl.join('\n');
    for (const line of lines) expect(ddl, line).toContain(line);
    const head = (line: string) => line.replace(/ \(.*$/, '');
    const heads = sql.split('\n').filter((l) => /^(CREATE|ALTER|INSERT) /.test(l)).map(head);
    expect(heads).toEqual(productionDdl.map((statement) => head(statement.split('\n')[0])));
  });

  it('names only tables the schema creates, or keeps from the retired schema', () => {
    const created = new Set(productionDdl.map((statement) => /`tokentrace`\.(\w+)/.exec(statement)![1]));
    expect([...created].sort()).toEqual([
      'alert_events', 'alert_events_local', 'alert_rules', 'alert_rules_local', 'dirty_hours', 'dirty_hours_local', 'dirty_hours_mv_local', 'otel_traces', 'spans', 'spans_local',
      'usage_rollup', 'usage_rollup_builds', 'usage_rollup_builds_local', 'usage_rollup_local',
    ]);
    const known = new Set([...created, 'schema_migrations', `${LEGACY_SPANS_TABLE}_local`]);
    const named = [...readme.matchAll(/(?<![\w/-])`?tokentrace`?\.(?!xml\b)(\w+)/g)].map((m) => m[1]); // `tokentrace.spans`, not users.d/tokentrace.xml
    expect(named.length).toBeGreaterThan(0);
    for (const table of named) expect(known.has(table), table).toBe(true);
    expect(readme).not.toMatch(/\b(requests|request_rollups|trace_index|session_index)(_local|_mv)?\b/);
  });
});

describe('deploy/clickhouse-cluster/loopback*', () => {
  it('makes Distributed inserts synchronous under the current setting name, and reads only variables the README documents', () => {
    const users = read('loopback/users.d/distributed-inserts.xml');
    expect(all(all(all(users, 'profiles')[0], 'default')[0], 'distributed_foreground_insert')).toEqual(['1']);
    const readme = read('README.md');
    for (const file of ['loopback/config.d/tokentrace-cluster.xml', 'loopback-replicated/config.d/tokentrace-cluster.xml']) {
      const names = [...withoutComments(read(file)).matchAll(/from_env="(\w+)"/g)].map((m) => m[1].replace(/SHARD_\d+_REPLICA_\d+/, 'SHARD_<n>_REPLICA_<m>'));
      expect(names.length).toBeGreaterThan(2);
      for (const name of new Set(names)) expect(readme, `${file}: ${name}`).toContain(`\`${name}\``);
    }
  });
});
