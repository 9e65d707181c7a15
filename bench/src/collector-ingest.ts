/**
 * npm run bench:collector — how close the collector gets to the storage engine's own insert rate,
 * in one run on one machine, both on the embedded engine (chdb):
 *  (a) raw: the same rows (the collector's own row mapping, normalized and priced beforehand),
 *      in the batches the collector's BatchProcessor cuts with the config the collector loads
 *      (of spans encoded on arrival, as the collector batches them on the embedded engine),
 *      already encoded as the exporter encodes them for the embedded engine (spanBatchBody in
 *      spanInsertFormat's format, RowBinary, before the clock starts: no
 *      JavaScript encoding is timed on this side), inserted one batch after the other with the
 *      exporter's statement (insertSpanBatch) into the embedded engine of this process;
 *  (b) end to end: OTLP/HTTP protobuf requests (made by the real SDK serializer) POSTed to a
 *      collector process (pricing and session processing on, its own embedded engine), timed
 *      until every span is stored. The bodies are made before the clock starts, as (a)'s rows
 *      are, and sent with node:http over kept-alive connections: the load generator stands for
 *      remote clients but runs on the same two cores, and fetch (undici) took 10.5 µs of CPU per
 *      span sent from them, node:http 2.4 (its CPU is printed with BENCH_THREADS=1, with the
 *      CPU of each side's threads by name). The collector receives the same bytes either way.
 *      Before the clock starts each collector gets a warm-up of other spans (BENCH_WARMUP_SPANS,
 *      20,000 by default, 0 for none), stored before the timed load is sent: what is timed is a
 *      collector that has been running, as the raw side's engine has been from its second round
 *      on, not its start-up (V8 compiling the hot code on its helper threads, the row and body
 *      buffer pools filling with fresh pages). Measured (one round each, same build): the
 *      collector's V8Worker threads 2.6–3.0 µs/span cold, 1.2–1.7 warm.
 * (a) and (b) alternate over several rounds (ClickHouse's own speed swings between runs on a
 * shared machine), each round into fresh tables, with ClickHouse's merges settled and the load
 * generator's garbage collected between phases. Prints every round, the medians, CPU per span
 * (all threads: the raw side's engine, the collector process), the collector's peak RSS, and
 * last `collector_spans_per_s=<median (b)>` and `ingest_ratio=<median of the rounds' (b) / (a)>`.
 * The ratio is the median of each round's own ratio (its (a) and (b) run one after the other),
 * not median (b) / median (a) (printed too, as it was until 2026-12-07): on a machine whose load
 * from other work swings from one minute to the next, the two medians may come from rounds run
 * under different loads (measured: one run's rounds 0.734, 0.872, 0.396, 0.805, 0.780 gave 0.561
 * that way, its (a) median from a quiet round and its (b) median from a loaded one).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequest, loadCollectorConfig, toSpanRecords } from '@tokentrace/collector';
import {
  BatchProcessor,
  createClickHouseClient,
  createNormalizeProcessor,
  createPricingProcessor,
  createSessionProcessor,
  encodeSpansOnArrival,
  ensureSchema,
  insertSpanBatch,
  spanBatchBody,
  spanInsertFormat,
  schemaTables,
  sqlIdentifier,
  type SpanBatchBody,
} from '@tokentrace/processors';
import { makeGenAiSpans } from './genai-span-factory.js';
import { median } from './stats.js';

const SPANS = Number(process.env.BENCH_SPANS ?? 200_000);
const SPANS_PER_REQUEST = 1000;
const CONCURRENCY = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Spans (other ones than the timed load's) sent to each collector before its clock starts; 0 for none. */
const WARMUP_SPANS = Number(process.env.BENCH_WARMUP_SPANS ?? 20_000);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-bench-collector-'));
  // The raw side's engine, in this process; each collector process opens its own.
  const engine = { url: '', dataDir: join(dir, 'raw-engine') };
  try {
    console.log(`generating ${SPANS} GenAI spans with the OpenTelemetry SDK…`);
    const requests = otlpRequests(SPANS);
    const warmup = otlpRequests(WARMUP_SPANS);
    const raws: number[] = [];
    const e2es: number[] = [];
    const rawCpu: number[] = [];
    const e2eCpu: number[] = [];
    const e2eMainCpu: number[] = [];
    let peakRssKb = 0;
    let rawBatchRows = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const { rate: raw, batchRows, cpuUsPerRow } = await rawInsertRate(engine, requests, `bench_raw_${round}`);
      rawBatchRows = batchRows;
      await settle(engine, `bench_raw_${round}`);
      const e2e = await collectorRate(warmup, requests, join(dir, `round-${round}`), `bench_e2e_${round}`);
      collectGarbage();
      raws.push(raw);
      e2es.push(e2e.rate);
      rawCpu.push(cpuUsPerRow);
      e2eCpu.push(e2e.cpuUsPerSpan);
      e2eMainCpu.push(e2e.mainCpuUsPerSpan);
      peakRssKb = Math.max(peakRssKb, e2e.peakRssKb);
      const c = e2e.counters;
      console.log(
        `round ${round}: (a) raw ${fmt(raw)} rows/s, (b) collector ${fmt(e2e.rate)} spans/s, ratio ${(e2e.rate / raw).toFixed(3)}; ` +
          `CPU (all threads) ${cpuUsPerRow.toFixed(1)} µs/row raw, ${e2e.cpuUsPerSpan.toFixed(1)} µs/span collector (${e2e.mainCpuUsPerSpan.toFixed(1)} on its main thread); ` +
          `collector peak RSS ${(e2e.peakRssKb / 1024).toFixed(0)} MiB, ${e2e.refused} requests answered 429/503 (retried), ${c.insert_retries ?? 0} insert retries, ${c.spans_spooled ?? 0} spans spooled`,
      );
    }
    const raw = median(raws);
    const e2e = median(e2es);
    console.log(`(a) raw insert into the embedded engine, the exporter's encoded batches (${fmt(rawBatchRows)} rows on average), median of ${ROUNDS}: ${fmt(raw)} rows/s`);
    console.log(`(b) collector end to end, OTLP/HTTP protobuf (${SPANS_PER_REQUEST} spans/request, ${CONCURRENCY} in flight), pricing + sessions, median of ${ROUNDS}: ${fmt(e2e)} spans/s`);
    // CPU per span is steadier than the rates on a shared machine: others' load stretches wall time, not our CPU time.
    console.log(`CPU per span, all threads, median of ${ROUNDS}: (a) raw ${median(rawCpu).toFixed(1)} µs, (b) collector ${median(e2eCpu).toFixed(1)} µs, of which its main thread (JavaScript) ${median(e2eMainCpu).toFixed(1)} µs`);
    console.log(`collector peak RSS (the embedded engine included): ${(peakRssKb / 1024).toFixed(1)} MiB (target < 1024 MiB)`);
    console.log(`collector_spans_per_s=${Math.round(e2e)}`);
    console.log(`median (b) / median (a): ${(e2e / raw).toFixed(3)}`);
    console.log(`ingest_ratio=${median(e2es.map((rate, i) => rate / raws[i]!)).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The load: OTLP/protobuf request bodies made by the SDK's own serializer. Only the bodies (off
 * the JS heap) outlive this function, so the load generator's garbage collector does not compete
 * with the collector for the machine's two cores while (b) runs.
 */
function otlpRequests(count: number): Uint8Array[] {
  const spans = makeGenAiSpans(count);
  const requests: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += SPANS_PER_REQUEST) {
    requests.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + SPANS_PER_REQUEST))!);
  }
  return requests;
}

/**
 * Between the timed phases: drops the phase's database, so that ClickHouse's background merges of
 * its parts (which go on for seconds after the last insert) do not take CPU from the next phase,
 * waits until no merge is running, and collects the load generator's garbage.
 */
async function settle(engine: { url: string; dataDir: string }, database: string): Promise<void> {
  const client = createClickHouseClient(engine);
  try {
    await client.command({ query: `DROP DATABASE IF EXISTS ${sqlIdentifier(database)}` });
    await waitFor(async () => {
      const result = await client.query({ query: 'SELECT count() AS merges FROM system.merges', format: 'JSONEachRow' });
      const [row] = (await result.json()) as Array<{ merges: string | number }>;
      return Number(row.merges) === 0;
    }, 60_000, 200);
  } finally {
    await client.close();
  }
  collectGarbage();
}

/** A full collection between the timed phases (node --expose-gc), so neither pays for the other's garbage. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * The same rows the collector would write, inserted directly, in the batches the collector's own
 * BatchProcessor cuts with the config the collector loads (by count and by estimated bytes).
 * Making the rows is not timed; encoding and inserting them is.
 */
async function rawInsertRate(engine: { url: string; dataDir: string }, requests: Uint8Array[], database: string): Promise<{ rate: number; batchRows: number; cpuUsPerRow: number }> {
  const processors = [createNormalizeProcessor(), createPricingProcessor(), createSessionProcessor()];
  const client = createClickHouseClient(engine);
  const format = spanInsertFormat(client);
  const batches: Array<{ rows: number; body: SpanBatchBody }> = [];
  // The batch settings the collector process loads, TOKENTRACE_BATCH_* included; each batch
  // encoded as the exporter encodes it, before the clock starts.
  const batcher = new BatchProcessor(
    {
      consume: async (spans) => {
        batches.push({ rows: spans.length, body: spanBatchBody(spans, 1, format) });
      },
    },
    loadCollectorConfig(undefined).batch,
  );
  for (const body of requests) {
    let records = toSpanRecords(decodeTraceRequest(body, 'protobuf'), 'bench').spans;
    for (const p of processors) records = p.process(records) as typeof records;
    // As the collector does on the embedded engine: its batches are then cut by the rows' bytes.
    if (format === 'RowBinary') records = encodeSpansOnArrival(records);
    await batcher.consume(records);
  }
  await batcher.shutdown();
  await ensureSchema(client, database);
  const table = schemaTables(database).spans;
  const total = batches.reduce((n, b) => n + b.rows, 0);
  collectGarbage();
  const threadsBefore = threadCpu(process.pid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) {
    // The engine's own part: the exporter's statement and body, already encoded.
    await insertSpanBatch(client, table, batch.body);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (process.env.BENCH_THREADS) {
    const after = threadCpu(process.pid);
    for (const [k, v] of after) after.set(k, v - (threadsBefore.get(k) ?? 0));
    console.log('raw: ' + [...after].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / total).toFixed(2)}`).join(', '));
  }
  await client.close();
  // CPU of this process while only the inserts ran: the engine's threads, mostly.
  return { rate: total / seconds, batchRows: total / batches.length, cpuUsPerRow: (cpu.user + cpu.system) / total };
}

