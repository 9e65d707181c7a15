/**
 * npm run bench:collector — how close the collector gets to ClickHouse's own insert rate, in one
 * run on one machine, against one local ClickHouse server:
 *  (a) raw: the same rows (the collector's own row mapping, normalized and priced beforehand),
 *      inserted with @clickhouse/client in batches of the collector's batch size;
 *  (b) end to end: OTLP/HTTP protobuf requests (made by the real SDK serializer) POSTed to a
 *      collector process (pricing and session processing on), timed until every span is stored.
 * (a) and (b) alternate over several rounds (ClickHouse's own speed swings between runs on a
 * shared machine), each round into fresh tables. Prints every round, the medians, the collector's
 * peak RSS, and last `ingest_ratio=<median (b) / median (a)>`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequest, LocalClickHouse, toSpanRecords } from '@tokentrace/collector';
import {
  createClickHouseClient,
  createNormalizeProcessor,
  createPricingProcessor,
  createSessionProcessor,
  DEFAULT_CLICKHOUSE_EXPORTER_CONFIG,
  ensureSchema,
  schemaTables,
  SPAN_COLUMNS,
  toSpanRow,
} from '@tokentrace/processors';
import { makeGenAiSpans } from './genai-span-factory.js';
import { median } from './stats.js';

const SPANS = Number(process.env.BENCH_SPANS ?? 200_000);
const SPANS_PER_REQUEST = 1000;
const BATCH = 5000; // the collector's default batch.maxSpans
const CONCURRENCY = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-bench-collector-'));
  const clickhouse = await LocalClickHouse.start({ dir: join(dir, 'clickhouse') });
  try {
    console.log(`generating ${SPANS} GenAI spans with the OpenTelemetry SDK…`);
    const spans = makeGenAiSpans(SPANS);
    const requests: Uint8Array[] = [];
    for (let i = 0; i < spans.length; i += SPANS_PER_REQUEST) {
      requests.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + SPANS_PER_REQUEST))!);
    }
    const raws: number[] = [];
    const e2es: number[] = [];
    let peakRssKb = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const raw = await rawInsertRate(clickhouse.url, requests, `bench_raw_${round}`);
      const e2e = await collectorRate(clickhouse.url, requests, join(dir, `round-${round}`), `bench_e2e_${round}`);
      raws.push(raw);
      e2es.push(e2e.rate);
      peakRssKb = Math.max(peakRssKb, e2e.peakRssKb);
      console.log(`round ${round}: (a) raw ${fmt(raw)} rows/s, (b) collector ${fmt(e2e.rate)} spans/s, ratio ${(e2e.rate / raw).toFixed(3)}`);
    }
    const raw = median(raws);
    const e2e = median(e2es);
    console.log(`(a) raw ClickHouse insert, JSONEachRow batches of ${BATCH}, median of ${ROUNDS}: ${fmt(raw)} rows/s`);
    console.log(`(b) collector end to end, OTLP/HTTP protobuf (${SPANS_PER_REQUEST} spans/request, ${CONCURRENCY} in flight), pricing + sessions, median of ${ROUNDS}: ${fmt(e2e)} spans/s`);
    console.log(`collector peak RSS: ${(peakRssKb / 1024).toFixed(1)} MiB (target < 512 MiB)`);
    console.log(`ingest_ratio=${(e2e / raw).toFixed(3)}`);
  } finally {
    await clickhouse.stop();
  }
}

/** The same rows the collector would write, inserted directly. Row preparation is not timed. */
async function rawInsertRate(url: string, requests: Uint8Array[], database: string): Promise<number> {
  const processors = [createNormalizeProcessor(), createPricingProcessor(), createSessionProcessor()];
  const rows = requests.flatMap((body) => {
    let records = toSpanRecords(decodeTraceRequest(body, 'protobuf'), 'bench').spans;
    for (const p of processors) records = p.process(records) as typeof records;
    return records.map((r) => toSpanRow(r, 1));
  });
  const client = createClickHouseClient({ ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, url });
  await ensureSchema(client, database);
  const table = schemaTables(database).spans;
  const started = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    await client.insert({ table, values: rows.slice(i, i + BATCH), format: 'JSONEachRow', columns: [...SPAN_COLUMNS] });
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return rows.length / seconds;
}

async function collectorRate(clickhouseUrl: string, requests: Uint8Array[], dir: string, database: string): Promise<{ rate: number; peakRssKb: number }> {
  const port = await freePort();
  const main = fileURLToPath(new URL('../../collector/dist/cli/collector-main.js', import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      TOKENTRACE_CLICKHOUSE_URL: clickhouseUrl,
      TOKENTRACE_CLICKHOUSE_DATABASE: database,
      TOKENTRACE_COLLECTOR_HTTP_PORT: String(port),
      TOKENTRACE_COLLECTOR_GRPC_ENABLED: 'false',
      TOKENTRACE_SPOOL_DIR: join(dir, 'spool'),
      NODE_OPTIONS: process.env.BENCH_COLLECTOR_NODE_OPTIONS ?? '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/ready`).catch(() => undefined))?.ok === true, 30_000);
  let peakRssKb = 0;
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, rssKb(child.pid!))), 100);
  const total = requests.length * SPANS_PER_REQUEST;
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    while (next < requests.length) {
      const body = requests[next++];
      for (;;) {
        const res = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
        await res.arrayBuffer();
        if (res.ok) break;
        if (res.status !== 429 && res.status !== 503) throw new Error(`collector answered ${res.status}`);
        await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  await waitFor(async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as { counters: { spans_stored: number } };
    return health.counters.spans_stored >= total;
  }, 300_000, 20);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRssKb = Math.max(peakRssKb, peakRssFromProc(child.pid!));
  child.kill('SIGTERM');
  await once(child, 'exit');
  return { rate: total / seconds, peakRssKb };
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The kernel's high-water mark of the process's resident set. */
function peakRssFromProc(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
