/**
 * npm run bench:queries — latency of the main queries of the query engine (issue 4) on 10 M spans
 * over 30 days, against a local ClickHouse (or TOKENTRACE_CLICKHOUSE_URL):
 * 1. loads the spans (query-bench-data.ts: generated in batches, 2 % of the batches sent twice
 *    as retries would), and waits for ClickHouse's background merges to go quiet;
 * 2. times each query as loaded (3 runs): every day spread over several unmerged parts, so read
 *    with FINAL;
 * 3. runs the engine's own day maintenance over the range (what QueryService does in the
 *    background after queries: compact each day's partition, build the rollups of its part),
 *    times it, and waits for background merges to go quiet again;
 * 4. times each query again (1 warm-up + QUERY_RUNS runs) and prints the medians;
 * 5. adds a few minutes of newer spans (some batches twice) without compacting, as between two
 *    compactions of the current day, and times each query again;
 * and checks at both stages that the totals equal what was generated (duplicates not counted).
 * Timed ranges end when the query runs ("last 7 days"); the last line is `slowest_query_ms=<n>`,
 * the slowest median of stages 4 and 5.
 * SPAN_COUNT=200000 for a quick run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilter, QueryService } from '@tokentrace/collector';
import { createClickHouseClient, ensureSchema } from '@tokentrace/processors';
import { BenchData } from './query-bench-data.js';
import { loadSpans, partStats, waitForMerges } from './query-bench-load.js';
import { median } from './stats.js';

const SPAN_COUNT = Number(process.env.SPAN_COUNT ?? 10_000_000);
const RUNS = Number(process.env.QUERY_RUNS ?? 7);
const DAY = 86_400_000;
const PROJECT = 'default';

interface BenchQuery {
  name: string;
  run: (i: number) => Promise<unknown>;
}

async function main(): Promise<void> {
  const external = process.env.TOKENTRACE_CLICKHOUSE_URL;
  const dir = external ? undefined : mkdtempSync(join(tmpdir(), 'tt-bench-queries-'));
  // Without a URL: the embedded engine, in a temporary folder.
  const url = external ?? '';
  const database = external ? `tt_bench_queries_${Date.now()}` : 'tokentrace';
  const client = createClickHouseClient({ url, dataDir: dir ? join(dir, 'clickhouse') : '', requestTimeoutMs: 600_000, maxOpenConnections: 4 });
  try {
    await ensureSchema(client, database);
    const now = Date.now();
    const data = new BenchData({ spans: SPAN_COUNT, endMs: now, days: 30, project: PROJECT }, [7, 30]);
    console.log(`loading ${SPAN_COUNT.toLocaleString('en')} spans over 30 days into ${url || 'the embedded engine'} (database ${database})…`);
    let shown = 0;
    const load = await loadSpans(client, `${database}.spans`, data, { batchSpans: 50_000, concurrency: 2, duplicateEvery: 50 }, (rows) => {
      if (rows - shown >= 1_000_000) console.log(`  ${(rows / 1e6).toFixed(1)} M rows`), (shown = rows);
    });
    console.log(`loaded ${load.rows.toLocaleString('en')} spans (+${load.duplicateRows.toLocaleString('en')} sent twice) in ${load.seconds.toFixed(1)} s: ${Math.round(load.rows / load.seconds).toLocaleString('en')} spans/s`);
    const waited = await waitForMerges(client, database);
    console.log(`background merges quiet after ${waited.toFixed(1)} s; requests table: ${describe(await partStats(client, database))}`);

    const service = new QueryService({ client, database, maintenance: false });
    // Timed queries ask for "the last n days" at the time they run, as the dashboard does; the
    // exactness checks use windows ending where the generated data ends.
    const range = (days: number) => {
      const to = Date.now();
      return { from: new Date(to - days * DAY), to: new Date(to) };
    };
    const generated = (days: number) => ({ from: new Date(now - days * DAY), to: new Date(now) });
    const filter = parseFilter('model = "gpt-4o-2025" and cost > 0.001');
    const queries: BenchQuery[] = [
      { name: 'cost by user, 7 days (top 20 + other)', run: () => service.analytics({ projectId: PROJECT, range: range(7), groupBy: 'user' }) },
      { name: 'cost by model by day, 30 days', run: () => service.analytics({ projectId: PROJECT, range: range(30), groupBy: 'model', bucket: 'day' }) },
      { name: 'trace tree', run: (i) => service.traceTree({ projectId: PROJECT, traceId: data.sampleTraces[i % data.sampleTraces.length] }) },
      { name: 'session tree', run: (i) => service.sessionTree({ projectId: PROJECT, sessionId: data.sampleSessions[i % data.sampleSessions.length] }) },
      { name: 'request page, 24 h, model = "gpt-4o-2025" and cost > 0.001', run: () => service.listRequests({ projectId: PROJECT, range: range(1), filter, limit: 50 }) },
    ];

    console.log('\nas loaded (days not compacted yet), median of 3:');
    await check(service, data, generated);
    await timeAll(queries, 0, 3);

    const started = performance.now();
    const done = await service.maintain(range(31));
    console.log(`\nday maintenance: ${done.compacted} days compacted, ${done.built} rollups built in ${((performance.now() - started) / 1000).toFixed(1)} s; requests table: ${describe(await partStats(client, database))}`);
    console.log(`background merges quiet after ${(await waitForMerges(client, database)).toFixed(1)} s`);

    console.log(`\nafter maintenance, median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    const medians = await timeAll(queries, 1, RUNS);

    // Spans keep arriving: a few minutes' worth since the data ended, half the batches sent twice.
    // Today now has delta parts beside its compacted part, as between two compactions.
    const freshFrom = now + 15_000;
    const freshEnd = Date.now();
    const freshDays = (freshEnd - freshFrom) / DAY;
    const fresh = new BenchData({ spans: 20_000, endMs: freshEnd, days: freshDays, project: PROJECT, firstTrace: data.traces + 1000 }, [freshDays]);
    const added = await loadSpans(client, `${database}.spans`, fresh, { batchSpans: 2_500, concurrency: 1, duplicateEvery: 2 }, () => undefined);
    console.log(`\n${added.rows.toLocaleString('en')} newer spans arrive (+${added.duplicateRows.toLocaleString('en')} sent twice); requests table: ${describe(await partStats(client, database))}`);
    console.log(`with them, before the next compaction, median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    await check(service, fresh, () => ({ from: new Date(freshFrom), to: new Date(freshEnd) }));
    medians.push(...(await timeAll(queries, 1, RUNS)));
    console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    console.log(`slowest_query_ms=${Math.round(Math.max(...medians))}`);
  } finally {
    if (external) await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function timeAll(queries: BenchQuery[], warmUp: number, runs: number): Promise<number[]> {
  const medians: number[] = [];
  for (const q of queries) {
    for (let i = 0; i < warmUp; i++) await q.run(runs + i);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await q.run(i);
      times.push(performance.now() - t);
    }
    medians.push(median(times));
    console.log(`  ${q.name.padEnd(62)} ${median(times).toFixed(1).padStart(8)} ms   (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})`);
  }
  return medians;
}

/** The engine's totals must equal what was generated, duplicates or not. */
async function check(service: QueryService, data: BenchData, range: (days: number) => { from: Date; to: Date }): Promise<void> {
  for (const [days, expected] of data.expected) {
    const { totals } = await service.analytics({ projectId: PROJECT, range: range(days) });
    const exact = totals.requests === expected.requests && Math.abs(totals.costUsd - expected.costUsd) <= 1e-9 * expected.costUsd;
    const label = days >= 1 ? `${days} days` : `${Math.round(days * 1440)} min`;
    console.log(`  check ${label}: ${totals.requests.toLocaleString('en')} requests, $${totals.costUsd.toFixed(4)} — ${exact ? 'exact' : `WRONG (generated ${expected.requests.toLocaleString('en')} requests, $${expected.costUsd.toFixed(4)})`}`);
    if (!exact) process.exitCode = 1;
  }
}

function describe(s: { parts: number; days: number; settledDays: number }): string {
  return `${s.parts} parts over ${s.days} days, ${s.settledDays} days in one merged part`;
}

await main();
