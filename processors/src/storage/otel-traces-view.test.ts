// The otel_traces view on the real engine (embedded ClickHouse, chdb): spans written by the
// exporter, read in the layout of the OpenTelemetry Collector's ClickHouse exporter, with the
// queries Grafana's ClickHouse data source builds for that layout.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../exporter-helper/logger.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { createClickHouseExporter, type ClickHouseExporter } from './clickhouse-exporter.js';
import { OTEL_TRACES_VIEW } from './otel-traces-view.js';
import { dateTime64Text, NS_PER_SECOND, utcMidnightNs } from './testing/span-times.js';

const DB = 'tt_otel';
let root: string;
let client: ClickHouseClient;
let exporter: ClickHouseExporter;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-otel-view-'));
  const embedded = { url: '', dataDir: join(root, 'clickhouse') };
  client = createClickHouseClient(embedded);
  exporter = createClickHouseExporter({ ...embedded, database: DB }, { logger: silentLogger });
  await exporter.start();
});

afterAll(async () => {
  await exporter?.shutdown();
  await client?.close();
  await rm(root, { recursive: true, force: true });
});

async function rows<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

const START = utcMidnightNs(1) + 9n * 3600n * NS_PER_SECOND + 987_654_321n;
const TRACE = '5b8efff798038103d269b633813fc60c';

const root_: SpanRecord = {
  projectId: 'proj-otel', traceId: TRACE, spanId: 'eee19b7ec3c1b174', parentSpanId: '', name: 'POST /chat', kind: 2,
  startTimeUnixNano: START, endTimeUnixNano: START + 2_000_000_000n, statusCode: 1, statusMessage: '',
  attributes: { 'http.route': '/chat' }, resourceAttributes: { 'service.name': 'chat-api', 'deployment.environment.name': 'prod' },
  scopeName: '@opentelemetry/instrumentation-http', scopeVersion: '0.301.0', events: [],
};

const call: SpanRecord = {
  ...root_, spanId: 'eee19b7ec3c1b175', parentSpanId: 'eee19b7ec3c1b174', name: 'chat gpt-4o', kind: 3,
  startTimeUnixNano: START + 1_000n, endTimeUnixNano: START + 1_500_001_000n, statusCode: 2, statusMessage: 'rate limited',
  attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 },
  scopeName: '@tokentrace/instrumentation', scopeVersion: '0.1.0',
  events: [
    { name: 'gen_ai.content.prompt', timeUnixNano: START + 2_000n, attributes: { 'gen_ai.prompt': 'Hi' } },
    { name: 'exception', timeUnixNano: START + 1_500_000_000n, attributes: { 'exception.type': 'RateLimitError' } },
  ],
  genAi: { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', inputTokens: 12, outputTokens: 0, properties: {}, isModelCall: true },
  cost: { status: 'priced', totalUsd: 0.00003 },
};

