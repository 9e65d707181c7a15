/**
 * An INSERT of rows in JSONCompactEachRow (one JSON array per row, values in the statement's
 * column order), with the body encoded here instead of by `client.insert({ values: rows })`. The
 * client would keep every row object and then the whole body as one string alive until the
 * engine answers, so the garbage collector copied them between young-generation spaces, promoted
 * them and marked them again. Encoded here, a row lives only until its line is written into the
 * body, one Buffer off the JS heap.
 *
 * JSONCompactEachRow rather than JSONEachRow (measured with the bench's rows, bench/README.md): the
 * column names are not repeated on every line, so a line is half as long (≈ 780 instead of ≈ 1490
 * bytes), JSON.stringify of an array is ≈ 4× faster in the exporter than of the row object, and
 * the engine parses ≈ 1.6× the rows per second. The values are the same JSON values (span-row.ts
 * says what they respect), so what is stored is the same.
 *
 * On the embedded engine the body's bytes go to the engine as they are (embedded-engine.ts,
 * embeddedRawInsert); on a server the statement goes through `client.exec`, which sends it as the
 * `query` URL parameter and the body as the data, the way `client.insert` does.
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { embeddedRawInsert } from './embedded-engine.js';

export type RowFormat = 'JSONEachRow' | 'JSONCompactEachRow';

/** A body being written: lines appended to one Buffer, grown by doubling. */
class BodyWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(expectedBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(4096, expectedBytes));
  }

  line(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const need = this.length + text.length * 3 + 1;
    if (need > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, need));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length);
    this.buffer[this.length++] = 0x0a;
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Bytes a line of a span row takes, about: the body's first allocation. */
const LINE_BYTES_GUESS = 1024;

/** The JSONCompactEachRow body of `count` rows: `rowAt(i)` made one at a time, its `columns` in order. */
export function jsonCompactEachRowBody(count: number, columns: readonly string[], rowAt: (index: number) => object): Buffer {
  const body = new BodyWriter(count * LINE_BYTES_GUESS);
  const values: unknown[] = new Array<unknown>(columns.length);
  for (let i = 0; i < count; i++) {
    const row = rowAt(i) as Record<string, unknown>;
    for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]];
    body.line(JSON.stringify(values));
  }
  return body.done();
}

/** The JSONEachRow body of `count` rows (one JSON object per line), `rowAt(i)` made one at a time. */
export function jsonEachRowBody(count: number, rowAt: (index: number) => object): Buffer {
  const body = new BodyWriter(count * LINE_BYTES_GUESS);
  for (let i = 0; i < count; i++) body.line(JSON.stringify(rowAt(i)));
  return body.done();
}

/** jsonEachRowBody cut into Buffers between lines (for callers that stream a body). */
export function jsonEachRowChunks(count: number, rowAt: (index: number) => object): Buffer[] {
  if (count === 0) return [];
  const body = jsonEachRowBody(count, rowAt);
  const chunks: Buffer[] = [];
  const CHUNK_BYTES = 256 * 1024;
  let start = 0;
  while (start < body.length) {
    const end = body.indexOf(0x0a, Math.min(body.length - 1, start + CHUNK_BYTES - 1)) + 1;
    chunks.push(body.subarray(start, end));
    start = end;
  }
  return chunks;
}

/** `INSERT INTO table (columns) FORMAT format` with `body`; `table` and `columns` are trusted identifiers. */
export async function insertRows(client: ClickHouseClient, table: string, columns: readonly string[], format: RowFormat, body: Buffer): Promise<void> {
  if (body.length === 0) return;
  const raw = embeddedRawInsert(client);
  if (raw) return raw({ table, columns, format, body });
  const result = await client.exec({
    query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT ${format}`,
    values: Readable.from([body], { objectMode: false }),
  });
  // The answer to an INSERT is empty; reading it to the end returns the socket to the pool.
  for await (const _ of result.stream) void _;
}

/** insertRows of a JSONEachRow body given as chunks. */
export async function insertJsonEachRow(client: ClickHouseClient, table: string, columns: readonly string[], body: readonly Buffer[]): Promise<void> {
  if (body.length === 0) return;
  return insertRows(client, table, columns, 'JSONEachRow', body.length === 1 ? body[0] : Buffer.concat(body));
}
