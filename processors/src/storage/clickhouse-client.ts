/**
 * The one place where `@clickhouse/client` is configured, for both ways to run the storage:
 *
 * - **embedded** (`url` empty, the default): the engine runs in this process (chdb,
 *   embedded-engine.ts) on `dataDir`, behind the same client API;
 * - **server** (`url` set): a ClickHouse server's HTTP interface, 25.8 LTS or newer.
 *
 * Options:
 * - `max_threads` with every query: on the embedded engine queries share the collector's cores.
 * - No `database`: the client would send it with every request, and it fails with "unknown
 *   database" before the schema has created it; statements name `db.table` instead.
 * - Response compression off, request compression optional: on loopback gzip only costs CPU.
 * - Client logging off: it would print every failed insert of an outage with a stack trace; the
 *   exporter classifies failures (error-classifier.ts) and the wrappers count and log them.
 * - 64-bit integers come back as JSON strings (`output_format_json_quote_64bit_integers`, set
 *   here because the embedded engine's default differs from servers'); readers convert.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, type ClickHouseExporterConfig } from './config.js';
import { embeddedConnection, registerEmbeddedClient } from './embedded-engine.js';

export type ClickHouseConnectionConfig = Pick<
  ClickHouseExporterConfig,
  'url' | 'dataDir' | 'maxThreads' | 'maxMemoryBytes' | 'username' | 'password' | 'requestTimeoutMs' | 'compressRequests' | 'maxOpenConnections'
>;

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** A client for `options` over the defaults (config.ts). */
export function createClickHouseClient(options: Partial<ClickHouseConnectionConfig>): ClickHouseClient {
  const config: ClickHouseConnectionConfig = { ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, ...options };
  const common = {
    clickhouse_settings: { max_threads: config.maxThreads, output_format_json_quote_64bit_integers: 1 as const },
    application: 'tokentrace',
    log: { level: ClickHouseLogLevel.OFF },
  };
  if (config.url === '') {
    // chdb declares the same Connection contract against @clickhouse/client-common's own copy of the types.
    const engine = embeddedConnection({ dataDir: config.dataDir, maxThreads: config.maxThreads, maxMemoryBytes: config.maxMemoryBytes });
    const client = createClient({ ...common, connection: engine as unknown as ClientConnection });
    // Inserts hand their bytes to the engine directly (embedded-engine.ts, json-each-row-insert.ts).
    registerEmbeddedClient(client, engine, config.dataDir, { max_threads: config.maxThreads });
    return client;
  }
  return createClient({
    ...common,
    url: config.url,
    username: config.username,
    password: config.password,
    request_timeout: config.requestTimeoutMs,
    max_open_connections: config.maxOpenConnections,
    compression: { request: config.compressRequests, response: false },
  });
}

/** Where the data lives, for logs: the server's URL, or `embedded ClickHouse in <dir>`. */
export function storageLocation(config: Pick<ClickHouseExporterConfig, 'url' | 'dataDir'>): string {
  return config.url === '' ? `embedded ClickHouse in ${config.dataDir}` : config.url;
}
