// Against the real engine: embedded ClickHouse (chdb) on a folder of this test file.
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
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
import { READ_SETTINGS } from './span-reads.js';
import { SPAN_INSERT_COLUMNS, SPAN_TABLE_COLUMNS } from './span-table.js';
import { dateTime64Text, NS_PER_SECOND, utcDay, utcMidnightNs } from './testing/span-times.js';

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

async function rows<T>(query: string, settings: ClickHouseSettings = {}): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow', clickhouse_settings: settings })).json<T>();
}

/** Two days ago, 12:00:00.123456789 UTC: inside any retention, and with nanoseconds a double would lose. */
const START = utcMidnightNs(2) + 12n * 3600n * NS_PER_SECOND + 123_456_789n;
const EVENT = START + 76_543_211n;

const llmSpan: SpanRecord = {
  projectId: 'proj-a',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '00f067aa0ba902b7',
  name: 'chat gpt-4o',
  kind: 3,
  startTimeUnixNano: START,
  endTimeUnixNano: START + 1_500_000_000n,
  statusCode: 2,
  statusMessage: "rate limited: it's \\ busy",
  attributes: { 'gen_ai.request.model': 'gpt-4o', 'app.big': 2n ** 63n - 1n, 'app.list': ['a', 1, true], 'app.ratio': 0.5, 'app.ok': true },
  resourceAttributes: { 'service.name': 'checkout', 'deployment.environment.name': 'prod' },
  scopeName: '@tokentrace/instrumentation',
  scopeVersion: '0.1.0',
  events: [{ name: 'gen_ai.content.prompt', timeUnixNano: EVENT, attributes: { 'gen_ai.prompt': 'Hi', 'app.n': 3 } }],
  genAi: {
    provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06',
    inputTokens: 1200, outputTokens: 300, cacheReadInputTokens: 1000, cacheCreationInputTokens: 0, reasoningOutputTokens: 64,
    timeToFirstChunk: 0.42, userId: 'user-7', sessionId: 'sess-1', sessionName: 'analyze', sessionPath: '/analyze/extract', promptId: 'p-12',
    errorType: 'rate_limit', resendCount: 1, properties: { Feature: 'chat', Tier: 'pro' }, isModelCall: true,
  },
  cost: { inputUsd: 0.0005, outputUsd: 0.003, cacheReadUsd: 0.00125, cacheWriteUsd: 0, totalUsd: 0.00475, status: 'priced', pricedModel: 'openai:gpt-4o-2024-08-06' },
  session: { id: 'sess-1', name: 'analyze', path: '/analyze/extract', parentPath: '/analyze', depth: 2 },
};

const plainSpan: SpanRecord = {
  ...llmSpan, spanId: 'c000000000000001', parentSpanId: '', name: 'GET /', kind: 2, statusCode: 0, statusMessage: '',
  attributes: {}, events: [], genAi: undefined, cost: undefined, session: undefined,
};

