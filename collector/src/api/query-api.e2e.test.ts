/**
 * The query API as users reach it: a real collector (with its own ClickHouse) receives spans from
 * the OpenTelemetry SDK over OTLP/HTTP, prices and stores them; the trace then reads back through
 * GET /api/v1/traces/{id} on the same port, and through the `tokentrace tree` binary.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../collector.js';
import type { CollectorConfig } from '../config/collector-config.js';
import { testCollectorConfig } from '../config/testing/test-collector-config.js';
import type { SpanTree } from '../queries/query-model.js';

const binary = fileURLToPath(new URL('../../dist/cli/tokentrace.js', import.meta.url));
let collector: Collector;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-query-e2e-'));
  const config: CollectorConfig = { ...testCollectorConfig(dir), apiKeys: { 'key-e2e': 'team-e2e', 'key-other': 'team-other' } };
  collector = await Collector.start(config, { log: () => undefined });
}, 60_000);
afterAll(async () => {
  await collector?.shutdown();
}, 60_000);

/** An agent with two model calls (one failing) and a tool, exported by the SDK; returns the trace id. */
async function sendAgentTrace(): Promise<string> {
  const exporter = new OTLPTraceExporter({ url: `${collector.http.url}/v1/traces`, headers: { 'x-api-key': 'key-e2e' } });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'support-bot' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('e2e');
  // Explicit times: the SDK's clock may put two spans started in a row in either order (its time
  // origin is re-anchored per span, to the millisecond), and the tree orders siblings by start.
  const t0 = Date.now() - 10_000;
  const at = (ms: number) => new Date(t0 + ms);
  const agent = tracer.startSpan('invoke_agent support', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'user.id': 'u-42' }, startTime: at(0) }, ROOT_CONTEXT);
  const inAgent = trace.setSpan(ROOT_CONTEXT, agent);
  const chat = (model: string, input: number, output: number, start: Date) =>
    tracer.startSpan(`chat ${model}`, {
      kind: SpanKind.CLIENT,
      startTime: start,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, 'user.id': 'u-42' },
    }, inAgent);
  const first = chat('gpt-4o', 1000, 500, at(10));
  first.end(at(500));
  const tool = tracer.startSpan('execute_tool lookup_order', { attributes: { 'gen_ai.operation.name': 'execute_tool' }, startTime: at(600) }, inAgent);
  tool.end(at(700));
  const failed = chat('gpt-4o-mini', 2000, 100, at(800));
  failed.setAttribute('error.type', 'timeout');
  failed.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
  failed.end(at(1800));
  agent.end(at(2000));
  await provider.shutdown();
  return agent.spanContext().traceId;
}

describe('query API on the collector', () => {
  it('reads back the tree of a trace sent with the OpenTelemetry SDK, priced and scoped to the key', async () => {
    const traceId = await sendAgentTrace();
    const url = `${collector.http.url}/api/v1/traces/${traceId}`;
    let tree: SpanTree | undefined;
    for (let i = 0; i < 100; i++) {
      const response = await fetch(url, { headers: { authorization: 'Bearer key-e2e' } });
      if (response.status === 200) tree = (await response.json()) as SpanTree;
      if (tree?.totals.spans === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(tree?.totals).toMatchObject({ spans: 4, modelCalls: 2, errors: 1, inputTokens: 3000, outputTokens: 600 });
    // gpt-4o: $2.50 / $10 per million; gpt-4o-mini: $0.15 / $0.60.
    expect(tree!.totals.costUsd).toBeCloseTo((1000 * 2.5 + 500 * 10 + 2000 * 0.15 + 100 * 0.6) / 1e6, 12);
    expect(tree!.roots).toHaveLength(1);
    expect(tree!.roots[0].children.map((c) => [c.name, c.status, c.costUsd === null])).toEqual([
      ['chat gpt-4o', 'unset', false],
      ['execute_tool lookup_order', 'unset', true],
      ['chat gpt-4o-mini', 'error', false],
    ]);

    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'x-api-key': 'key-other' } })).status).toBe(404);

    const { stdout } = await promisify(execFile)(process.execPath, [binary, 'tree', traceId, '--url', collector.http.url], { env: { PATH: process.env.PATH ?? '', TOKENTRACE_API_KEY: 'key-e2e' } });
    expect(stdout).toContain('└─ ✗ chat gpt-4o-mini');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('4 spans · 2 model calls · 1 error');
  }, 60_000);
});
