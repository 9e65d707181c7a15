/**
 * npm run bench:queries — latency of the main queries of the query engine on 10 M spans over 30
 * days, on the embedded engine (or, with TOKENTRACE_CLICKHOUSE_URL, on that server), schema v3
 * with the usage rollup (migration 9), its builder running as the collector runs it:
 * 1. starts the rollup builder (collector/src/rollup/rollup-builder.ts, the collector's defaults:
 *    a round every 30 s or at once while catching up, grace 60 s on a server and none on the
 *    embedded engine (builds wait for the writes in flight), 168 hours a round, 24 per statement;
 *    property `feature` configured), then loads the spans as the exporter writes them, on a client
 *    of its own as the exporter has (query-bench-data.ts: the
 *    exporter's row mapping and JSONEachRow encoding; 2 % of the batches sent twice as retries
 *    would), in time order, so the builder builds the older hours while the newer ones arrive;
 * 2. (i) immediately when the load ends (the builder still catching up, its rounds running
 *    beside the queries): checks the totals, times each query;
 * 3. waits for the builder to catch up (every hour and day of the month clean: their builds newer
 *    than their last change plus the grace) and prints how long that took after the load, the
 *    builder's busy time per hour built, and the sizes of the rollup's tables beside spans';
 * 4. (ii) as loaded (each day spread over several parts, duplicates not merged away), the
 *    rollup caught up: checks the totals, times each query; then the analytics read from spans
 *    FINAL only (the read before the rollup, and what a filter or group the rollup does not have
 *    still reads) beside the same with the rollup, interleaved; and what FINAL costs on that path;
 * 5. merges each day's partition into one part, the merge the engine does by itself once a
 *    partition's parts are older than min_age_to_force_merge_seconds (600 s): forced here at once
 *    with OPTIMIZE … PARTITION … FINAL, one partition after the other (timed);
 * 6. (iii) merged: checks the totals and times each query again (and spans FINAL only beside);
 * 7. (iv) adds a few minutes of newer spans (half the batches twice), as today's partition looks
 *    between two merges (their hour is dirty: read from spans), and times each query again.
 * Queries run round-robin (one run of each, then the next run of each), after one warm-up run,
 * so a noisy moment on the shared machine hits all of them; medians of QUERY_RUNS (default 7).
 * Timed ranges end when the query runs ("last 7 days"); the exactness checks use windows ending
 * where the generated data ends. The last line is `slowest_query_ms=<n>`: the slowest median of
 * any query in any of the four states (i)–(iv). SPAN_COUNT=200000 for a quick run;
 * ROLLUP_HOURS_PER_STATEMENT=6 to build 6 hours a statement instead of the default.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_ROLLUP_CONFIG, HOURS_NEAR_READS, parseFilter, QueryService, RollupBuilder, type RollupConfig, type RollupRound } from '@tokentrace/collector';
import { cleanBuild, createClickHouseClient, DAY_S, ensureSchema, HOUR_S, inBackground, readRollupState, rollupDimensions, rollupGraceMs, sqlString } from '@tokentrace/processors';
import { BenchData } from './query-bench-data.js';
import { loadSpans, mergePartitions, partStats, waitForMerges, type PartStats } from './query-bench-load.js';
import { median } from './stats.js';

const SPAN_COUNT = Number(process.env.SPAN_COUNT ?? 10_000_000);
const RUNS = Number(process.env.QUERY_RUNS ?? 7);
const DAY = 86_400_000;
const PROJECT = 'default';
/**
 * The collector's builder defaults, with the bench's property configured as a rollup dimension;
 * ROLLUP_HOURS_PER_STATEMENT and ROLLUP_PAUSE_RATIO override `hoursPerStatement` and `pauseRatio`
 * (to measure other values).
 */
const ROLLUP: RollupConfig = {
  ...DEFAULT_ROLLUP_CONFIG,
  hoursPerStatement: Number(process.env.ROLLUP_HOURS_PER_STATEMENT ?? DEFAULT_ROLLUP_CONFIG.hoursPerStatement),
  pauseRatio: Number(process.env.ROLLUP_PAUSE_RATIO ?? DEFAULT_ROLLUP_CONFIG.pauseRatio),
  properties: ['feature'],
};

