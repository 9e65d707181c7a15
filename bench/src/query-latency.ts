/**
 * npm run bench:queries — latency of the main queries of the query engine on 10 M spans over 30
 * days, on the embedded engine (or, with TOKENTRACE_CLICKHOUSE_URL, on that server), schema v3:
 * 1. loads the spans as the exporter writes them (query-bench-data.ts: the exporter's row mapping
 *    and JSONEachRow encoding, SPAN_INSERT_COLUMNS; 2 % of the batches sent twice as retries
 *    would), then waits for the engine's background merges to go quiet;
 * 2. as loaded (each day spread over several parts, duplicates not merged away): checks the
 *    totals, times each query, and times the analytics queries with and without FINAL side by
 *    side: what exactness under duplicates costs (the figures without FINAL are wrong: they count
 *    the re-sent batches twice);
 * 3. merges each day's partition into one part, the merge the engine does by itself once a
 *    partition's parts are older than min_age_to_force_merge_seconds (600 s): forced here at once
 *    with OPTIMIZE … PARTITION … FINAL, one partition after the other (timed);
 * 4. merged: checks the totals and times each query again;
 * 5. adds a few minutes of newer spans (half the batches twice), as today's partition looks
 *    between two merges, and times each query again.
 * Queries run round-robin (one run of each, then the next run of each), after one warm-up run,
 * so a noisy moment on the shared machine hits all of them; medians of QUERY_RUNS (default 7).
 * Timed ranges end when the query runs ("last 7 days"); the exactness checks use windows ending
 * where the generated data ends. The last line is `slowest_query_ms=<n>`: the slowest median of
 * any stage. SPAN_COUNT=200000 for a quick run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { parseFilter, QueryService } from '@tokentrace/collector';
import { createClickHouseClient, ensureSchema } from '@tokentrace/processors';
import { BenchData } from './query-bench-data.js';
import { loadSpans, mergePartitions, partStats, waitForMerges, type PartStats } from './query-bench-load.js';
import { median } from './stats.js';

const SPAN_COUNT = Number(process.env.SPAN_COUNT ?? 10_000_000);
const RUNS = Number(process.env.QUERY_RUNS ?? 7);
const DAY = 86_400_000;
const PROJECT = 'default';

interface BenchQuery {
  name: string;
  run: (service: QueryService, i: number) => Promise<unknown>;
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
      if (rows - shown >= 2_000_000) console.log(`  ${(rows / 1e6).toFixed(1)} M rows`), (shown = rows);
    });
    console.log(`loaded ${load.rows.toLocaleString('en')} spans (+${load.duplicateRows.toLocaleString('en')} sent twice) in ${load.seconds.toFixed(1)} s: ${Math.round(load.rows / load.seconds).toLocaleString('en')} spans/s (generation and encoding included)`);
    const waited = await waitForMerges(client, database, 5000, 120_000);
    console.log(`background merges quiet after ${waited.toFixed(1)} s; spans: ${describe(await partStats(client, database))}`);

    const service = new QueryService({ client, database });
    const noFinal = new QueryService({ client: withoutFinal(client), database });
    // Timed queries ask for "the last n days" at the time they run, as the dashboard does.
    const range = (days: number) => {
      const to = Date.now();
      return { from: new Date(to - days * DAY), to: new Date(to) };
    };
    const generated = (days: number) => ({ from: new Date(now - days * DAY), to: new Date(now) });
    const pageFilter = parseFilter('model = "gpt-4o-2025" and cost > 0.001');
    const propertyFilter = parseFilter('provider = "anthropic" and status = "ok"');
    const analyticsQueries: BenchQuery[] = [
      { name: 'cost by user, 7 days (top 20 + other)', run: (s) => s.analytics({ projectId: PROJECT, range: range(7), groupBy: 'user' }) },
      { name: 'cost by model by day, 30 days', run: (s) => s.analytics({ projectId: PROJECT, range: range(30), groupBy: 'model', bucket: 'day' }) },
      { name: 'cost by property feature, 30 days, provider = "anthropic" and status = "ok"', run: (s) => s.analytics({ projectId: PROJECT, range: range(30), groupBy: 'property:feature', filter: propertyFilter }) },
    ];
    const queries: BenchQuery[] = [
      ...analyticsQueries,
      { name: 'trace tree', run: (s, i) => s.traceTree({ projectId: PROJECT, traceId: data.sampleTraces[i % data.sampleTraces.length] }) },
      { name: 'session tree', run: (s, i) => s.sessionTree({ projectId: PROJECT, sessionId: data.sampleSessions[i % data.sampleSessions.length] }) },
      { name: 'request page, 24 h, model = "gpt-4o-2025" and cost > 0.001', run: (s) => s.listRequests({ projectId: PROJECT, range: range(1), filter: pageFilter, limit: 50 }) },
    ];
    const medians: number[] = [];

    console.log(`\nas loaded (days not merged yet), median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    medians.push(...(await timeAll(service, queries, RUNS)));

    console.log(`\nwhat FINAL costs, as loaded: the analytics above with and without FINAL, interleaved, median of ${RUNS}`);
    await checkWithoutFinal(noFinal, data, generated);
    await finalCost(service, noFinal, analyticsQueries, RUNS);

    const started = performance.now();
    const merged = await mergePartitions(client, database);
    console.log(`\nmerge of each day into one part (the engine's own after 600 s, forced with OPTIMIZE … PARTITION … FINAL): ${merged} partitions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(`background merges quiet after ${(await waitForMerges(client, database)).toFixed(1)} s; spans: ${describe(await partStats(client, database))}`);

    console.log(`\nmerged, median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    medians.push(...(await timeAll(service, queries, RUNS)));

    // Spans keep arriving: a few minutes' worth since the data ended, half the batches sent twice.
    // Today now has new parts beside its merged part, as between two merges.
    const freshFrom = now + 15_000;
    const freshEnd = Date.now();
    const freshDays = (freshEnd - freshFrom) / DAY;
    const fresh = new BenchData({ spans: 20_000, endMs: freshEnd, days: freshDays, project: PROJECT, firstTrace: data.traces + 1000 }, [freshDays]);
    const added = await loadSpans(client, `${database}.spans`, fresh, { batchSpans: 2_500, concurrency: 1, duplicateEvery: 2 }, () => undefined);
    console.log(`\n${added.rows.toLocaleString('en')} newer spans arrive (+${added.duplicateRows.toLocaleString('en')} sent twice); spans: ${describe(await partStats(client, database))}`);
    console.log(`with them, before the next merge, median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    await check(service, fresh, () => ({ from: new Date(freshFrom), to: new Date(freshEnd) }));
    medians.push(...(await timeAll(service, queries, RUNS)));
    console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (this process, the embedded engine included)`);
    console.log(`slowest_query_ms=${Math.round(Math.max(...medians))}`);
  } finally {
    if (external) await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every query once per round (round-robin), after one warm-up round; prints and returns the medians. */
