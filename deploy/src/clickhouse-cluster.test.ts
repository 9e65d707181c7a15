/**
 * deploy/clickhouse-cluster/production, compared with the schema it has to carry and with itself:
 * the cluster's shape, the macros the replicated DDL uses, Keeper where the servers look for it,
 * synchronous Distributed inserts for the collector's user, and every variable the files read
 * documented. (The loopback variants run for real in collector/src/cluster.e2e.test.ts; these
 * files name hosts that exist only in a deployment, and need ClickHouse 24+.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterLayout, MIGRATIONS } from '../../processors/src/storage/index.js';
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
    const ddl = MIGRATIONS.flatMap((m) => m.statements('`tokentrace`', clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster: true }))).join('\n');
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
