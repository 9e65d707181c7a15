/**
 * The one place where `@clickhouse/client` is configured, with options that work against both
 * Debian's ClickHouse 18.16 and current releases (checked against 18.16.1 over HTTP):
 *
 * - No `clickhouse_settings`: 18.16 rejects every setting it does not know (code 115, "Unknown
 *   setting"), and the client would send them as URL parameters on every request.
 * - No `database`: the client sends it with every request, and it would fail with "unknown
 *   database" before the schema has created it; statements name `db.table` instead.
 * - No query parameters (`query_params`): 18.16 predates them (see sql-literal.ts).
 * - Response compression off, request compression optional: 18.16 accepts gzip request bodies
 *   and `enable_http_compression`, but on loopback gzip only costs CPU.
 * - Keep-alive as the client's default: `idle_socket_ttl` 2500 ms is below the 3 s
 *   `keep_alive_timeout` of 18.16 and of our managed server (a socket the server already closed
 *   shows up as ECONNRESET, which the retry logic handles).
 * - Client logging off: it would print every failed insert of an outage with a stack trace; the
 *   exporter classifies failures (error-classifier.ts) and the wrappers count and log them.
 * - The server's 64-bit integers come back as JSON strings (18.16's default
 *   `output_format_json_quote_64bit_integers=1`, same on current servers); readers convert.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseExporterConfig } from './config.js';

export type ClickHouseConnectionConfig = Pick<ClickHouseExporterConfig, 'url' | 'username' | 'password' | 'requestTimeoutMs' | 'compressRequests' | 'maxOpenConnections'>;

export function createClickHouseClient(config: ClickHouseConnectionConfig): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    request_timeout: config.requestTimeoutMs,
    max_open_connections: config.maxOpenConnections,
    compression: { request: config.compressRequests, response: false },
    application: 'tokentrace',
    log: { level: ClickHouseLogLevel.OFF },
  });
}