async function timeAll(service: QueryService, queries: BenchQuery[], runs: number): Promise<number[]> {
  const times: number[][] = queries.map(() => []);
  for (const q of queries) await q.run(service, runs);
  for (let i = 0; i < runs; i++) {
    for (const [k, q] of queries.entries()) {
      const t = performance.now();
      await q.run(service, i);
      times[k].push(performance.now() - t);
    }
  }
  return queries.map((q, k) => {
    const m = median(times[k]);
    console.log(`  ${q.name.padEnd(80)} ${m.toFixed(1).padStart(8)} ms   (min ${Math.min(...times[k]).toFixed(1)}, max ${Math.max(...times[k]).toFixed(1)})`);
    return m;
  });
}

/** Each analytics query with FINAL and without, alternating; prints both medians and their ratio. */
async function finalCost(service: QueryService, noFinal: QueryService, queries: BenchQuery[], runs: number): Promise<void> {
  for (const q of queries) {
    const [withF, withoutF]: number[][] = [[], []];
    await q.run(service, 0);
    await q.run(noFinal, 0);
    for (let i = 0; i < runs; i++) {
      for (const [s, out] of [[service, withF], [noFinal, withoutF]] as const) {
        const t = performance.now();
        await q.run(s, i);
        out.push(performance.now() - t);
      }
    }
    const [a, b] = [median(withF), median(withoutF)];
    console.log(`  ${q.name.padEnd(80)} FINAL ${a.toFixed(1).padStart(7)} ms, without ${b.toFixed(1).padStart(7)} ms: ×${(a / b).toFixed(2)} (+${(a - b).toFixed(1)} ms)`);
  }
}

/**
 * The client with every `FINAL` taken out of the statements it sends: the same queries, reading
 * every stored version of a span (wrong under duplicates; only for measuring what FINAL costs).
 */
function withoutFinal(client: ClickHouseClient): ClickHouseClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') return (params: Parameters<ClickHouseClient['query']>[0]) => target.query({ ...params, query: params.query.replace(/\bFINAL\b/g, '') });
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ClickHouseClient;
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

/** What the same totals say without FINAL (re-sent spans counted twice until merged). */
async function checkWithoutFinal(noFinal: QueryService, data: BenchData, range: (days: number) => { from: Date; to: Date }): Promise<void> {
  for (const [days, expected] of data.expected) {
    const { totals } = await noFinal.analytics({ projectId: PROJECT, range: range(days) });
    console.log(`  without FINAL, ${days} days: ${totals.requests.toLocaleString('en')} requests (generated ${expected.requests.toLocaleString('en')}: ${(totals.requests - expected.requests).toLocaleString('en')} counted twice)`);
  }
}

function describe(s: PartStats): string {
  return `${s.rows.toLocaleString('en')} rows, ${(s.bytesOnDisk / 2 ** 20).toFixed(0)} MiB on disk, ${s.parts} parts over ${s.days} days, ${s.settledDays} days in one merged part`;
}

await main();
