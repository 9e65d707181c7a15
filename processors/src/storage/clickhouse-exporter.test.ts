// Against the real engine: embedded ClickHouse (chdb) on a folder of this test file.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseHttpServer } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../exporter-helper/logger.js';
import { DataError, isPermanent, PermanentError } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { ClickHouseRefusedError, ClickHouseUnavailableError, createClickHouseExporter } from './clickhouse-exporter.js';
import { appliedVersions, ensureSchema } from './schema.js';
import { SPAN_COLUMNS } from './span-row.js';

let root: string;
/** The embedded engine, on a folder of this test file. */
let embedded: { url: string; dataDir: string };
let client: ClickHouseClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-ch-exporter-'));
  embedded = { url: '', dataDir: join(root, 'clickhouse') };
  client = createClickHouseClient(embedded);
});

afterAll(async () => {
  await client?.close();
  await rm(root, { recursive: true, force: true });
});

async function rows<T>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

const llmSpan: SpanRecord = {
  projectId: 'proj-a',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '00f067aa0ba902b7',
  name: 'chat gpt-4o',
  kind: 3,
  startTimeUnixNano: 1_717_243_200_123_456_789n,
  endTimeUnixNano: 1_717_243_201_623_456_789n,
  statusCode: 2,
  statusMessage: "rate limited: it's \\ busy",
  attributes: { 'gen_ai.request.model': 'gpt-4o', 'app.big': 2n ** 63n - 1n, 'app.list': ['a', 1, true] },
  resourceAttributes: { 'service.name': 'checkout', 'deployment.environment.name': 'prod' },
  scopeName: '@tokentrace/instrumentation',
  scopeVersion: '0.1.0',
  events: [{ name: 'gen_ai.content.prompt', timeUnixNano: 1_717_243_200_200_000_000n, attributes: { 'gen_ai.prompt': 'Hi' } }],
  genAi: {
    provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06',
    inputTokens: 1200, outputTokens: 300, cacheReadInputTokens: 1000, cacheCreationInputTokens: 0, reasoningOutputTokens: 64,
    timeToFirstChunk: 0.42, userId: 'user-7', sessionId: 'sess-1', sessionName: 'analyze', sessionPath: '/analyze/extract', promptId: 'p-12',
    errorType: 'rate_limit', properties: { Feature: 'chat', Tier: 'pro' }, isModelCall: true,
  },
  cost: { inputUsd: 0.0005, outputUsd: 0.003, cacheReadUsd: 0.00125, cacheWriteUsd: 0, totalUsd: 0.00475, status: 'priced', pricedModel: 'openai:gpt-4o-2024-08-06' },
  session: { id: 'sess-1', name: 'analyze', path: '/analyze/extract', parentPath: '/analyze', depth: 2 },
};

const plainSpan: SpanRecord = {
  ...llmSpan, spanId: 'c000000000000001', parentSpanId: '', name: 'GET /', kind: 2, statusCode: 0, statusMessage: '',
  attributes: {}, events: [], genAi: undefined, cost: undefined, session: undefined,
};

describe('ClickHouse schema', () => {
  it('is created at start-up and running it again is a no-op', async () => {
    expect(await ensureSchema(client, 'tt_schema')).toEqual({ applied: [1, 2], version: 2 });
    expect(await ensureSchema(client, 'tt_schema')).toEqual({ applied: [], version: 2 });
    expect(await appliedVersions(client, 'tt_schema')).toEqual([1, 2]);
    expect(await rows(`SELECT count() AS n FROM tt_schema.schema_migrations`)).toEqual([{ n: '2' }]);
    const tables = await rows<{ name: string; engine: string; sorting_key: string; partition_key: string }>(
      `SELECT name, engine, sorting_key, partition_key FROM system.tables WHERE database = 'tt_schema' ORDER BY name`,
    );
    expect(tables.map((t) => t.name)).toEqual([
      'request_rollup_builds', 'request_rollups', 'requests', 'requests_mv', 'schema_migrations', 'session_index', 'session_index_mv', 'spans', 'trace_index', 'trace_index_mv',
    ]);
    expect(tables.find((t) => t.name === 'spans')).toMatchObject({ engine: 'ReplacingMergeTree', sorting_key: 'project_id, date, trace_id, span_id', partition_key: 'toYYYYMM(date)' });
    const columns = await rows<{ name: string }>(`SELECT name FROM system.columns WHERE database = 'tt_schema' AND table = 'spans'`);
    expect(columns.map((c) => c.name)).toEqual([...SPAN_COLUMNS]);
  });
});

