// Issue 10 against the real engine (embedded ClickHouse, chdb, on a folder of this test file): spans that ClickHouse refuses cost themselves, not their batch, and a poison
// batch in the spool does not hold up the batches behind it. The stack the collector runs:
// spool ⟶ isolate ⟶ retry ⟶ count ⟶ ClickHouse exporter.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatch } from '../exporter-helper/batch-codec.js';
import { IsolatingConsumer } from '../exporter-helper/isolating-consumer.js';
import { silentLogger, type HelperLogger } from '../exporter-helper/logger.js';
import { RetryingConsumer } from '../exporter-helper/retrying-consumer.js';
import { SpoolingConsumer } from '../exporter-helper/spooling-consumer.js';
import type { Lifecycle, SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { createClickHouseExporter } from './clickhouse-exporter.js';
import { utcMidnightNs } from './testing/span-times.js';

/** Yesterday: inside the table's retention (a fixed 2024 date was older than its 400 days, and the engine dropped the rows). */
const START = utcMidnightNs(1);

let root: string;
/** The embedded engine, on a folder of this test file. */
let embedded: { url: string; dataDir: string };
let client: ClickHouseClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-refused-'));
  embedded = { url: '', dataDir: join(root, 'clickhouse') };
  client = createClickHouseClient(embedded);
});

afterAll(async () => {
  await client?.close();
  await rm(root, { recursive: true, force: true });
});

function span(b: number, i: number): SpanRecord {
  return {
    projectId: 'p',
    traceId: b.toString(16).padStart(32, '0'),
    spanId: (b * 10_000 + i).toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: `span ${b}/${i}`,
    kind: 3,
    startTimeUnixNano: START + BigInt(b * 1_000_000 + i),
    endTimeUnixNano: START + 1_000_000_000n,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'gen_ai.request.model': 'gpt-4o' },
    resourceAttributes: { 'service.name': 'refused' },
    scopeName: '',
    scopeVersion: '',
    events: [],
  };
}

function batch(b: number, size: number): SpanRecord[] {
  return Array.from({ length: size }, (_, i) => span(b, i));
}

/**
 * What cannot be stored: a lone surrogate in a string column, which has no UTF-8 form (the embedded engine's RowBinary
 * encoder refuses the span; a server refuses its JSON escape with code 25). The receivers replace them; spans that reach
 * the exporter another way may not.
 */
const POISONS: Array<{ make: (s: SpanRecord) => SpanRecord; refusal: RegExp }> = [
  { make: (s) => ({ ...s, name: 'chat \ud800' }), refusal: /lone UTF-16 surrogate \("chat \\ud800"\)/ },
  { make: (s) => ({ ...s, statusMessage: 'rate limited \ud83d' }), refusal: /lone UTF-16 surrogate/ },
  { make: (s) => ({ ...s, scopeName: 'lib \udbff' }), refusal: /lone UTF-16 surrogate/ },
];

interface Counts {
  stored: number;
  spooled: number;
  replayed: number;
  setAside: number;
}

/** The collector's storage chain, with its counters; `store` may point nowhere. */
function storage(store: { url: string; dataDir?: string }, database: string, spoolDir: string, counts: Counts, extra: { logger?: HelperLogger; replayMaxBytes?: number; onSettled?: () => void } = {}) {
  const exporter = createClickHouseExporter({ ...store, database, requestTimeoutMs: 5_000 }, { logger: silentLogger });
  const counted: SpanConsumer & Lifecycle = {
    start: () => exporter.start(),
    shutdown: () => exporter.shutdown(),
    consume: async (spans) => {
      await exporter.consume(spans);
      counts.stored += spans.length;
    },
  };
  const retrying = new RetryingConsumer(counted, { initialIntervalMs: 10, multiplier: 1, randomizationFactor: 0, maxIntervalMs: 10, maxElapsedMs: 30 });
  return new SpoolingConsumer(
    new IsolatingConsumer(retrying),
    { directory: spoolDir, replay: { initialIntervalMs: 20, multiplier: 1, randomizationFactor: 0, maxIntervalMs: 20 }, ...(extra.replayMaxBytes === undefined ? {} : { replayMaxBytes: extra.replayMaxBytes }) },
    {
      logger: extra.logger ?? silentLogger,
      onSpooled: (n) => (counts.spooled += n),
      onReplayed: (n) => {
        counts.replayed += n;
        extra.onSettled?.();
      },
      onRejected: (n) => {
        counts.setAside += n;
        extra.onSettled?.();
      },
    },
  );
}

async function storedSpanIds(database: string): Promise<string[]> {
  const rows = await (await client.query({ query: `SELECT span_id FROM ${database}.spans FINAL ORDER BY span_id`, format: 'JSONEachRow' })).json<{ span_id: string }>();
  return rows.map((r) => r.span_id);
}

