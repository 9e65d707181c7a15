/**
 * Loads the query benchmark's spans into ClickHouse: batches of TabSeparated rows generated on
 * the fly (query-bench-data.ts), a few inserts in flight, and some batches sent twice, as a
 * collector's retries would (the engine must not count them twice). Then waits until
 * ClickHouse's background merges are done, and reports the parts left.
 */
import { Readable } from 'node:stream';
import { SPAN_COLUMNS, type createClickHouseClient } from '@tokentrace/processors';
import type { BenchData } from './query-bench-data.js';

type ClickHouseClient = ReturnType<typeof createClickHouseClient>;

export interface LoadOptions {
  batchSpans: number;
  concurrency: number;
  /** Every n-th batch is inserted a second time (0: never). */
  duplicateEvery: number;
}

export interface LoadResult {
  rows: number;
  duplicateRows: number;
  seconds: number;
}

export async function loadSpans(client: ClickHouseClient, table: string, data: BenchData, options: LoadOptions, progress: (rows: number) => void): Promise<LoadResult> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let rows = 0;
  let duplicateRows = 0;
  let batchNo = 0;
  const insert = (text: string) => client.insert({ table, values: Readable.from([Buffer.from(text)], { objectMode: false }), format: 'TabSeparated', columns: [...SPAN_COLUMNS] }).then(() => undefined);
  while (!data.done) {
    const batch = data.batch(options.batchSpans, Date.now() * 1000);
    // Let timers run between batches: the client's keep-alive sockets expire on a timer, and a
    // socket the server closed meanwhile would be reused (EPIPE) if the loop stayed busy.
    await new Promise((resolve) => setImmediate(resolve));
    batchNo++;
    const copies = options.duplicateEvery > 0 && batchNo % options.duplicateEvery === 7 % options.duplicateEvery ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const p: Promise<void> = insert(batch.text).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    rows += batch.rows;
    if (copies > 1) duplicateRows += batch.rows;
    progress(rows);
  }
  await Promise.all(inFlight);
  return { rows, duplicateRows, seconds: (performance.now() - started) / 1000 };
}

/** Polls system.merges until no merge has run for `quietMs`, or `maxMs` passed; returns the wait. */
export async function waitForMerges(client: ClickHouseClient, database: string, quietMs = 5000, maxMs = 180_000): Promise<number> {
  const started = performance.now();
  let quietSince = performance.now();
  while (performance.now() - started < maxMs) {
    const result = await client.query({ query: `SELECT count() AS n FROM system.merges WHERE database = '${database}'`, format: 'JSONEachRow' });
    const [{ n }] = await result.json<{ n: string }>();
    if (Number(n) > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (performance.now() - started) / 1000;
}

/** Active parts of `requests`, and how many of its days are held by one merged part. */
export async function partStats(client: ClickHouseClient, database: string): Promise<{ parts: number; days: number; settledDays: number }> {
  const result = await client.query({
    query: `SELECT count() AS parts, uniqExact(p.partition) AS days, countIf(p.level > 0 AND d.n = 1) AS settled FROM system.parts AS p
      ANY LEFT JOIN (SELECT partition, count() AS n FROM system.parts WHERE database = '${database}' AND table = 'requests' AND active GROUP BY partition) AS d USING partition
      WHERE p.database = '${database}' AND p.table = 'requests' AND p.active`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ parts: string; days: string; settled: string }>();
  return { parts: Number(row.parts), days: Number(row.days), settledDays: Number(row.settled) };
}
