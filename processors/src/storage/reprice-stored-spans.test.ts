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
import { DEFAULT_CLICKHOUSE_EXPORTER_CONFIG } from './config.js';
import { repriceStoredSpans } from './reprice-stored-spans.js';

let dir: string;
/** The embedded engine, on a folder of this test file. */
let embedded: { url: string; dataDir: string };
let client: ClickHouseClient;
const DB = 'reprice_test';

function modelSpan(i: number, model: string): SpanRecord {
  return {
    projectId: 'p1', traceId: 'a'.repeat(31) + String(i), spanId: 'b'.repeat(15) + String(i), parentSpanId: '', name: `chat ${model}`, kind: 3,
    startTimeUnixNano: 1_760_000_000_000_000_000n, endTimeUnixNano: 1_760_000_001_000_000_000n, statusCode: 0, statusMessage: '',
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'acme', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 2_000_000, 'gen_ai.usage.output_tokens': 1_000_000 },
    resourceAttributes: { 'service.name': 'svc' }, scopeName: 's', scopeVersion: '1', events: [],
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

describe('repriceStoredSpans', () => {
  it('prices stored spans of a model that the new price file knows, once per span', async () => {
    const spans = [modelSpan(1, 'acme-large'), modelSpan(2, 'acme-large')];
    createNormalizeProcessor().process(spans);
    createPricingProcessor().process(spans);
    expect(spans[0].cost?.status).toBe('unknown_model');
    const exporter = createClickHouseExporter({ ...embedded, database: DB }, { logger: silentLogger });
    await exporter.start();
    await exporter.consume(spans);
    await exporter.shutdown();

    const priceFile = join(dir, 'prices.json');
    await writeFile(priceFile, JSON.stringify({ models: [{ id: 'acme-large', provider: 'acme', input_mtok: 2, output_mtok: 8 }] }));
    const result = await repriceStoredSpans(client, DB, createPricingProcessor({ priceFile }), { projectId: 'p1', since: '2025-01-01' });
    expect(result).toEqual({ scanned: 2, changed: 2 });

    const rows = await (await client.query({ query: `SELECT span_id, cost_status, cost_input_usd, cost_output_usd, cost_total_usd FROM ${DB}.spans FINAL ORDER BY span_id`, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatchObject({ cost_status: 'priced', cost_input_usd: 4, cost_output_usd: 8, cost_total_usd: 12 });
    // Nothing changes the second time.
    expect(await repriceStoredSpans(client, DB, createPricingProcessor({ priceFile }))).toEqual({ scanned: 2, changed: 0 });
  }, 60_000);
});
