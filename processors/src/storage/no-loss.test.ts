// No loss, no duplicates: the exporter composed with RetryingConsumer, IsolatingConsumer and SpoolingConsumer against a
// ClickHouse server (the HTTP test server on the embedded engine, random port) that goes away mid-load.
import type { ClickHouseClient } from '@clickhouse/client';
import { readdir } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from '@tokentrace/test';
import { encodeBatch } from '../exporter-helper/batch-codec.js';
import { IsolatingConsumer } from '../exporter-helper/isolating-consumer.js';
import { silentLogger } from '../exporter-helper/logger.js';
import { RetryingConsumer } from '../exporter-helper/retrying-consumer.js';
import { SpoolingConsumer } from '../exporter-helper/spooling-consumer.js';
import { BackpressureError } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { createClickHouseExporter } from './clickhouse-exporter.js';
import { utcMidnightNs } from './testing/span-times.js';

const SPANS_PER_BATCH = 100;
/** Yesterday: inside the table's retention (a fixed 2024 date was older than its 400 days, and the engine dropped the rows). */
const START = utcMidnightNs(1);

let root: string;
let server: ClickHouseHttpServer;
let client: ClickHouseClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-no-loss-'));
  // A real network listener speaking ClickHouse's HTTP interface, on the embedded engine: stopped
  // (gracefully) or killed (every socket cut mid-request) and started again on the same port.
  server = await ClickHouseHttpServer.start({ dataDir: join(root, 'clickhouse') });
  client = createClickHouseClient({ url: server.url, username: 'default', password: '', requestTimeoutMs: 10_000, compressRequests: false, maxOpenConnections: 2 });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

function batch(b: number): SpanRecord[] {
  return Array.from({ length: SPANS_PER_BATCH }, (_, i) => ({
    projectId: 'p',
    traceId: b.toString(16).padStart(32, '0'),
    spanId: (b * SPANS_PER_BATCH + i).toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: `span ${b}/${i}`,
    kind: 3,
    startTimeUnixNano: START + BigInt(b * 1_000_000 + i),
    endTimeUnixNano: START + 1_000_000_000n,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'gen_ai.request.model': 'gpt-4o', padding: 'x'.repeat(200) },
    resourceAttributes: { 'service.name': 'load' },
    scopeName: '',
    scopeVersion: '',
    events: [],
    genAi: { inputTokens: 10, outputTokens: 5, properties: {}, isModelCall: true },
    cost: { status: 'priced', totalUsd: 0.001 },
  }));
}

/** The stack the collector runs: spool ⟶ isolate ⟶ retry ⟶ ClickHouse exporter, with fast test timings. */
function pipeline(database: string, spoolDir: string, maxBytes: number) {
  const counts = { spooled: 0, replayed: 0 };
  const exporter = createClickHouseExporter({ url: server.url, database, requestTimeoutMs: 3_000 }, { logger: silentLogger });
  const retrying = new RetryingConsumer(exporter, { initialIntervalMs: 50, multiplier: 2, randomizationFactor: 0.2, maxIntervalMs: 200, maxElapsedMs: 400 });
  const spooling = new SpoolingConsumer(
    new IsolatingConsumer(retrying),
    { directory: spoolDir, maxBytes, retryAfterSeconds: 0.05, drainTimeoutMs: 2_000, replay: { initialIntervalMs: 100, multiplier: 1.5, randomizationFactor: 0.2, maxIntervalMs: 300 } },
    { logger: silentLogger, onSpooled: (n) => (counts.spooled += n), onReplayed: (n) => (counts.replayed += n) },
  );
  return { spooling, counts };
}

/**
 * Sends like an OTLP SDK exporter: a BackpressureError (the receiver's 429/503) means wait and
 * send again. Records, for every push-back, whether the spool really had no room for the batch.
 */