describe('ClickHouse schema v3', () => {
  it('is created at start-up (migrations 3, 4, 7, 8 and 9) and running it again is a no-op', async () => {
    expect(await ensureSchema(client, 'tt_schema')).toEqual({ applied: [3, 4, 7, 8, 9], version: 9 });
    expect(await ensureSchema(client, 'tt_schema')).toEqual({ applied: [], version: 9 });
    expect(await appliedVersions(client, 'tt_schema')).toEqual([3, 4, 7, 8, 9]);
    expect(await rows(`SELECT count() AS n FROM tt_schema.schema_migrations`)).toEqual([{ n: '5' }]);

    const tables = await rows<{ name: string; engine: string; sorting_key: string; partition_key: string; engine_full: string }>(
      `SELECT name, engine, sorting_key, partition_key, engine_full FROM system.tables WHERE database = 'tt_schema' ORDER BY name`,
    );
    expect(tables.map((t) => [t.name, t.engine])).toEqual([
      ['alert_events', 'MergeTree'],
      ['alert_rules', 'ReplacingMergeTree'],
      ['dirty_hours', 'ReplacingMergeTree'],
      ['dirty_hours_mv', 'MaterializedView'],
      ['otel_traces', 'View'],
      ['schema_migrations', 'MergeTree'],
      ['spans', 'ReplacingMergeTree'],
      ['usage_rollup', 'ReplacingMergeTree'],
      ['usage_rollup_builds', 'ReplacingMergeTree'],
    ]);
    const spans = tables.find((t) => t.name === 'spans')!;
    expect(spans).toMatchObject({ sorting_key: 'project_id, is_model_call, toStartOfHour(start_time), trace_id, span_id', partition_key: 'toDate(start_time)' });
    expect(spans.engine_full).toMatch(/^ReplacingMergeTree\(version\) PARTITION BY toDate\(start_time\) /);
    expect(spans.engine_full).toContain('TTL toDateTime(start_time) + toIntervalDay(400) SETTINGS');
    for (const setting of ['min_age_to_force_merge_seconds = 600', 'min_age_to_force_merge_on_partition_only = 1', 'ttl_only_drop_parts = 1', 'materialize_ttl_recalculate_only = 1']) {
      expect(spans.engine_full).toContain(setting);
    }

    // Every column of span-table.ts, in its order, with its type, computed kind and codec, as the engine keeps them.
    const columns = await rows<{ name: string; type: string; default_kind: string; default_expression: string; compression_codec: string }>(
      `SELECT name, type, default_kind, default_expression, compression_codec FROM system.columns WHERE database = 'tt_schema' AND table = 'spans' ORDER BY position`,
    );
    expect(columns.map((c) => c.name)).toEqual(SPAN_TABLE_COLUMNS.map((c) => c.name));
    expect(columns.map((c) => c.type)).toEqual(SPAN_TABLE_COLUMNS.map((c) => c.type));
    expect(columns.filter((c) => c.default_kind !== '').map((c) => `${c.name} ${c.default_kind} ${c.default_expression}`)).toEqual([
      'start_time_ns ALIAS toUnixTimestamp64Nano(start_time)',
      'date ALIAS toDate(start_time)',
      "model MATERIALIZED if(response_model != '', response_model, request_model)",
    ]);
    const byName = new Map(columns.map((c) => [c.name, c]));
    expect(byName.get('start_time')).toMatchObject({ type: "DateTime64(9, 'UTC')", compression_codec: 'CODEC(Delta(8), ZSTD(1))' });
    expect(byName.get('attributes')).toMatchObject({ type: 'Map(LowCardinality(String), String)', compression_codec: 'CODEC(ZSTD(1))' });
    expect(byName.get('events.time')?.type).toBe("Array(DateTime64(9, 'UTC'))");
    expect(byName.get('events.attributes')?.type).toBe('Array(Map(LowCardinality(String), String))');
    expect(byName.get('service_name')?.type).toBe('LowCardinality(String)');
    expect(byName.get('kind')?.type).toBe("Enum8('unspecified' = 0, 'internal' = 1, 'server' = 2, 'client' = 3, 'producer' = 4, 'consumer' = 5)");
    expect(SPAN_INSERT_COLUMNS).not.toContain('model');
    expect(SPAN_INSERT_COLUMNS).not.toContain('start_time_ns');

    expect(await rows(`SELECT name, type, expr FROM system.data_skipping_indices WHERE database = 'tt_schema' AND table = 'spans' ORDER BY name`)).toEqual([
      { name: 'session_id_bloom', type: 'bloom_filter', expr: 'session_id' },
      { name: 'trace_id_bloom', type: 'bloom_filter', expr: 'trace_id' },
      { name: 'user_id_bloom', type: 'bloom_filter', expr: 'user_id' },
    ]);
  });
});

