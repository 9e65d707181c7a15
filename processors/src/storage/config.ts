/**
 * Configuration of the ClickHouse exporter: every default in one place and a validate() that
 * throws a ConfigError naming the key (the OpenTelemetry Collector's `Validate()` habit); the
 * collector's config composes it under `clickhouse.`.
 */
import { ConfigError } from '../pipeline/config-error.js';
import { isPlainIdentifier } from './sql-literal.js';

export interface ClickHouseExporterConfig {
  /** A server's HTTP interface, e.g. `http://127.0.0.1:8123`; empty: the embedded engine (embedded-engine.ts) in `dataDir`. */
  url: string;
  /** The embedded engine's data directory (when `url` is empty). */
  dataDir: string;
  /** Threads one query may use (`max_threads`); on the embedded engine they share the collector's cores. */
  maxThreads: number;
  /** The embedded engine's memory bound (`max_server_memory_usage`), bytes. */
  maxMemoryBytes: number;
  username: string;
  password: string;
  /** Database holding the tables; created by the schema when missing. A plain identifier. */
  database: string;
  /** Per-request timeout (the client's `request_timeout`). */
  requestTimeoutMs: number;
  /** gzip request bodies. Off by default: on loopback it costs CPU and saves nothing. */
  compressRequests: boolean;
  /** Create or upgrade the schema (migrations.ts) at start and before the first insert. */
  createSchema: boolean;
  /** Days spans are kept (the table's `TTL`, whole days dropped); 0 keeps them forever. */
  retentionDays: number;
  /** Sockets kept open to the server (the client's `max_open_connections`). */
  maxOpenConnections: number;
  /**
   * Name of a cluster in the servers' `<remote_servers>`: the schema is then local tables on each
   * shard behind Distributed tables (schema-layout.ts), and `url` is a node that has them. Empty:
   * one server.
   */
  cluster: string;
  /** Replicated engines on the cluster (needs ZooKeeper / Keeper and `{shard}` / `{replica}` macros). */
  replicated: boolean;
  /**
   * HTTP URLs of every node of the cluster, to run the schema on each one itself (no distributed
   * DDL: servers without ZooKeeper or Keeper). Empty: the schema is sent once to `url`
   * with `ON CLUSTER`.
   */
  nodeUrls: string[];
}

export const DEFAULT_CLICKHOUSE_EXPORTER_CONFIG: ClickHouseExporterConfig = {
  url: '',
  dataDir: '.data/clickhouse',
  maxThreads: 2,
  maxMemoryBytes: 2 * 1024 * 1024 * 1024,
  username: 'default',
  password: '',
  database: 'tokentrace',
  requestTimeoutMs: 30_000,
  compressRequests: false,
  createSchema: true,
  retentionDays: 400,
  maxOpenConnections: 10,
  cluster: '',
  replicated: false,
  nodeUrls: [],
};

/** The defaults overlaid with `options`, validated. */
export function resolveClickHouseExporterConfig(options: Partial<ClickHouseExporterConfig> = {}): ClickHouseExporterConfig {
  const config = { ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (config as Record<string, unknown>)[key] = value;
  validateClickHouseExporterConfig(config);
  return config;
}

export function validateClickHouseExporterConfig(c: ClickHouseExporterConfig): void {
  if (typeof c.url !== 'string' || (c.url !== '' && !/^https?:\/\/[^/]/.test(c.url))) throw new ConfigError('url', 'an http(s) URL, or empty for the embedded engine', c.url);
  if (c.url === '' && (typeof c.dataDir !== 'string' || c.dataDir === '')) throw new ConfigError('dataDir', 'a directory for the embedded engine', c.dataDir);
  if (c.url === '' && c.cluster !== '') throw new ConfigError('url', 'the URL of a cluster node when cluster is set', c.url);
  if (!Number.isInteger(c.maxThreads) || c.maxThreads < 1) throw new ConfigError('maxThreads', 'a positive integer', c.maxThreads);
  if (!Number.isFinite(c.maxMemoryBytes) || c.maxMemoryBytes < 64 * 1024 * 1024) throw new ConfigError('maxMemoryBytes', 'a number of bytes ≥ 64 MiB', c.maxMemoryBytes);
  if (typeof c.username !== 'string' || c.username === '') throw new ConfigError('username', 'a user name', c.username);
  if (typeof c.password !== 'string') throw new ConfigError('password', 'a string', typeof c.password);
  if (typeof c.database !== 'string' || !isPlainIdentifier(c.database)) throw new ConfigError('database', 'an identifier (letters, digits, underscore)', c.database);
  if (!Number.isFinite(c.requestTimeoutMs) || c.requestTimeoutMs <= 0) throw new ConfigError('requestTimeoutMs', 'a positive number of milliseconds', c.requestTimeoutMs);
  if (!Number.isInteger(c.maxOpenConnections) || c.maxOpenConnections <= 0) throw new ConfigError('maxOpenConnections', 'a positive integer', c.maxOpenConnections);
  if (typeof c.compressRequests !== 'boolean') throw new ConfigError('compressRequests', 'true or false', c.compressRequests);
  if (typeof c.createSchema !== 'boolean') throw new ConfigError('createSchema', 'true or false', c.createSchema);
  if (!Number.isInteger(c.retentionDays) || c.retentionDays < 0 || c.retentionDays > 36_500) throw new ConfigError('retentionDays', 'a whole number of days from 0 (keep forever) to 36500', c.retentionDays);
  if (typeof c.cluster !== 'string' || (c.cluster !== '' && !CLUSTER_NAME.test(c.cluster))) throw new ConfigError('cluster', 'a cluster name from <remote_servers> (letters, digits, _ and -) or empty', c.cluster);
  if (typeof c.replicated !== 'boolean') throw new ConfigError('replicated', 'true or false', c.replicated);
  if (c.replicated && c.cluster === '') throw new ConfigError('replicated', 'false without a cluster (set cluster)', c.replicated);
  if (!Array.isArray(c.nodeUrls) || !c.nodeUrls.every((u) => typeof u === 'string' && /^https?:\/\/[^/]/.test(u))) throw new ConfigError('nodeUrls', 'a list of http(s) URLs', c.nodeUrls);
  if (c.nodeUrls.length > 0 && c.cluster === '') throw new ConfigError('nodeUrls', 'empty without a cluster (set cluster)', c.nodeUrls);
}

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