async function send(spooling: SpoolingConsumer, b: number, pushBacks: Array<{ full: boolean }>): Promise<void> {
  const spans = batch(b);
  const size = encodeBatch(spans).length;
  for (;;) {
    try {
      await spooling.consume(spans);
      return;
    } catch (err) {
      if (!(err instanceof BackpressureError)) throw err;
      const stats = spooling.stats();
      pushBacks.push({ full: stats.spooledBytes + size > stats.maxBytes });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function until(condition: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stored(database: string): Promise<{ final: number; distinct: number; raw: number }> {
  const [row] = await (
    await client.query({
      query: `SELECT (SELECT count() FROM ${database}.spans FINAL) AS final, (SELECT uniqExact(trace_id, span_id) FROM ${database}.spans) AS distinct, (SELECT count() FROM ${database}.spans) AS raw`,
      format: 'JSONEachRow',
    })
  ).json<{ final: string; distinct: string; raw: string }>();
  return { final: Number(row.final), distinct: Number(row.distinct), raw: Number(row.raw) };
}

async function expectExactlyOnce(database: string, spans: number): Promise<void> {
  const before = await stored(database);
  expect(before.final).toBe(spans); // de-duplicated at read time, before any merge
  expect(before.distinct).toBe(spans);
  await client.command({ query: `OPTIMIZE TABLE ${database}.spans FINAL` });
  expect((await stored(database)).raw).toBe(spans); // and physically after the merge
}

describe('no loss through a ClickHouse outage', () => {
  for (const how of ['stop', 'kill'] as const) {
    it(`ClickHouse ${how === 'stop' ? 'stopped' : 'killed (connections cut mid-request)'} mid-load and restarted: every span stored exactly once`, async () => {
      const database = `tt_outage_${how}`;
      const { spooling, counts } = pipeline(database, join(root, `spool-${how}`), 256 * 1024 * 1024);
      await spooling.start();
      const pushBacks: Array<{ full: boolean }> = [];
      let nextBatch = 0;
      let sent = 0;
      let outageOver = false;
      // A steady load that goes on until ClickHouse has been down (spans spooled), back, and taken more.
      const worker = async () => {
        while (!outageOver) {
          await send(spooling, nextBatch++, pushBacks);
          sent++;
          await new Promise((r) => setTimeout(r, 15));
        }
      };
      const chaos = async () => {
        await until(() => sent >= 15);
        await (how === 'stop' ? server.stop() : server.kill());
        await until(() => spooling.stats().spooledBatches >= 5);
        await server.start();
        const resumedAt = sent;
        await until(() => sent >= resumedAt + 10);
        outageOver = true;
      };
      await Promise.all([worker(), worker(), worker(), chaos()]);
      const total = nextBatch;
      await until(() => spooling.stats().spooledBatches === 0);
      await spooling.shutdown();

      expect(counts.spooled).toBeGreaterThan(0); // the outage really went through the spool
      expect(counts.replayed).toBe(counts.spooled);
      expect(pushBacks).toEqual([]); // a spool with room never pushes back
      await expectExactlyOnce(database, total * SPANS_PER_BATCH);
    });
  }

  it('a full spool pushes back (and only then); every batch is stored once when ClickHouse returns', async () => {
    const database = 'tt_full';
    const spoolDir = join(root, 'spool-full');
    const { spooling } = pipeline(database, spoolDir, 5 * encodeBatch(batch(0)).length + 100);
    await server.stop();
    await spooling.start();
    const pushBacks: Array<{ full: boolean }> = [];
    const total = 20;
    const sending = (async () => {
      for (let b = 0; b < total; b++) await send(spooling, b, pushBacks);
    })();
    await until(() => pushBacks.length >= 3);
    expect(spooling.stats().spooledBatches).toBe(5);
    await server.start();
    await sending;
    await until(() => spooling.stats().spooledBatches === 0);
    await spooling.shutdown();

    expect(pushBacks.length).toBeGreaterThanOrEqual(3);
    expect(pushBacks.every((p) => p.full)).toBe(true);
    await expectExactlyOnce(database, total * SPANS_PER_BATCH);
  });

  it('the spool survives re-creating the consumer (a collector restart)', async () => {
    const database = 'tt_restart';
    const spoolDir = join(root, 'spool-restart');
    await server.stop();
    const first = pipeline(database, spoolDir, 64 * 1024 * 1024);
    await first.spooling.start();
    for (let b = 0; b < 8; b++) await send(first.spooling, b, []);
    await first.spooling.shutdown();
    expect((await readdir(spoolDir)).filter((f) => f.endsWith('.batch'))).toHaveLength(8);

    await server.start();
    const second = pipeline(database, spoolDir, 64 * 1024 * 1024);
    await second.spooling.start(); // replays what the first one left
    await until(() => second.spooling.stats().spooledBatches === 0);
    await second.spooling.shutdown();
    expect(second.counts.replayed).toBe(8 * SPANS_PER_BATCH);
    expect((await readdir(spoolDir)).filter((f) => f.endsWith('.batch'))).toEqual([]);
    await expectExactlyOnce(database, 8 * SPANS_PER_BATCH);
  });
});