describe('otel_traces', () => {
  it('has the columns of the OpenTelemetry Collector ClickHouse exporter\'s traces table, then ours', async () => {
    const columns = await rows<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = '${DB}' AND table = '${OTEL_TRACES_VIEW}' ORDER BY position`);
    expect(columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      "Timestamp DateTime64(9, 'UTC')", 'TraceId String', 'SpanId String', 'ParentSpanId String', 'TraceState String',
      'SpanName LowCardinality(String)', 'SpanKind String', 'ServiceName LowCardinality(String)',
      'ResourceAttributes Map(LowCardinality(String), String)', 'ScopeName LowCardinality(String)', 'ScopeVersion LowCardinality(String)',
      'SpanAttributes Map(LowCardinality(String), String)', 'Duration UInt64', 'StatusCode String', 'StatusMessage String',
      "Events.Timestamp Array(DateTime64(9, 'UTC'))", 'Events.Name Array(LowCardinality(String))', 'Events.Attributes Array(Map(LowCardinality(String), String))',
      'Links.TraceId Array(String)', 'Links.SpanId Array(String)', 'Links.TraceState Array(String)', 'Links.Attributes Array(Map(LowCardinality(String), String))',
      'ProjectId LowCardinality(String)', 'GenAiModel LowCardinality(String)', 'GenAiInputTokens Nullable(UInt64)', 'GenAiOutputTokens Nullable(UInt64)', 'CostUsd Nullable(Float64)',
    ]);
  });

  it('returns each span once in the exporter\'s layout, a batch inserted twice included', async () => {
    await client.command({ query: `SYSTEM STOP MERGES ${DB}.spans` });
    await exporter.consume([root_, call]);
    await exporter.consume([root_, call]); // a retried batch: stored twice
    expect(await rows(`SELECT count() AS n FROM ${DB}.spans`)).toEqual([{ n: '4' }]);
    expect(await rows(`SELECT count() AS n FROM ${DB}.${OTEL_TRACES_VIEW}`)).toEqual([{ n: '2' }]);

    const [span] = await rows(`SELECT * FROM ${DB}.${OTEL_TRACES_VIEW} WHERE SpanId = 'eee19b7ec3c1b175'`);
    expect(span).toEqual({
      Timestamp: dateTime64Text(START + 1_000n), TraceId: TRACE, SpanId: 'eee19b7ec3c1b175', ParentSpanId: 'eee19b7ec3c1b174', TraceState: '',
      SpanName: 'chat gpt-4o', SpanKind: 'Client', ServiceName: 'chat-api',
      ResourceAttributes: { 'service.name': 'chat-api', 'deployment.environment.name': 'prod' },
      ScopeName: '@tokentrace/instrumentation', ScopeVersion: '0.1.0',
      SpanAttributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': '12' },
      Duration: '1500000000', StatusCode: 'Error', StatusMessage: 'rate limited',
      'Events.Timestamp': [dateTime64Text(START + 2_000n), dateTime64Text(START + 1_500_000_000n)],
      'Events.Name': ['gen_ai.content.prompt', 'exception'],
      'Events.Attributes': [{ 'gen_ai.prompt': 'Hi' }, { 'exception.type': 'RateLimitError' }],
      'Links.TraceId': [], 'Links.SpanId': [], 'Links.TraceState': [], 'Links.Attributes': [],
      ProjectId: 'proj-otel', GenAiModel: 'gpt-4o', GenAiInputTokens: '12', GenAiOutputTokens: '0', CostUsd: 0.00003,
    });
    await client.command({ query: `SYSTEM START MERGES ${DB}.spans` });
  });

  it('spells every span kind and status code as the exporter does (pdata\'s names)', async () => {
    const spans = ([0, 1, 2, 3, 4, 5] as const).map((kind): SpanRecord => ({
      ...root_, traceId: 'a'.repeat(31) + kind, spanId: 'b'.repeat(15) + kind, kind, statusCode: (kind % 3) as 0 | 1 | 2,
    }));
    await exporter.consume(spans);
    expect(await rows(`SELECT SpanKind, StatusCode FROM ${DB}.${OTEL_TRACES_VIEW} WHERE TraceId LIKE 'aaaa%' ORDER BY SpanId`)).toEqual([
      { SpanKind: 'Unspecified', StatusCode: 'Unset' }, { SpanKind: 'Internal', StatusCode: 'Ok' }, { SpanKind: 'Server', StatusCode: 'Error' },
      { SpanKind: 'Client', StatusCode: 'Unset' }, { SpanKind: 'Producer', StatusCode: 'Ok' }, { SpanKind: 'Consumer', StatusCode: 'Error' },
    ]);
  });

  it('answers the queries Grafana\'s ClickHouse data source builds for OTel traces: the trace list and a trace\'s spans', async () => {
    await exporter.consume([root_, call]); // once more: still one row per span through the view
    // As the ClickHouse docs show them (Using Grafana: Traces, View trace details), with the time range filled in.
    const from = `fromUnixTimestamp64Nano(${START - 3600n * NS_PER_SECOND}, 'UTC')`;
    const to = `fromUnixTimestamp64Nano(${START + 3600n * NS_PER_SECOND}, 'UTC')`;
    const list = await rows(`SELECT "TraceId" as traceID, "ServiceName" as serviceName, "SpanName" as operationName, "Timestamp" as startTime,
        multiply("Duration", 0.000001) as duration
      FROM "${DB}"."${OTEL_TRACES_VIEW}"
      WHERE ( Timestamp >= ${from} AND Timestamp <= ${to} ) AND ( ParentSpanId = '' ) AND ( Duration > 0 ) AND TraceId = '${TRACE}'
      ORDER BY Timestamp DESC, Duration DESC LIMIT 1000`);
    expect(list).toEqual([{ traceID: TRACE, serviceName: 'chat-api', operationName: 'POST /chat', startTime: dateTime64Text(START), duration: 2000 }]);

    const detail = await rows(`WITH '${TRACE}' AS trace_id
      SELECT "TraceId" AS traceID, "SpanId" AS spanID, "ParentSpanId" AS parentSpanID, "ServiceName" AS serviceName, "SpanName" AS operationName,
        "Timestamp" AS startTime, multiply("Duration", 0.000001) AS duration,
        arrayMap(key -> map('key', key, 'value', "SpanAttributes"[key]), mapKeys("SpanAttributes")) AS tags,
        arrayMap(key -> map('key', key, 'value', "ResourceAttributes"[key]), mapKeys("ResourceAttributes")) AS serviceTags
      FROM "${DB}"."${OTEL_TRACES_VIEW}"
      WHERE traceID = trace_id AND startTime >= ${from} AND startTime <= ${to}
      ORDER BY spanID LIMIT 1000`);
    expect(detail).toEqual([
      {
        traceID: TRACE, spanID: 'eee19b7ec3c1b174', parentSpanID: '', serviceName: 'chat-api', operationName: 'POST /chat', startTime: dateTime64Text(START), duration: 2000,
        tags: [{ key: 'http.route', value: '/chat' }],
        serviceTags: [{ key: 'service.name', value: 'chat-api' }, { key: 'deployment.environment.name', value: 'prod' }],
      },
      {
        traceID: TRACE, spanID: 'eee19b7ec3c1b175', parentSpanID: 'eee19b7ec3c1b174', serviceName: 'chat-api', operationName: 'chat gpt-4o', startTime: dateTime64Text(START + 1_000n), duration: 1500,
        tags: [{ key: 'gen_ai.request.model', value: 'gpt-4o' }, { key: 'gen_ai.usage.input_tokens', value: '12' }],
        serviceTags: [{ key: 'service.name', value: 'chat-api' }, { key: 'deployment.environment.name', value: 'prod' }],
      },
    ]);
  });
});
