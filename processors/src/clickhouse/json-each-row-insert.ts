/**
 * An INSERT of rows in JSONEachRow, with the body encoded here instead of by
 * `client.insert({ values: rows })`, which would first turn every row into an object and the whole
 * batch into one string, and keep both alive until the server answers:
 *
 * - The body is streamed: a chunk of rows is encoded when the socket asks for more, so the server
 *   parses the first rows while later ones are still being encoded, and the event loop is never
 *   held for a whole batch (~100 ms for 10,000 spans) but for one chunk at a time.
 * - A row object lives only until its line is written, so the garbage collector does not copy
 *   and promote thousands of them for as long as the insert lasts.
 *
 * JSONEachRow, because it is the row format that 18.16 and current servers read alike and that
 * fills columns by name (span-row.ts says what the rows respect). The statement goes through
 * `client.exec`, which sends it as the `query` URL parameter and the body as the data, the way
 * `client.insert` does.
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

/** Lines are gathered into Buffers of about this size: few chunks, none large. */
const CHUNK_CHARS = 256 * 1024;

/** The JSONEachRow text of `count` rows, `rowAt(i)` made one at a time, a chunk per step. */
export function* jsonEachRowChunks(count: number, rowAt: (index: number) => object): Generator<Buffer> {
  let text = '';
  for (let i = 0; i < count; i++) {
    text += JSON.stringify(rowAt(i)) + '\n';
    if (text.length >= CHUNK_CHARS) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (text !== '') yield Buffer.from(text);
}

/** A chunk of the body could not be made (a row that cannot be encoded): bad data, not an outage. */
export class RowEncodingError extends Error {
  constructor(cause: unknown) {
    super(`rows cannot be encoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RowEncodingError';
  }
}

/**
 * Ends a body whose next chunk could not be made. Rows already sent are complete lines, and a
 * server that sees the body end (or the connection drop) after a complete line stores them, as
 * measured on 18.16. Invalid JSON instead makes it refuse the whole INSERT: one INSERT of fewer
 * than max_insert_block_size rows is one block, written only once all of it has parsed.
 */
const ABANDON = Buffer.from('{ tokentrace: insert abandoned, a row could not be encoded }\n');

/**
 * `INSERT INTO table (columns) FORMAT JSONEachRow` with the chunks of `body`, taken as the socket
 * drains; `table` and `columns` are trusted identifiers. When `body` throws, nothing of the batch
 * is stored and the call rejects with RowEncodingError.
 */
export async function insertJsonEachRow(client: ClickHouseClient, table: string, columns: readonly string[], body: Iterable<Buffer>): Promise<void> {
  let failure: RowEncodingError | undefined;
  function* guarded(): Generator<Buffer> {
    try {
      yield* body;
    } catch (err) {
      failure = new RowEncodingError(err);
      yield ABANDON;
    }
  }
  try {
    const result = await client.exec({
      query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT JSONEachRow`,
      values: Readable.from(guarded(), { objectMode: false }),
    });
    // The answer to an INSERT is empty; reading it to the end returns the socket to the pool.
    for await (const _ of result.stream) void _;
  } catch (err) {
    throw failure ?? err;
  }
  if (failure) throw failure; // not expected: the server took the abandoned body
}
