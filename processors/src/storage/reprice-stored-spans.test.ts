import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../exporter-helper/logger.js';
import { createNormalizeProcessor } from '../normalization/normalize-processor.js';
import { createPricingProcessor } from '../pricing/pricing-processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { createClickHouseExporter } from './clickhouse-exporter.js';
import { repriceStoredSpans } from './reprice-stored-spans.js';
import { NS_PER_SECOND, utcDay, utcMidnightNs } from './testing/span-times.js';

let dir: string;
/** The embedded engine, on a folder of this test file. */
let embedded: { url: string; dataDir: string };
let client: ClickHouseClient;
const DB = 'reprice_test';
/** Three days ago, with nanoseconds: a re-priced row must keep its start exactly (it is part of the key). */
const START = utcMidnightNs(3) + 10n * 3600n * NS_PER_SECOND + 123_456_789n;

function modelSpan(i: number, model: string, start = START): SpanRecord {
  return {
    projectId: 'p1', traceId: 'a'.repeat(31) + String(i), spanId: 'b'.repeat(15) + String(i), parentSpanId: '', name: `chat ${model}`, kind: 3,
    startTimeUnixNano: start, endTimeUnixNano: start + 1_000_000_000n, statusCode: 0, statusMessage: '',
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'acme', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 2_000_000, 'gen_ai.usage.output_tokens': 1_000_000, 'app.Big': 2n ** 63n - 1n },
    resourceAttributes: { 'service.name': 'svc' }, scopeName: 's', scopeVersion: '1',
    events: [{ name: 'gen_ai.choice', timeUnixNano: start + 5n, attributes: { index: 0 } }],
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tt-reprice-'));
  embedded = { url: '', dataDir: join(dir, 'clickhouse') };
  client = createClickHouseClient(embedded);
}, 60_000);
afterAll(async () => {
  await client?.close();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

async function rows(query: string): Promise<Array<Record<string, unknown>>> {
  return (await client.query({ query, format: 'JSONEachRow' })).json();
}

const COST_COLUMNS = ['cost_status', 'priced_model', 'cost_input_usd', 'cost_output_usd', 'cost_cache_read_usd', 'cost_cache_write_usd', 'cost_total_usd', 'version'];
const withoutCost = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).filter(([k]) => !COST_COLUMNS.includes(k)));

describe('repriceStoredSpans', () => {
  it('prices stored spans of a model that the new price file knows, once per span, and keeps every other column as it was', async () => {
    // Two spans of the day, and one four days before `since`, which is left alone.
    const spans = [modelSpan(1, 'acme-large'), modelSpan(2, 'acme-large'), modelSpan(3, 'acme-large', utcMidnightNs(7))];
    createNormalizeProcessor().process(spans);
    createPricingProcessor().process(spans);
    expect(spans[0].cost?.status).toBe('unknown_model');
    const exporter = createClickHouseExporter({ ...embedded, database: DB }, { logger: silentLogger });
    await exporter.start();
    await exporter.consume(spans);
    await exporter.shutdown();
    const all = `SELECT *, toString(start_time_ns) AS ns, model FROM ${DB}.spans FINAL ORDER BY span_id`;
    const before = await rows(all);

    const priceFile = join(dir, 'prices.json');
    await writeFile(priceFile, JSON.stringify({ models: [{ id: 'acme-large', provider: 'acme', input_mtok: 2, output_mtok: 8 }] }));
    const result = await repriceStoredSpans(client, DB, createPricingProcessor({ priceFile }), { projectId: 'p1', since: utcDay(START) });
    expect(result).toEqual({ scanned: 2, changed: 2 });

    const after = await rows(all);
    expect(after).toHaveLength(3);
    for (const row of after.slice(0, 2)) expect(row).toMatchObject({ cost_status: 'priced', cost_input_usd: 4, cost_output_usd: 8, cost_total_usd: 12 });
    expect(after[2]).toMatchObject({ cost_status: 'unknown_model', cost_total_usd: null });
    // Maps, events, nanosecond times, tokens: the new version differs in its cost only.
    expect(after.map(withoutCost)).toEqual(before.map(withoutCost));
    expect(after[0]).toMatchObject({ ns: START.toString(), attributes: { 'app.Big': '9223372036854775807' }, 'events.attributes': [{ index: '0' }] });
    expect(Number(after[0].version)).toBeGreaterThan(Number(before[0].version));

    // Nothing changes the second time; without `since` the older span is priced too.
    expect(await repriceStoredSpans(client, DB, createPricingProcessor({ priceFile }), { since: utcDay(START) })).toEqual({ scanned: 2, changed: 0 });
    expect(await repriceStoredSpans(client, DB, createPricingProcessor({ priceFile }), { pageSize: 1 })).toEqual({ scanned: 3, changed: 1 });
    expect(await rows(`SELECT count() AS n, sum(cost_total_usd) AS usd FROM ${DB}.spans FINAL`)).toEqual([{ n: '3', usd: 36 }]);
  }, 60_000);

  it('re-prices a span that started before 1973 (its start written back with 10-digit seconds)', async () => {
    const db = 'reprice_epoch';
    const spans = [modelSpan(4, 'acme-large', 5n * NS_PER_SECOND + 7n)];
    createNormalizeProcessor().process(spans);
    createPricingProcessor().process(spans);
    const exporter = createClickHouseExporter({ ...embedded, database: db, retentionDays: 0 }, { logger: silentLogger });
    await exporter.start();
    await exporter.consume(spans);
    await exporter.shutdown();
    const priceFile = join(dir, 'prices-epoch.json');
    await writeFile(priceFile, JSON.stringify({ models: [{ id: 'acme-large', provider: 'acme', input_mtok: 1, output_mtok: 1 }] }));
    expect(await repriceStoredSpans(client, db, createPricingProcessor({ priceFile }))).toEqual({ scanned: 1, changed: 1 });
    expect(await rows(`SELECT toString(start_time) AS start, cost_total_usd FROM ${db}.spans FINAL`)).toEqual([{ start: '1970-01-01 00:00:05.000000007', cost_total_usd: 3 }]);
  }, 60_000);
});