describe('ClickHouseExporter', () => {
  it('stores a batch with exact typed values', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_values' }, { logger: silentLogger });
    await exporter.start();
    await exporter.consume([llmSpan, plainSpan]);
    await exporter.shutdown();

    const stored = await rows<Record<string, unknown>>(`SELECT * FROM tt_values.spans FINAL ORDER BY span_id`);
    expect(stored).toHaveLength(2);
    const { version, ...llm } = stored[0];
    expect(Number(version)).toBeGreaterThan(Date.now() * 1000 - 60e6);
    expect(llm).toEqual({
      project_id: 'proj-a', date: '2024-06-01', start_time: '2024-06-01 12:00:00', start_time_ns: '1717243200123456789', duration_ns: '1500000000',
      trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', parent_span_id: '00f067aa0ba902b7',
      service_name: 'checkout', environment: 'prod', name: 'chat gpt-4o', kind: 'client', status_code: 'error', status_message: "rate limited: it's \\ busy",
      scope_name: '@tokentrace/instrumentation', scope_version: '0.1.0', is_model_call: 1, provider: 'openai', operation: 'chat',
      request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06',
      input_tokens: '1200', output_tokens: '300', cache_read_tokens: '1000', cache_creation_tokens: '0', reasoning_tokens: '64',
      cost_input_usd: 0.0005, cost_output_usd: 0.003, cost_cache_read_usd: 0.00125, cost_cache_write_usd: 0, cost_total_usd: 0.00475,
      cost_status: 'priced', priced_model: 'openai:gpt-4o-2024-08-06', ttft_seconds: 0.42,
      user_id: 'user-7', session_id: 'sess-1', session_name: 'analyze', session_path: '/analyze/extract', session_parent_path: '/analyze', session_depth: 2,
      prompt_id: 'p-12', error_type: 'rate_limit', property_keys: ['Feature', 'Tier'], property_values: ['chat', 'pro'],
      attributes: '{"gen_ai.request.model":"gpt-4o","app.big":"9223372036854775807","app.list":["a",1,true]}',
      resource_attributes: '{"service.name":"checkout","deployment.environment.name":"prod"}',
      events: '[{"name":"gen_ai.content.prompt","time_unix_nano":"1717243200200000000","attributes":{"gen_ai.prompt":"Hi"}}]',
    });
    expect(stored[1]).toMatchObject({ span_id: 'c000000000000001', kind: 'server', status_code: 'unset', is_model_call: 0, input_tokens: null, cost_total_usd: null, cost_status: '', session_id: '', property_keys: [] });

    // Typed columns answer typed questions: a property lookup, sums (NULL when nothing is known, not 0), the time indexes.
    expect(await rows(`SELECT property_values[indexOf(property_keys, 'Feature')] AS feature, sum(cost_total_usd) AS cost, sum(input_tokens) AS input FROM tt_values.spans FINAL WHERE project_id = 'proj-a' GROUP BY feature ORDER BY feature`))
      .toEqual([{ feature: '', cost: null, input: null }, { feature: 'chat', cost: 0.00475, input: '1200' }]);
    expect(await rows(`SELECT toString(minMerge(first_start)) AS first, toString(maxMerge(last_start)) AS last FROM tt_values.session_index WHERE project_id = 'proj-a' AND session_id = 'sess-1'`))
      .toEqual([{ first: '2024-06-01 12:00:00', last: '2024-06-01 12:00:00' }]);
    expect(await rows(`SELECT count() AS n FROM tt_values.trace_index WHERE project_id = 'proj-a' AND trace_id = '${llmSpan.traceId}'`)).toEqual([{ n: '1' }]);
  });

  it('a batch inserted twice is one span in a de-duplicating query before merges, and one row after OPTIMIZE FINAL', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_dedup' }, { logger: silentLogger });
    await exporter.start();
    await client.command({ query: 'SYSTEM STOP MERGES tt_dedup.spans' });
    const batch = Array.from({ length: 50 }, (_, i) => ({ ...llmSpan, spanId: i.toString(16).padStart(16, '0') }));
    await exporter.consume(batch);
    // The same spans again, re-priced: the newer row must win.
    await exporter.consume(batch.map((s) => ({ ...s, cost: { ...s.cost!, totalUsd: 0.01 } })));

    expect(await rows(`SELECT count() AS n FROM tt_dedup.spans`)).toEqual([{ n: '100' }]); // both copies are there
    expect(await rows(`SELECT count() AS n, round(sum(cost_total_usd), 9) AS cost FROM tt_dedup.spans FINAL`)).toEqual([{ n: '50', cost: 0.5 }]);
    expect(await rows(`SELECT count() AS n, round(sum(cost), 9) AS cost FROM (SELECT argMax(cost_total_usd, version) AS cost FROM tt_dedup.spans GROUP BY project_id, trace_id, span_id)`))
      .toEqual([{ n: '50', cost: 0.5 }]);

    await client.command({ query: 'SYSTEM START MERGES tt_dedup.spans' });
    await client.command({ query: 'OPTIMIZE TABLE tt_dedup.spans FINAL' });
    expect(await rows(`SELECT count() AS n, round(sum(cost_total_usd), 9) AS cost FROM tt_dedup.spans`)).toEqual([{ n: '50', cost: 0.5 }]);
    await exporter.shutdown();
  });

  it('marks refused content a DataError, an unreachable server retryable, refused credentials fatal at start and retryable for inserts', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_errors' }, { logger: silentLogger });
    await exporter.start();
    // Issue 10: a lone surrogate in a string column, which JSON.stringify writes as an escape ClickHouse refuses.
    const surrogate = await exporter.consume([{ ...plainSpan, name: 'chat \ud800' }]).catch((e: unknown) => e);
    expect(surrogate).toBeInstanceOf(DataError);
    expect((surrogate as Error).message).toMatch(/CANNOT_PARSE_ESCAPE_SEQUENCE/);
    await exporter.shutdown();

    const nowhere = createClickHouseExporter({ url: 'http://127.0.0.1:1', database: 'tt_errors' }, { logger: silentLogger });
    await expect(nowhere.start()).resolves.toBeUndefined(); // the collector still starts; batches will spool
    await expect(nowhere.consume([plainSpan])).rejects.toBeInstanceOf(ClickHouseUnavailableError);
    await nowhere.shutdown();

    // A server that knows user `default` with a password, as a real deployment does.
    const server = await ClickHouseHttpServer.start({ dataDir: embedded.dataDir, username: 'default', password: 'secret' });
    const stranger = createClickHouseExporter({ url: server.url, username: 'nobody', database: 'tt_errors' }, { logger: silentLogger });
    const atStart = await stranger.start().catch((e: unknown) => e);
    expect(atStart).toBeInstanceOf(PermanentError);
    expect(atStart).not.toBeInstanceOf(DataError);
    expect((atStart as Error).message).toMatch(/AUTHENTICATION_FAILED/);
    // The same refusal for an insert is not the spans' fault: retryable, so the spool keeps them.
    const atInsert = await stranger.consume([plainSpan]).catch((e: unknown) => e);
    expect(atInsert).toBeInstanceOf(ClickHouseRefusedError);
    expect(isPermanent(atInsert)).toBe(false);
    await stranger.shutdown();
    const noSchema = createClickHouseExporter({ url: server.url, username: 'nobody', database: 'tt_errors', createSchema: false }, { logger: silentLogger });
    const insertOnly = await noSchema.consume([plainSpan]).catch((e: unknown) => e);
    expect(insertOnly).toBeInstanceOf(ClickHouseRefusedError);
    expect(insertOnly).toMatchObject({ reason: 'AUTHENTICATION_FAILED', serverCode: 516, retryable: true });
    await noSchema.shutdown();
    await server.stop();
  });

  it('stores nothing of a batch with a span that cannot become a row, and says it is bad data', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_abort' }, { logger: silentLogger });
    await exporter.start();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const spans = Array.from({ length: 3000 }, (_, i): SpanRecord => ({ ...plainSpan, spanId: (i + 1).toString(16).padStart(16, '0') }));
    spans.push({ ...plainSpan, spanId: 'ffffffffffffffff', attributes: { cyclic: cyclic as never } });
    const failure = await exporter.consume(spans).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DataError);
    expect((failure as Error).message).toMatch(/cannot be converted to rows/);
    await exporter.consume(spans.slice(0, 3000));
    expect(await rows(`SELECT count() AS n FROM tt_abort.spans`)).toEqual([{ n: '3000' }]);
    await exporter.shutdown();
  });

  it('names the key of a bad setting', () => {
    expect(() => createClickHouseExporter({ database: 'drop table' })).toThrow(/invalid database/);
    expect(() => createClickHouseExporter({ url: 'localhost:8123' })).toThrow(/invalid url/);
  });
});
