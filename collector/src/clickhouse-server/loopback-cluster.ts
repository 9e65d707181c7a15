/**
 * A ClickHouse cluster on loopback (issue 5): managed servers as the shards (and replicas) of one
 * cluster, for tests and for trying the cluster layout on one machine. Every server gets the same
 * merge files (the `<remote_servers>` cluster of deploy/clickhouse-cluster/loopback*) and learns
 * its own place and the others' ports from its environment, which those files read with
 * `from_env`:
 *
 * - `TOKENTRACE_SHARD_<n>_REPLICA_<m>_TCP_PORT`: native port of replica m of shard n (from 1);
 * - `TOKENTRACE_SHARD`, `TOKENTRACE_REPLICA`: this server's n and m (the `{shard}` and
 *   `{replica}` macros of replicated tables);
 * - `TOKENTRACE_INTERSERVER_HTTP_PORT`: this server's port for replicas fetching parts;
 * - whatever `env` adds (e.g. ZooKeeper's port).
 *
 * So every port is picked before any server starts (each must know the others'); if one was taken
 * meanwhile, the whole cluster starts again on fresh ports.
 */
import { join } from 'node:path';
import { freePort, LocalClickHouse } from './local-clickhouse.js';
import { LocalClickHouseError } from './local-clickhouse-error.js';

export interface LoopbackClusterOptions {
  /** Folder for the servers' folders (`shard-1-replica-1`, …). */
  dir: string;
  shards: number;
  /** Servers per shard; default 1. */
  replicas?: number;
  /** Merged into each server's config (`config.d/`): the cluster definition. */
  configFiles: string[];
  /** Merged into each server's users config (`users.d/`). */
  usersFiles?: string[];
  /** More environment for every server. */
  env?: Record<string, string>;
  shutdownWaitSeconds?: number;
}

const ATTEMPTS = 3;

export class LoopbackCluster {
  private constructor(readonly nodes: readonly LocalClickHouse[]) {}

  /** The servers' HTTP URLs: shard 1's replicas first, then shard 2's, … */
  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  static async start(options: LoopbackClusterOptions): Promise<LoopbackCluster> {
    const replicas = options.replicas ?? 1;
    for (const [key, value] of [['shards', options.shards], ['replicas', replicas]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new LocalClickHouseError('CLICKHOUSE_INVALID_OPTION', `${key}: expected a positive integer, got ${value}`);
    }
    const places = Array.from({ length: options.shards * replicas }, (_, i) => ({ shard: Math.floor(i / replicas) + 1, replica: (i % replicas) + 1 }));
    for (let attempt = 1; ; attempt++) {
      const ports = await distinctFreePorts(places.length * 3);
      const portsOf = (i: number) => ({ http: ports[3 * i], tcp: ports[3 * i + 1], interserver: ports[3 * i + 2] });
      const env: Record<string, string> = { ...options.env };
      places.forEach((p, i) => (env[`TOKENTRACE_SHARD_${p.shard}_REPLICA_${p.replica}_TCP_PORT`] = String(portsOf(i).tcp)));
      const started = await Promise.allSettled(
        places.map((p, i) =>
          LocalClickHouse.start({
            dir: join(options.dir, `shard-${p.shard}-replica-${p.replica}`),
            httpPort: portsOf(i).http,
            tcpPort: portsOf(i).tcp,
            configFiles: options.configFiles,
            usersFiles: options.usersFiles,
            env: { ...env, TOKENTRACE_SHARD: String(p.shard), TOKENTRACE_REPLICA: String(p.replica), TOKENTRACE_INTERSERVER_HTTP_PORT: String(portsOf(i).interserver) },
            shutdownWaitSeconds: options.shutdownWaitSeconds,
          }),
        ),
      );
      const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failure) return new LoopbackCluster(nodes);
      await Promise.all(nodes.map((n) => n.stop()));
      const portTaken = failure.reason instanceof LocalClickHouseError && failure.reason.code === 'CLICKHOUSE_PORT_IN_USE';
      if (!portTaken || attempt === ATTEMPTS) throw failure.reason;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