async function rejectedFiles(spoolDir: string): Promise<{ spans: SpanRecord[]; reasons: string[] }> {
  const dir = join(spoolDir, 'rejected');
  const spans: SpanRecord[] = [];
  const reasons: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('.batch')) spans.push(...decodeBatch(await readFile(join(dir, name))));
    else reasons.push(await readFile(join(dir, name), 'utf8'));
  }
  return { spans, reasons };
}

const ids = (spans: SpanRecord[]) => spans.map((s) => s.spanId).sort();

describe('spans ClickHouse refuses (issue 10)', () => {
  it('a batch with a few poison spans: every valid span stored, only the poison set aside, counted once each', async () => {
    const database = 'tt_refused_direct';
    const spoolDir = join(root, 'spool-direct');
    const counts: Counts = { stored: 0, spooled: 0, replayed: 0, setAside: 0 };
    const logged: string[] = [];
    const logger: HelperLogger = { warn: (m) => logged.push(m), error: (m) => logged.push(m) };
    const spooling = storage(embedded, database, spoolDir, counts, { logger });
    await spooling.start();

    const spans = batch(1, 1000);
    const poisonAt = [3, 480, 999];
    poisonAt.forEach((at, k) => (spans[at] = POISONS[k].make(spans[at])));
    await expect(spooling.consume(spans)).resolves.toBeUndefined();

    const valid = spans.filter((_, i) => !poisonAt.includes(i));
    expect(await storedSpanIds(database)).toEqual(ids(valid));
    expect(counts).toEqual({ stored: 997, spooled: 0, replayed: 0, setAside: 3 });
    expect(spooling.stats()).toMatchObject({ healthy: true, spooledBatches: 0 });

    const rejected = await rejectedFiles(spoolDir);
    expect(ids(rejected.spans)).toEqual(ids(poisonAt.map((i) => spans[i])));
    expect(rejected.spans[0].name).toBe('chat \ud800'); // kept exactly as received
    const lines = rejected.reasons[0].trim().split('\n');
    expect(lines[0]).toMatch(/3 of 1000 spans refused as bad data/);
    poisonAt.forEach((at, k) => expect(lines[k + 1]).toMatch(new RegExp(`^trace_id=${spans[at].traceId} span_id=${spans[at].spanId} .*${POISONS[k].refusal.source}`)));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^3 of 1000 spans refused, set aside in .*rejected\/direct-.*lone UTF-16 surrogate/);
    await spooling.shutdown();
  });

  for (const replayMaxBytes of [undefined, 0]) {
    const how = replayMaxBytes === 0 ? 'one batch per delivery' : 'batches joined into one delivery';
    it(`a poison batch spooled while ClickHouse was unreachable is isolated on replay (${how}); the batches after it are stored, the spool ends empty`, async () => {
      const database = `tt_refused_spooled_${replayMaxBytes ?? 'joined'}`;
      const spoolDir = join(root, `spool-${database}`);
      const batches = [batch(1, 200), batch(2, 200), batch(3, 200), batch(4, 200)];
      batches[1][77] = POISONS[0].make(batches[1][77]);
      batches[1][150] = POISONS[2].make(batches[1][150]);

      // ClickHouse unreachable (nothing listens on port 1): every batch goes to the spool.
      const down: Counts = { stored: 0, spooled: 0, replayed: 0, setAside: 0 };
      const first = storage({ url: 'http://127.0.0.1:1' }, database, spoolDir, down);
      await first.start();
      for (const b of batches) await first.consume(b);
      await first.shutdown();
      expect(down).toMatchObject({ stored: 0, spooled: 800 });
      expect((await readdir(spoolDir)).filter((f) => f.endsWith('.batch'))).toHaveLength(4);

      // A collector on the same spool with ClickHouse there: it replays at start.
      const counts: Counts = { stored: 0, spooled: 0, replayed: 0, setAside: 0 };
      let settled!: () => void;
      const done = new Promise<void>((r) => (settled = r));
      const second = storage(embedded, database, spoolDir, counts, { replayMaxBytes, onSettled: () => counts.replayed + counts.setAside === 800 && settled() });
      await second.start();
      await done;

      const valid = batches.flat().filter((s) => s !== batches[1][77] && s !== batches[1][150]);
      expect(await storedSpanIds(database)).toEqual(ids(valid));
      expect(counts).toEqual({ stored: 798, spooled: 0, replayed: 798, setAside: 2 });
      expect(second.stats()).toMatchObject({ spooledBatches: 0, spooledBytes: 0, healthy: true });
      expect((await readdir(spoolDir)).filter((f) => f.endsWith('.batch'))).toEqual([]);
      const rejected = await rejectedFiles(spoolDir);
      expect(ids(rejected.spans)).toEqual(ids([batches[1][77], batches[1][150]]));
      expect(rejected.reasons).toHaveLength(1);
      expect(rejected.reasons[0]).toMatch(/2 of \d+ spans refused as bad data/);
      await second.shutdown();
    });
  }
});
