/**
 * JSON bodies of rows (JSONEachRow, JSONCompactEachRow), encoded row by row into one Buffer
 * instead of by `client.insert({ values: rows })`, which would keep every row object and then the
 * whole body as one string alive until the engine answers. For rows written by hand (tests,
 * tools); the exporter writes RowBinary (span-row-binary.ts). The INSERT itself is row-insert.ts.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { insertRows } from './row-insert.js';

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

/** insertRows of a JSONEachRow body given as chunks. */
export async function insertJsonEachRow(client: ClickHouseClient, table: string, columns: readonly string[], body: readonly Buffer[]): Promise<void> {
  if (body.length === 0) return;
  return insertRows(client, table, columns, 'JSONEachRow', body.length === 1 ? body[0] : Buffer.concat(body));
}