describe('ClickHouseExporter', () => {
  it('stores a batch with exact typed values: maps, events, nanosecond times, computed columns', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_values' }, { logger: silentLogger });
    await exporter.start();
    await exporter.consume([llmSpan, plainSpan]);
    await exporter.shutdown();

    const stored = await rows<Record<string, unknown>>(`SELECT *, start_time_ns, date, model FROM tt_values.spans FINAL ORDER BY span_id`);
    expect(stored).toHaveLength(2);
    const { version, ...llm } = stored[0];
    expect(Number(version)).toBeGreaterThan(Date.now() * 1000 - 60e6);
    expect(llm).toEqual({
      project_id: 'proj-a', start_time: dateTime64Text(START), start_time_ns: START.toString(), date: utcDay(START), duration_ns: '1500000000',
      trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', parent_span_id: '00f067aa0ba902b7',
      service_name: 'checkout', environment: 'prod', name: 'chat gpt-4o', kind: 'client', status_code: 'error', status_message: "rate limited: it's \\ busy",
      scope_name: '@tokentrace/instrumentation', scope_version: '0.1.0', is_model_call: 1, provider: 'openai', operation: 'chat',
      request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06', model: 'gpt-4o-2024-08-06',
      input_tokens: '1200', output_tokens: '300', cache_read_tokens: '1000', cache_creation_tokens: '0', reasoning_tokens: '64',
      cost_input_usd: 0.0005, cost_output_usd: 0.003, cost_cache_read_usd: 0.00125, cost_cache_write_usd: 0, cost_total_usd: 0.00475, cost_saved_usd: null,
      cost_status: 'priced', priced_model: 'openai:gpt-4o-2024-08-06', ttft_seconds: 0.42,
      user_id: 'user-7', session_id: 'sess-1', session_name: 'analyze', session_path: '/analyze/extract', session_parent_path: '/analyze', session_depth: 2,
      prompt_id: 'p-12', error_type: 'rate_limit', resend_count: 1,
      properties: { feature: 'chat', tier: 'pro' }, // keys lower-cased on write
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'app.big': '9223372036854775807', 'app.list': '["a",1,true]', 'app.ratio': '0.5', 'app.ok': 'true' },
      resource_attributes: { 'service.name': 'checkout', 'deployment.environment.name': 'prod' },
      'events.time': [dateTime64Text(EVENT)], 'events.name': ['gen_ai.content.prompt'], 'events.attributes': [{ 'gen_ai.prompt': 'Hi', 'app.n': '3' }],
    });
    expect(stored[1]).toMatchObject({
      span_id: 'c000000000000001', kind: 'server', status_code: 'unset', is_model_call: 0, model: '', input_tokens: null, cost_total_usd: null, cost_status: '',
      session_id: '', properties: {}, attributes: {}, 'events.time': [], 'events.name': [], 'events.attributes': [],
    });

    // Typed columns answer typed questions: a property lookup, sums (NULL when nothing is known, not 0), exact times.
    expect(await rows(`SELECT properties['feature'] AS feature, sum(cost_total_usd) AS cost, sum(input_tokens) AS input FROM tt_values.spans FINAL WHERE project_id = 'proj-a' GROUP BY feature ORDER BY feature`))
      .toEqual([{ feature: '', cost: null, input: null }, { feature: 'chat', cost: 0.00475, input: '1200' }]);
    expect(await rows(`SELECT toString(toUnixTimestamp64Nano(events.time[1])) AS event_ns, attributes['app.big'] AS big, events.attributes[1]['gen_ai.prompt'] AS prompt FROM tt_values.spans FINAL WHERE span_id = 'b7ad6b7169203331'`))
      .toEqual([{ event_ns: EVENT.toString(), big: '9223372036854775807', prompt: 'Hi' }]);
  });

  it('stores times before 1973 (an unset start, an event at 5 ns) exactly instead of refusing the span', async () => {
    // `<seconds>.<ns>` with fewer than 10 digits of seconds was refused (CANNOT_PARSE_DATETIME) under
    // date_time_input_format = 'best_effort', ClickHouse's default since 26.5: the span was set aside.
    // Kept forever here, so that the TTL does not drop 1970 as soon as it is written.
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_epoch', retentionDays: 0 }, { logger: silentLogger });
    await exporter.start();
    const epoch: SpanRecord = { ...plainSpan, startTimeUnixNano: 0n, endTimeUnixNano: 7n, events: [{ name: 'e', timeUnixNano: 5n, attributes: {} }] };
    const early: SpanRecord = { ...plainSpan, spanId: 'c000000000000002', startTimeUnixNano: 99_999_999n * NS_PER_SECOND + 1n, endTimeUnixNano: 100_000_000n * NS_PER_SECOND };
    await exporter.consume([epoch, early]);
    await exporter.shutdown();
    expect(await rows(`SELECT span_id, toString(start_time) AS start, toString(start_time_ns) AS ns, duration_ns, arrayMap(t -> toString(t), events.time) AS events FROM tt_epoch.spans FINAL ORDER BY span_id`)).toEqual([
      { span_id: 'c000000000000001', start: '1970-01-01 00:00:00.000000000', ns: '0', duration_ns: '7', events: ['1970-01-01 00:00:00.000000005'] },
      { span_id: 'c000000000000002', start: '1973-03-03 09:46:39.000000001', ns: '99999999000000001', duration_ns: '999999999', events: [] },
    ]);
  });

  it('a batch inserted twice is one span in a FINAL query before merges, and one row after OPTIMIZE FINAL', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_dedup' }, { logger: silentLogger });
    await exporter.start();
    await client.command({ query: 'SYSTEM STOP MERGES tt_dedup.spans' });
    // Two days, so that FINAL de-duplicates within each partition (the read settings never merge across them).
    const batch = Array.from({ length: 50 }, (_, i): SpanRecord => ({
      ...llmSpan,
      spanId: i.toString(16).padStart(16, '0'),
      startTimeUnixNano: START - BigInt(i % 2) * 86_400n * NS_PER_SECOND,
      endTimeUnixNano: START - BigInt(i % 2) * 86_400n * NS_PER_SECOND + 1_000n,
    }));
    await exporter.consume(batch);
    // The same spans again, re-priced: the newer row must win.
    await exporter.consume(batch.map((s) => ({ ...s, cost: { ...s.cost!, totalUsd: 0.01 } })));

    expect(await rows(`SELECT count() AS n, uniqExact(partition) AS days FROM system.parts WHERE database = 'tt_dedup' AND table = 'spans' AND active`)).toEqual([{ n: '4', days: '2' }]);
    expect(await rows(`SELECT count() AS n FROM tt_dedup.spans`)).toEqual([{ n: '100' }]); // both copies are there
    const deduplicated = `SELECT count() AS n, round(sum(cost_total_usd), 9) AS cost FROM tt_dedup.spans FINAL`;
    expect(await rows(deduplicated)).toEqual([{ n: '50', cost: 0.5 }]);
    expect(await rows(deduplicated, READ_SETTINGS)).toEqual([{ n: '50', cost: 0.5 }]);
    expect(await rows(`${deduplicated} WHERE trace_id = '${llmSpan.traceId}' AND project_id = 'proj-a'`, READ_SETTINGS)).toEqual([{ n: '50', cost: 0.5 }]); // through the bloom filter

    await client.command({ query: 'SYSTEM START MERGES tt_dedup.spans' });
    await client.command({ query: 'OPTIMIZE TABLE tt_dedup.spans FINAL' });
    expect(await rows(`SELECT count() AS n, round(sum(cost_total_usd), 9) AS cost FROM tt_dedup.spans`)).toEqual([{ n: '50', cost: 0.5 }]);
    expect(await rows(`SELECT count() AS n FROM system.parts WHERE database = 'tt_dedup' AND table = 'spans' AND active`)).toEqual([{ n: '2' }]); // one part per day
    await exporter.shutdown();
  });

  it('marks refused content a DataError, an unreachable server retryable, refused credentials fatal at start and retryable for inserts', async () => {
    const exporter = createClickHouseExporter({ ...embedded, database: 'tt_errors' }, { logger: silentLogger });
    await exporter.start();
    // Issue 10: a lone surrogate in a string column has no UTF-8 form: the RowBinary encoder refuses the span
    // (on a server the batch goes as JSON, whose escape for it ClickHouse refuses with code 25).
    const surrogate = await exporter.consume([{ ...plainSpan, name: 'chat \ud800' }]).catch((e: unknown) => e);
    expect(surrogate).toBeInstanceOf(DataError);
    expect((surrogate as Error).message).toMatch(/lone UTF-16 surrogate/);
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
    expect(() => createClickHouseExporter({ retentionDays: -1 })).toThrow(/invalid retentionDays/);
  });
});
