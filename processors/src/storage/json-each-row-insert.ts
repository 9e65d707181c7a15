/**
 * An INSERT of rows in JSONEachRow, with the body encoded here instead of by
 * `client.insert({ values: rows })`. The client would keep every row object and then the whole
 * body as one string alive until the server answers (hundreds of milliseconds for a batch of
 * thousands of spans), so the garbage collector copied them between young-generation spaces,
 * promoted them and marked them again. Encoded here, a row object lives only until its line is
 * written, and the body is a few Buffers off the JS heap.
 *
 * JSONEachRow, because it fills columns by name, and reads a Map as a JSON object and a Nested
 * column as its parallel arrays (span-row.ts says what the rows respect). The statement goes through
 * `client.exec`, which sends it as the `query` URL parameter and the body as the data, the way
 * `client.insert` does.
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

/** Lines are gathered into Buffers of about this size: few chunks, none large. */
const CHUNK_CHARS = 256 * 1024;

/** The JSONEachRow text of `count` rows, `rowAt(i)` made one at a time. */
export function jsonEachRowChunks(count: number, rowAt: (index: number) => object): Buffer[] {
  const chunks: Buffer[] = [];
  let text = '';
  for (let i = 0; i < count; i++) {
    text += JSON.stringify(rowAt(i)) + '\n';
    if (text.length >= CHUNK_CHARS) {
      chunks.push(Buffer.from(text));
      text = '';
    }
  }
  if (text !== '') chunks.push(Buffer.from(text));
  return chunks;
}

/** `INSERT INTO table (columns) FORMAT JSONEachRow` with `body`; `table` and `columns` are trusted identifiers. */
export async function insertJsonEachRow(client: ClickHouseClient, table: string, columns: readonly string[], body: readonly Buffer[]): Promise<void> {
  if (body.length === 0) return;
  const result = await client.exec({
    query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT JSONEachRow`,
    values: Readable.from(body, { objectMode: false }),
  });
  // The answer to an INSERT is empty; reading it to the end returns the socket to the pool.
  for await (const _ of result.stream) void _;
}
