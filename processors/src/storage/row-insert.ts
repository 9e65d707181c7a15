/**
 * `INSERT INTO table (columns) FORMAT format` with a body already encoded (RowBinary by the
 * exporter, span-row-binary.ts; JSON rows by tests and tools, json-each-row-insert.ts). On a
 * server the statement goes through `client.exec`, which sends it as the `query` URL parameter and
 * the body as the data, the way `client.insert` does; on the embedded engine the body goes to the
 * engine as bytes (embedded-engine.ts, embeddedRawInsert).
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { embeddedRawInsert } from './embedded-engine.js';

export type RowFormat = 'JSONEachRow' | 'JSONCompactEachRow' | 'RowBinary';

/** `table` and `columns` are trusted identifiers; `body` one Buffer or parts written one after the other. */
export async function insertRows(client: ClickHouseClient, table: string, columns: readonly string[], format: RowFormat, body: Buffer | readonly Buffer[]): Promise<void> {
  const parts = Buffer.isBuffer(body) ? [body] : body;
  if (parts.every((part) => part.length === 0)) return;
  const raw = embeddedRawInsert(client);
  if (raw) return raw({ table, columns, format, body: parts });
  const result = await client.exec({
    query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT ${format}`,
    values: Readable.from(parts, { objectMode: false }),
  });
  // The answer to an INSERT is empty; reading it to the end returns the socket to the pool.
  for await (const _ of result.stream) void _;
}
