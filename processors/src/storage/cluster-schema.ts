/**
 * The schema on a cluster (issue 5): local tables on every shard, Distributed tables of the same
 * names over them (schema-layout.ts), brought up to the newest migration in one of two ways:
 *
 * - `ON CLUSTER` (no `nodeUrls`): every DDL statement is sent once, to the node the collector
 *   talks to, and ClickHouse runs it on every node of the cluster. This is the production way; it
 *   needs distributed DDL, i.e. ZooKeeper or ClickHouse Keeper and `<distributed_ddl>` on the
 *   servers (deploy/clickhouse-cluster/). The applied versions are recorded on that node.
 * - per node (`nodeUrls`): the migrator connects to each node and runs the statements there
 *   itself, without `ON CLUSTER`; each node records its own versions. This works without
 *   ZooKeeper or Keeper. The node the collector talks to gets the
 *   tables too when it is not listed.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_RETENTION_DAYS, MIGRATIONS, type Migration, type SchemaOptions } from './migrations.js';
import { clusterLayout } from './schema-layout.js';
import { ensureSchema, type SchemaResult } from './schema.js';

export interface ClusterSchemaOptions {
  /** The cluster's name in `<remote_servers>`. */
  cluster: string;
  replicated: boolean;
  /** Every node's HTTP URL, to run the schema on each itself; empty: ON CLUSTER through `client`. */
  nodeUrls: readonly string[];
}

export interface ClusterSchemaResult extends SchemaResult {
  /** Per node when the schema ran on each node, in the order run; empty with ON CLUSTER. */
  nodes: Array<SchemaResult & { url: string }>;
}

/**
 * Brings the cluster schema of `database` up to date. `client` talks to the node the collector
 * uses (`url`); `connect` opens a client to another node (closed here after use).
 */
export async function ensureClusterSchema(
  client: ClickHouseClient,
  url: string,
  database: string,
  options: ClusterSchemaOptions,
  connect: (url: string) => ClickHouseClient,
  migrations: readonly Migration[] = MIGRATIONS,
  schemaOptions: SchemaOptions = { retentionDays: DEFAULT_RETENTION_DAYS },
): Promise<ClusterSchemaResult> {
  const layout = (onCluster: boolean) => clusterLayout({ cluster: options.cluster, database, replicated: options.replicated, onCluster });
  if (options.nodeUrls.length === 0) return { ...(await ensureSchema(client, database, migrations, layout(true), schemaOptions)), nodes: [] };
  const urls = [...new Set(options.nodeUrls.map(normalUrl))];
  if (!urls.includes(normalUrl(url))) urls.push(normalUrl(url));
  const nodes: ClusterSchemaResult['nodes'] = [];
  for (const nodeUrl of urls) {
    const own = nodeUrl === normalUrl(url);
    const nodeClient = own ? client : connect(nodeUrl);
    try {
      nodes.push({ url: nodeUrl, ...(await ensureSchema(nodeClient, database, migrations, layout(false), schemaOptions)) });
    } finally {
      if (!own) await nodeClient.close();
    }
  }
  const entry = nodes.find((n) => n.url === normalUrl(url))!;
  return { applied: entry.applied, version: entry.version, nodes };
}

function normalUrl(url: string): string {
  return new URL(url).href;
}
