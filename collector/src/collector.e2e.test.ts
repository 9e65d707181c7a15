/**
 * The whole path, as users run it: an app under `node --import @tokentrace/instrumentation/register`
 * exports OTLP/protobuf to the collector, which starts its own ClickHouse; the spans end up as
 * rows with typed GenAI columns and a cost.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClickHouseClient } from '@tokentrace/processors';
import { OtlpReceiver, startOpenAIEmulator, type ProviderEmulator } from '@tokentrace/test';
import { Metadata } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from './collector.js';
import type { CollectorConfig } from './config/collector-config.js';
import { testCollectorConfig } from './config/testing/test-collector-config.js';

const run = promisify(execFile);
const testPackage = fileURLToPath(new URL('../../test/', import.meta.url));

let collector: Collector;
let emulator: ProviderEmulator;
let forwardTarget: OtlpReceiver;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-collector-'));
  const config: CollectorConfig = { ...testCollectorConfig(dir, { grpc: true }), apiKeys: { 'key-default': 'default', 'key-team-a': 'team-a', 'key-team-b': 'team-b' } };
  forwardTarget = await OtlpReceiver.start();
  config.forward = { endpoint: forwardTarget.url, headers: {} };
  [collector, emulator] = await Promise.all([Collector.start(config, { log: () => undefined }), startOpenAIEmulator()]);
}, 60_000);
afterAll(async () => {
  await emulator?.close();
  await collector?.shutdown();
  await forwardTarget?.close();
}, 60_000);

describe('collector end to end', () => {
  it('stores the spans of an instrumented app as priced rows in ClickHouse', async () => {
    emulator.setDefaultReply({ text: 'Hello!', inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400 });
    const env = {
      PATH: process.env.PATH ?? '',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.http.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer key-default',
      OTEL_SERVICE_NAME: 'e2e-collector-app',
      OTEL_METRICS_EXPORTER: 'none',
      TOKENTRACE_ENDPOINTS: `openai=${emulator.url}`,
      APP_OPENAI_BASE_URL: emulator.baseUrl,
    };
    await run(process.execPath, ['--import', '@tokentrace/instrumentation/register', join(testPackage, 'fixtures/esm-openai-app.mjs')], { env, cwd: testPackage });

    const client = createClickHouseClient(collector.clickhouse);
    try {
      const query = `SELECT project_id, service_name, name, provider, request_model, response_model, input_tokens, output_tokens,
          cache_read_tokens, cost_status, cost_total_usd, cost_input_usd, cost_output_usd, user_id, properties, model
        FROM tokentrace.spans FINAL WHERE is_model_call = 1 ORDER BY start_time_ns`;
      let rows: Record<string, unknown>[] = [];
      for (let i = 0; i < 100 && rows.length < 2; i++) {
        rows = await (await client.query({ query, format: 'JSONEachRow' })).json();
        if (rows.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        project_id: 'default',
        service_name: 'e2e-collector-app',
        name: 'chat gpt-4o-mini',
        provider: 'openai',
        request_model: 'gpt-4o-mini',
        response_model: 'gpt-4o-mini-2024-07-18',
        cost_status: 'priced',
        user_id: 'esm-user',
        properties: { app: 'e2e' },
        model: 'gpt-4o-mini-2024-07-18',
      });
      // UInt64 columns come back as JSON strings (ClickHouse quotes 64-bit integers by default).
      expect([rows[0].input_tokens, rows[0].output_tokens, rows[0].cache_read_tokens].map(Number)).toEqual([1000, 200, 400]);
      // gpt-4o-mini: $0.15 / $0.60 per million, cached input at $0.075.
      expect(Number(rows[0].cost_input_usd)).toBeCloseTo((600 * 0.15 + 400 * 0.075) / 1e6, 12);
      expect(Number(rows[0].cost_output_usd)).toBeCloseTo((200 * 0.6) / 1e6, 12);
      expect(Number(rows[0].cost_total_usd)).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 200 * 0.6) / 1e6, 12);
      const httpSpans = await (await client.query({ query: 'SELECT count() AS n FROM tokentrace.spans FINAL WHERE is_model_call = 0', format: 'JSONEachRow' })).json<{ n: string | number }>();
      expect(Number(httpSpans[0].n)).toBe(0); // one span per call: no generic HTTP span under a GenAI span (httpSpans off)
    } finally {
      await client.close();
    }
    // Rows are visible once the insert commits, a moment before the exporter counts them: the counter may trail briefly.
    let health = await (await fetch(`${collector.http.url}/health`)).json();
    for (let i = 0; i < 50 && health.counters.spans_stored < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      health = await (await fetch(`${collector.http.url}/health`)).json();
    }
    expect(health.counters.spans_received).toBeGreaterThanOrEqual(2);
    expect(health.counters.spans_stored).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('takes OTLP/JSON and OTLP/gRPC too, scopes rows to the project of the API key, and forwards with the cost', async () => {
    const send = async (exporter: SpanExporter, model: string) => {
      const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': `svc-${model}` }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
      const span = provider.getTracer('manual').startSpan(`chat ${model}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 1_000_000 },
      });
      span.end();
      await provider.shutdown();
    };
    await send(new JsonExporter({ url: `${collector.http.url}/v1/traces`, headers: { 'x-api-key': 'key-team-a' } }), 'gpt-4o');
    const metadata = new Metadata();
    metadata.set('authorization', 'Bearer key-team-b');
    await send(new GrpcExporter({ url: `http://127.0.0.1:${collector.grpc!.port}`, metadata }), 'gpt-4o-mini');
    const unauthorized = await fetch(`${collector.http.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthorized.status).toBe(401);

    const client = createClickHouseClient(collector.clickhouse);
    try {
      const query = `SELECT project_id, service_name, request_model, cost_total_usd FROM tokentrace.spans FINAL WHERE project_id IN ('team-a', 'team-b') ORDER BY project_id`;
      let rows: Record<string, unknown>[] = [];
      for (let i = 0; i < 100 && rows.length < 2; i++) {
        rows = await (await client.query({ query, format: 'JSONEachRow' })).json();
        if (rows.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows.map((r) => [r.project_id, r.service_name, r.request_model])).toEqual([
        ['team-a', 'svc-gpt-4o', 'gpt-4o'],
        ['team-b', 'svc-gpt-4o-mini', 'gpt-4o-mini'],
      ]);
      // One million tokens each way: gpt-4o $2.50 + $10, gpt-4o-mini $0.15 + $0.60.
      expect(Number(rows[0].cost_total_usd)).toBeCloseTo(12.5, 9);
      expect(Number(rows[1].cost_total_usd)).toBeCloseTo(0.75, 9);
    } finally {
      await client.close();
    }
    const [forwarded] = await forwardTarget.waitForSpans((s) => s.name === 'chat gpt-4o');
    expect(forwarded.attributes['tokentrace.cost.total_usd']).toBeCloseTo(12.5, 9);
    expect(forwarded.attributes['tokentrace.cost.status']).toBe('priced');
  }, 60_000);
});
