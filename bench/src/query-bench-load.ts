/**
 * Loads the query benchmark's spans into the `spans` table the way the collector's exporter
 * writes them: batches encoded by the exporter's row mapping and encoding (query-bench-data.ts),
 * inserted with the exporter's statement (insertSpanBatch: SPAN_INSERT_COLUMNS), a few inserts
 * in flight, and some batches sent twice, as a collector's retries would (the engine must not
 * count them twice). Then: the parts left, waiting for background merges, and the merge the
 * engine does by itself once a day's partition is old enough (min_age_to_force_merge_seconds),
 * forced at once with OPTIMIZE … PARTITION … FINAL.
 */
import { insertSpanBatch, spanInsertFormat, sqlString, type createClickHouseClient } from '@tokentrace/processors';
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
  const format = spanInsertFormat(client);
  let rows = 0;
  let duplicateRows = 0;
  let batchNo = 0;
  while (!data.done) {
    const batch = data.batch(options.batchSpans, Date.now() * 1000, format);
    // Let timers run between batches: the client's keep-alive sockets expire on a timer, and a
    // socket the server closed meanwhile would be reused (EPIPE) if the loop stayed busy.
    await new Promise((resolve) => setImmediate(resolve));
    batchNo++;
    const copies = options.duplicateEvery > 0 && batchNo % options.duplicateEvery === 7 % options.duplicateEvery ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const p: Promise<void> = insertSpanBatch(client, table, batch.body).finally(() => inFlight.delete(p));
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
    const result = await client.query({ query: `SELECT count() AS n FROM system.merges WHERE database = ${sqlString(database)}`, format: 'JSONEachRow' });
    const [{ n }] = await result.json<{ n: string }>();
    if (Number(n) > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (performance.now() - started) / 1000;
}

export interface PartStats {
  parts: number;
  rows: number;
  days: number;
  /** Days held by one merged part (what FINAL reads without merging). */
  settledDays: number;
  bytesOnDisk: number;
}

/** Active parts of `spans`, and how many of its days are held by one merged part. */
export async function partStats(client: ClickHouseClient, database: string): Promise<PartStats> {
  const result = await client.query({
    query: `SELECT sum(p) AS parts, sum(n) AS rows, sum(bytes) AS bytes, count() AS days, countIf(p = 1 AND level > 0) AS settled
      FROM (SELECT partition, count() AS p, sum(rows) AS n, sum(bytes_on_disk) AS bytes, max(level) AS level FROM system.parts
            WHERE database = ${sqlString(database)} AND table = 'spans' AND active GROUP BY partition)`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ parts: string; rows: string; bytes: string; days: string; settled: string }>();
  return { parts: Number(row.parts), rows: Number(row.rows), days: Number(row.days), settledDays: Number(row.settled), bytesOnDisk: Number(row.bytes) };
}

/**
 * What the engine does by itself to a day whose parts are all older than
 * min_age_to_force_merge_seconds (span-table.ts): merge the partition into one part. Forced here
 * at once, one partition at a time; returns the partitions merged.
 */
export async function mergePartitions(client: ClickHouseClient, database: string): Promise<number> {
  const result = await client.query({
    query: `SELECT partition_id FROM system.parts WHERE database = ${sqlString(database)} AND table = 'spans' AND active
      GROUP BY partition_id HAVING count() > 1 OR max(level) = 0 ORDER BY partition_id`,
    format: 'JSONEachRow',
  });
  const partitions = (await result.json<{ partition_id: string }>()).map((r) => r.partition_id);
  for (const id of partitions) {
    await client.command({ query: `OPTIMIZE TABLE ${database}.spans PARTITION ID ${sqlString(id)} FINAL`, clickhouse_settings: { alter_sync: '2' } });
  }
  return partitions.length;
}