async function collectorRate(
  warmup: Uint8Array[],
  requests: Uint8Array[],
  dir: string,
  database: string,
): Promise<{ rate: number; peakRssKb: number; refused: number; counters: Record<string, number>; cpuUsPerSpan: number; mainCpuUsPerSpan: number }> {
  const port = await freePort();
  const main = fileURLToPath(new URL('../../collector/dist/cli/collector-main.js', import.meta.url));
  // BENCH_COLLECTOR_NODE_ARGS: V8 flags for the collector that NODE_OPTIONS refuses (e.g. --trace-gc).
  const nodeArgs = (process.env.BENCH_COLLECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: {
      ...process.env,
      TOKENTRACE_CLICKHOUSE_URL: '',
      TOKENTRACE_CLICKHOUSE_DATA_DIR: join(dir, 'clickhouse'),
      TOKENTRACE_CLICKHOUSE_DATABASE: database,
      TOKENTRACE_COLLECTOR_HTTP_PORT: String(port),
      TOKENTRACE_COLLECTOR_GRPC_ENABLED: 'false',
      TOKENTRACE_SPOOL_DIR: join(dir, 'spool'),
      NODE_OPTIONS: process.env.BENCH_COLLECTOR_NODE_OPTIONS ?? '',
    },
    // The collector's own output only when asked for (with V8 flags such as --trace-gc).
    stdio: ['ignore', nodeArgs.length > 0 ? 'inherit' : 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/ready`).catch(() => undefined))?.ok === true, 30_000);
  // Warm-up, untimed: the collector's JavaScript compiled and its buffers allocated, as in a
  // collector that has been running; then a pause for the engine's merges of those parts.
  const sendAll = (bodies: Uint8Array[]) => {
    let next = 0;
    const sender = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        for (;;) {
          const res = await post(agent, port, body);
          if (res.status === 200) break;
          if (res.status !== 429 && res.status !== 503) throw new Error(`collector answered ${res.status}`);
          refused++;
          await new Promise((r) => setTimeout(r, 1000 * Number(res.retryAfter ?? 1)));
        }
      }
    };
    return Promise.all(Array.from({ length: CONCURRENCY }, sender));
  };
  // One kept-alive connection per sender, as an OTLP exporter keeps its connection.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let refused = 0;
  const storedBefore = warmup.length * SPANS_PER_REQUEST;
  await sendAll(warmup);
  await waitFor(async () => (await health(base)).spans_stored >= storedBefore, 300_000, 20);
  await new Promise((r) => setTimeout(r, 1000));
  let peakRssKb = 0;
  const threadsBefore = threadCpu(child.pid!);
  const cpuBefore = cpuMicros(child.pid!);
  const mainCpuBefore = cpuMicros(child.pid!, child.pid!);
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, rssKb(child.pid!))), 100);
  const total = requests.length * SPANS_PER_REQUEST;
  const loadCpuBefore = process.cpuUsage();
  const started = performance.now();
  await sendAll(requests);
  agent.destroy();
  let counters: Record<string, number> = {};
  await waitFor(async () => {
    counters = await health(base);
    return counters.spans_stored >= storedBefore + total;
  }, 300_000, 20);
  const seconds = (performance.now() - started) / 1000;
  if (process.env.BENCH_THREADS) { const c = process.cpuUsage(loadCpuBefore); console.log(`load generator CPU ${((c.user + c.system) / total).toFixed(2)} µs/span`); }
  clearInterval(sampler);
  peakRssKb = Math.max(peakRssKb, peakRssFromProc(child.pid!));
  const cpuUsPerSpan = (cpuMicros(child.pid!) - cpuBefore) / total;
  const mainCpuUsPerSpan = (cpuMicros(child.pid!, child.pid!) - mainCpuBefore) / total;
  if (process.env.BENCH_THREADS) {
    const after = threadCpu(child.pid!);
    for (const [k, v] of after) after.set(k, v - (threadsBefore.get(k) ?? 0));
    console.log([...after].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / total).toFixed(2)}`).join(', '));
  }
  child.kill('SIGTERM');
  await once(child, 'exit');
  return { rate: total / seconds, peakRssKb, refused, counters, cpuUsPerSpan, mainCpuUsPerSpan };
}

async function health(base: string): Promise<Record<string, number>> {
  return ((await (await fetch(`${base}/health`)).json()) as { counters: Record<string, number> }).counters;
}

/**
 * One POST of an OTLP/protobuf body with node:http: the body's bytes as they are, the answer
 * read and dropped. The load generator shares the machine's two cores with the collector, and
 * fetch (undici) spent about 10 µs of CPU per span sent (measured in this bench), as much as the
 * collector's own JavaScript; node:http sends the same bytes for a fraction of that.
 */
function post(agent: Agent, port: number, body: Uint8Array): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.byteLength } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * CPU time (user + system) the process used so far, µs (/proc/<pid>/stat, in clock ticks of
 * 10 ms): all its threads, or with `tid` that thread only (the main thread's tid is the pid).
 */
function cpuMicros(pid: number, tid?: number): number {
  try {
    // Fields after the command name (which is in parentheses): state is field 3, utime 14, stime 15.
    const fields = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/** CPU µs by thread name (threads of one name summed). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) + (tid === String(pid) ? '[main]' : '');
      const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10_000);
    } catch {}
  }
  return out;
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