/** ONLY_LOAD_END=1: stop after state (i), for quick comparisons of the builder's settings. */
const ONLY_LOAD_END = process.env.ONLY_LOAD_END === '1';

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
  const connection = { url, dataDir: dir ? join(dir, 'clickhouse') : '', requestTimeoutMs: 600_000, maxOpenConnections: 4 };
  // Two clients, as in the collector: the exporter's for the inserts (`writer`), and the one the
  // query service and the rollup builder share (`client`). On the embedded engine each client is
  // a connection of its own; statements on one connection wait for each other (measured: a build
  // beside a load took ×3 its time per hour on the loader's connection).
  const client = createClickHouseClient(connection);
  const writer = createClickHouseClient(connection);
  const rounds: RollupRound[] = [];
  const builder = new RollupBuilder({ client, database, config: ROLLUP, onRound: (r) => rounds.push(r), log: (m) => console.log(`  ${m}`) });
  // What builds and readers use on this store: none on the embedded engine, ROLLUP.graceMs on a server.
  const graceMs = rollupGraceMs(client, ROLLUP.graceMs);
  try {
    await ensureSchema(client, database);
    const now = Date.now();
    const data = new BenchData({ spans: SPAN_COUNT, endMs: now, days: 30, project: PROJECT }, [7, 30]);
    console.log(`rollup builder started (round every ${ROLLUP.intervalMs / 1000} s or at once while catching up, grace ${graceMs / 1000} s${graceMs === 0 ? ': builds wait for the writes in flight' : ''}, ${ROLLUP.hoursPerRound} hours a round, ${ROLLUP.hoursPerStatement} per statement (${Math.min(HOURS_NEAR_READS, ROLLUP.hoursPerStatement)} while reads run), pausing ${ROLLUP.pauseRatio}× a statement's time after it, properties ${ROLLUP.properties.join(', ')})`);
    builder.start();
    console.log(`loading ${SPAN_COUNT.toLocaleString('en')} spans over 30 days into ${url || 'the embedded engine'} (database ${database})…`);
    let shown = 0;
    const load = await loadSpans(writer, `${database}.spans`, data, { batchSpans: 50_000, concurrency: 2, duplicateEvery: 50 }, (rows) => {
      if (rows - shown >= 2_000_000) console.log(`  ${(rows / 1e6).toFixed(1)} M rows; rollup: ${built(rounds)}`), (shown = rows);
    });
    const loadEnded = performance.now();
    console.log(`loaded ${load.rows.toLocaleString('en')} spans (+${load.duplicateRows.toLocaleString('en')} sent twice) in ${load.seconds.toFixed(1)} s: ${Math.round(load.rows / load.seconds).toLocaleString('en')} spans/s (generation and encoding included); rollup so far: ${built(rounds)}`);

    const service = new QueryService({ client, database, rollup: { graceMs } });
    const spansOnly = new QueryService({ client, database, rollup: false });
    const noFinal = new QueryService({ client: withoutFinal(client), database, rollup: false });
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
    const slowest: Array<[string, number]> = [];
    const stage = async (label: string, medians: number[]) => slowest.push([label, Math.max(...medians)]);

    console.log(`\n(i) immediately when the load ends (the builder still catching up, beside the queries), median of ${RUNS} (1 warm-up):`);
    console.log(`  rollup: ${await coverage(client, database, now, graceMs)}`);
    await check(service, data, generated);
    await stage('(i) load just ended', await timeAll(service, queries, RUNS));
    console.log(`  rollup after (i): ${await coverage(client, database, now, graceMs)}`);
    if (ONLY_LOAD_END) return;

    const caughtUp = await waitForBuilder(client, database, now, graceMs);
    const busy = rounds.reduce((s, r) => s + r.busyMs, 0);
    const hoursBuilt = rounds.reduce((s, r) => s + r.hours, 0);
    console.log(`\nrollup caught up ${((caughtUp - loadEnded) / 1000).toFixed(1)} s after the load ended (the grace is ${graceMs / 1000} s): ${built(rounds)}; builder busy ${(busy / 1000).toFixed(1)} s in all, ${(busy / Math.max(1, hoursBuilt)).toFixed(0)} ms per hour built (≈ ${Math.round(data.expected.get(30)!.requests / (30 * 24)).toLocaleString('en')} model calls an hour)`);
    console.log(`background merges quiet after ${(await waitForMerges(client, database, 5000, 120_000)).toFixed(1)} s; spans: ${describe(await partStats(client, database))}`);
    console.log(`tables: ${await tableSizes(client, database)}`);

    console.log(`\n(ii) as loaded (days not merged yet), rollup caught up, median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    await stage('(ii) as loaded', await timeAll(service, queries, RUNS));
    console.log(`  the analytics from spans FINAL only (no rollup: the read before migration 9) beside the same with it, interleaved, median of ${RUNS}:`);
    await compare(spansOnly, service, analyticsQueries, RUNS, 'spans FINAL only', 'with the rollup');

    console.log(`\nwhat FINAL costs on the spans-only path, as loaded: the analytics above with and without FINAL, interleaved, median of ${RUNS}`);
    await checkWithoutFinal(noFinal, data, generated);
    await compare(spansOnly, noFinal, analyticsQueries, RUNS, 'FINAL', 'without');

    const started = performance.now();
    const merged = await mergePartitions(client, database);
    console.log(`\nmerge of each day into one part (the engine's own after 600 s, forced with OPTIMIZE … PARTITION … FINAL): ${merged} partitions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(`background merges quiet after ${(await waitForMerges(client, database)).toFixed(1)} s; spans: ${describe(await partStats(client, database))}`);
    console.log(`tables: ${await tableSizes(client, database)}`);

    console.log(`\n(iii) merged, median of ${RUNS} (1 warm-up):`);
    await check(service, data, generated);
    await stage('(iii) merged', await timeAll(service, queries, RUNS));
    console.log(`  spans FINAL only beside the rollup, merged, interleaved, median of ${RUNS}:`);
    await compare(spansOnly, service, analyticsQueries, RUNS, 'spans FINAL only', 'with the rollup');

    // Spans keep arriving: a few minutes' worth since the data ended, half the batches sent twice.
    // Today now has new parts beside its merged part, as between two merges; their hour is dirty.
    const freshFrom = now + 15_000;
    const freshEnd = Date.now();
    const freshDays = (freshEnd - freshFrom) / DAY;
    const fresh = new BenchData({ spans: 20_000, endMs: freshEnd, days: freshDays, project: PROJECT, firstTrace: data.traces + 1000 }, [freshDays]);
    const added = await loadSpans(writer, `${database}.spans`, fresh, { batchSpans: 2_500, concurrency: 1, duplicateEvery: 2 }, () => undefined);
    console.log(`\n${added.rows.toLocaleString('en')} newer spans arrive (+${added.duplicateRows.toLocaleString('en')} sent twice); spans: ${describe(await partStats(client, database))}`);
    console.log(`(iv) with them, before the next merge, median of ${RUNS} (1 warm-up):`);
    console.log(`  rollup: ${await coverage(client, database, Date.now(), graceMs)}`);
    await check(service, data, generated);
    await check(service, fresh, () => ({ from: new Date(freshFrom), to: new Date(freshEnd) }));
    await stage('(iv) newer spans', await timeAll(service, queries, RUNS));
    console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (this process, the embedded engine included)`);
    console.log(`slowest median per state: ${slowest.map(([l, ms]) => `${l} ${Math.round(ms)} ms`).join(', ')}`);
    console.log(`slowest_query_ms=${Math.round(Math.max(...slowest.map(([, ms]) => ms)))}`);
  } finally {
    await builder.stop();
    if (external) await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await writer.close();
    await client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function built(rounds: RollupRound[]): string {
  const hours = rounds.reduce((s, r) => s + r.hours, 0);
  const statements = rounds.reduce((s, r) => s + r.hourStatements, 0);
  const days = rounds.reduce((s, r) => s + r.days, 0);
  const busy = rounds.reduce((s, r) => s + r.busyMs, 0);
  const waited = rounds.reduce((s, r) => s + r.waitedMs, 0);
  return `${rounds.length} rounds, ${hours} hour builds in ${statements} statements, ${days} day builds, ${(busy / Math.max(1, hours)).toFixed(0)} ms busy per hour built (+${(waited / 1000).toFixed(1)} s waiting for inserts in flight)`;
}

/** How much of the generated month the rollup answers now: clean hours and days (model dimension). */
async function coverage(client: ClickHouseClient, database: string, endMs: number, graceMs: number): Promise<string> {
  const toS = Math.ceil(endMs / 3_600_000) * HOUR_S;
  const fromS = Math.floor((endMs - 31 * DAY) / DAY) * DAY_S;
  // The bench's looks at the rollup are not reads the builder gives way to (as the builder's own).
  const state = await inBackground(() => readRollupState(client, database, PROJECT, fromS, toS));
  let [hours, clean, days, cleanDays] = [0, 0, 0, 0];
  for (let h = fromS; h < toS; h += HOUR_S) {
    if (state.changes.has(h)) hours++;
    if (state.changes.has(h) && cleanBuild(state, 'hour', h, 'model', graceMs)) clean++;
    if (h % DAY_S === 0 && h + DAY_S <= toS && state.changes.has(h)) {
      days++;
      if (cleanBuild(state, 'day', h, 'model', graceMs)) cleanDays++;
    }
  }
  return `${clean} of ${hours} hours with spans clean, ${cleanDays} of ${days} whole days`;
}

/** Polls until every hour and whole day of the month with spans is clean in the rollup; returns when (performance.now()). */
async function waitForBuilder(client: ClickHouseClient, database: string, endMs: number, graceMs: number): Promise<number> {
  const toS = Math.ceil(endMs / 3_600_000) * HOUR_S;
  const fromS = Math.floor((endMs - 31 * DAY) / DAY) * DAY_S;
  const dims = rollupDimensions(ROLLUP.properties);
  for (;;) {
    const state = await inBackground(() => readRollupState(client, database, PROJECT, fromS, toS));
    let done = true;
    for (let h = fromS; h < toS && done; h += HOUR_S) {
      if (dims.some((d) => cleanBuild(state, 'hour', h, d, graceMs) === undefined)) done = false;
      if (h % DAY_S === 0 && h + DAY_S <= toS && cleanBuild(state, 'day', h, 'model', graceMs) === undefined) done = false;
    }
    if (done) return performance.now();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function tableSizes(client: ClickHouseClient, database: string): Promise<string> {
  const result = await client.query({
    query: `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = ${sqlString(database)} AND active GROUP BY table ORDER BY table`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ table: string; rows: string; parts: string; bytes: string }>()).map((r) => `${r.table} ${Number(r.rows).toLocaleString('en')} rows / ${r.parts} parts / ${(Number(r.bytes) / 2 ** 20).toFixed(1)} MiB`).join('; ');
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

/** Each query on two services, alternating; prints both medians and their ratio. */
async function compare(first: QueryService, second: QueryService, queries: BenchQuery[], runs: number, firstName: string, secondName: string): Promise<void> {
  for (const q of queries) {
    const [a, b]: number[][] = [[], []];
    await q.run(first, 0);
    await q.run(second, 0);
    for (let i = 0; i < runs; i++) {
      for (const [s, out] of [[first, a], [second, b]] as const) {
        const t = performance.now();
        await q.run(s, i);
        out.push(performance.now() - t);
      }
    }
    const [ma, mb] = [median(a), median(b)];
    console.log(`  ${q.name.padEnd(80)} ${firstName} ${ma.toFixed(1).padStart(7)} ms, ${secondName} ${mb.toFixed(1).padStart(7)} ms: ×${(ma / mb).toFixed(2)}`);
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
