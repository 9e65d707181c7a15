/**
 * README: "If another GenAI instrumentation (OpenLLMetry, OpenInference) already traces the same
 * call, no second LLM span is emitted" — while agent, workflow and tool spans never suppress;
 * and the conventions' client metrics from the same capture: gen_ai.client.token.usage,
 * gen_ai.client.operation.duration and, for streams only, gen_ai.client.operation.time_to_first_chunk,
 * with the advised bucket boundaries and error.type on failed calls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { SpanKind, trace, type Attributes } from '@opentelemetry/api';
import type { DataPoint, Histogram, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { withAgent } from '@tokentrace/instrumentation';
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '@tokentrace/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans, httpChildren } from '../harness/span-assertions.js';
import { startAnthropicEmulator, startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const TOKENTRACE_SCOPE = '@tokentrace/instrumentation';
type HistogramDataPoint = DataPoint<Histogram>;
const harness = setupTracing({});
let openai: ProviderEmulator;
let anthropic: ProviderEmulator;
let refusedUrl: string;

beforeAll(async () => {
  openai = await startOpenAIEmulator({ firstChunkDelayMs: 0 });
  anthropic = await startAnthropicEmulator();
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: openai.url, provider: 'openai' },
      { baseUrl: anthropic.url, format: 'anthropic' },
      { baseUrl: refusedUrl, provider: 'openai' },
    ],
  });
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  openai.reset();
  anthropic.reset();
});

const TRACKING = { 'Helicone-User-Id': 'u-dup', 'Helicone-Property-Feature': 'dedupe', 'Tokentrace-Session-Id': 'sess-dup' };

function chatBody(model: string, extra: object = {}): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], ...extra });
}

async function fetchChat(model: string, extra: object = {}, headers: Record<string, string> = {}, base = openai.baseUrl): Promise<Response> {
  const res = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-dup', ...headers },
    body: chatBody(model, extra),
  });
  await res.arrayBuffer();
  return res;
}

function httpChat(model: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-dup', ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(chatBody(model));
  });
}

const fromTokentrace = (spans: readonly ReadableSpan[]) => spans.filter((s) => s.instrumentationScope.name === TOKENTRACE_SCOPE);
const GENERIC_HTTP_SCOPES = ['@opentelemetry/instrumentation-undici', '@opentelemetry/instrumentation-http'];
const httpClientSpans = (spans: readonly ReadableSpan[]) =>
  spans.filter((s) => s.kind === SpanKind.CLIENT && GENERIC_HTTP_SCOPES.includes(s.instrumentationScope.name));

function expectTrackingHeadersStripped(): void {
  const headers = openai.lastRequest!.request.headers;
  expect(Object.keys(headers).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
}

describe('another GenAI instrumentation already traces the call', () => {
  const transports: Array<[string, (model: string, headers: Record<string, string>) => Promise<unknown>]> = [
    ['fetch', (model, headers) => fetchChat(model, {}, headers)],
    ['node:http', (model, headers) => httpChat(model, headers)],
  ];

  /** Runs `call` inside an active span of another tracer, ended once the call returned, as SDK wrappers do. */
  async function insideForeignSpan(tracerName: string, name: string, attributes: Attributes, call: () => Promise<unknown>): Promise<ReadableSpan> {
    await trace.getTracer(tracerName).startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        await call();
      } finally {
        span.end();
      }
    });
    const spans = await harness.waitForSpans((s) => s.some((x) => x.name === name) && httpClientSpans(s).length === 1);
    await new Promise((r) => setTimeout(r, 30)); // a span of ours would have ended by now
    expect(fromTokentrace(harness.spans()).map((s) => s.name)).toEqual([]); // no second LLM span
    const foreign = spans.find((x) => x.name === name)!;
    expect(httpChildren(spans, foreign)).toHaveLength(1); // the HTTP span sits under the other instrumentation's span
    return foreign;
  }

  describe.each(transports)('%s', (transport, call) => {
    it('an OpenLLMetry span (gen_ai.system, llm.request.type) is active: no second span; it gets the attributes it lacks, never overwritten; headers stripped; metrics recorded', async () => {
      const model = `dup-openllmetry-${transport}`;
      openai.enqueue({ text: 'x', inputTokens: 21, outputTokens: 4 });
      const foreign = await insideForeignSpan('openllmetry', 'openai.chat',
        { 'gen_ai.system': 'openai', 'llm.request.type': 'chat', 'gen_ai.request.model': 'as-openllmetry-saw-it' },
        () => call(model, TRACKING));
      expect(foreign.attributes).toMatchObject({
        'gen_ai.system': 'openai',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'as-openllmetry-saw-it', // its own value stays
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': `${model}-2024-07-18`,
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 4,
        'gen_ai.response.finish_reasons': ['stop'],
        'user.id': 'u-dup',
        'tokentrace.property.feature': 'dedupe',
        'tokentrace.session.id': 'sess-dup',
      });
      expect(foreign.name).toBe('openai.chat');
      expect(foreign.status.code).toBe(0);
      expectTrackingHeadersStripped();
      const [duration, ...more] = pointsFor(await harness.collectMetrics(), METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name, model);
      expect(more).toEqual([]);
      expect(duration.value.count).toBe(1);
    });

    it('an OpenInference LLM span (openinference.span.kind LLM) is active: no second span', async () => {
      const model = `dup-openinference-${transport}`;
      const foreign = await insideForeignSpan('@arizeai/openinference-instrumentation-openai', 'OpenAI Chat Completions',
        { 'openinference.span.kind': 'LLM', 'llm.system': 'openai', 'llm.provider': 'openai', 'llm.model_name': model },
        () => call(model, TRACKING));
      expect(foreign.attributes['openinference.span.kind']).toBe('LLM');
      expectTrackingHeadersStripped();
    });

    it('a span with gen_ai.operation.name chat from another tracer is active: no second span', async () => {
      const model = `dup-semconv-${transport}`;
      const foreign = await insideForeignSpan('some-sdk', `chat ${model}`,
        { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model },
        () => call(model, {}));
      expect(foreign.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    });

    it('an invoke_agent span (ours or another framework\'s) does not suppress', async () => {
      const model = `agent-${transport}`;
      await withAgent({ name: 'planner', provider: 'openai' }, () => call(model, {}));
      await trace.getTracer('agents-framework').startActiveSpan('invoke_agent writer', {
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.agent.name': 'writer' },
      }, async (span) => {
        try {
          await call(`${model}-2`, {});
        } finally {
          span.end();
        }
      });
      const spans = await harness.waitForSpans((s) => s.filter((x) => x.name.startsWith('chat ')).length === 2);
      const first = spans.find((s) => s.name === `chat ${model}`)!;
      const second = spans.find((s) => s.name === `chat ${model}-2`)!;
      expect(first.parentSpanContext?.spanId).toBe(spans.find((s) => s.name === 'invoke_agent planner')!.spanContext().spanId);
      expect(second.parentSpanContext?.spanId).toBe(spans.find((s) => s.name === 'invoke_agent writer')!.spanContext().spanId);
      expect(fromTokentrace([first, second])).toHaveLength(2);
      expect(spans.find((s) => s.name === 'invoke_agent writer')!.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    });
  });

  // The owner ends its span as soon as the app has the body: fetch hands it over once its own
  // gunzip is done, node:http on the 'end' event right after the last chunk. Completion on a
  // borrowed span therefore never waits for anything, compressed bodies included.
  it.each(transports)('a gzip response under an OpenLLMetry span (%s): the usage still reaches that span before its owner ends it', async (transport, call) => {
    const model = `dup-gzip-${transport}`;
    openai.enqueue({ text: 'compressed', inputTokens: 33, outputTokens: 5, gzip: true });
    const foreign = await insideForeignSpan('openllmetry', 'openai.chat', { 'gen_ai.system': 'openai' }, () => call(model, { 'accept-encoding': 'gzip' }));
    expect(openai.lastRequest!.response.headers['content-encoding']).toBe('gzip');
    expect(foreign.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 33, 'gen_ai.usage.output_tokens': 5 });
  });

  it('suppression ends with the other span: the next call gets its own span', async () => {
    await trace.getTracer('openllmetry').startActiveSpan('openai.chat', { attributes: { 'gen_ai.system': 'openai' } }, async (span) => {
      await fetchChat('dup-before');
      span.end();
    });
    await fetchChat('dup-after');
    const spans = await harness.waitForSpans((s) => fromTokentrace(s).length === 1);
    expect(fromTokentrace(spans).map((s) => s.name)).toEqual(['chat dup-after']);
  });

  it('the Anthropic SDK, which traces its own calls: exactly one GenAI span (the SDK\'s), with the tracking attributes; headers stripped', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-dup', baseURL: anthropic.baseUrl, maxRetries: 0 });
    anthropic.enqueue({ text: 'Only once.', inputTokens: 10, outputTokens: 3 });
    await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] }, { headers: TRACKING });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1 && httpClientSpans(s).length === 1);
    await new Promise((r) => setTimeout(r, 30));
    const llmSpans = genAiSpans(harness.spans());
    expect(llmSpans).toHaveLength(1);
    expect(llmSpans[0].instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
    expect(llmSpans[0].attributes).toMatchObject({ 'user.id': 'u-dup', 'tokentrace.property.feature': 'dedupe', 'gen_ai.usage.output_tokens': 3 });
    expect(httpChildren(spans, llmSpans[0])).toHaveLength(1);
    const headers = anthropic.lastRequest!.request.headers;
    expect(Object.keys(headers).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Metrics

function metric(resourceMetrics: ResourceMetrics, name: string): MetricData | undefined {
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === TOKENTRACE_SCOPE);
  return scope?.metrics.find((m) => m.descriptor.name === name);
}

/** The histogram points of `name` whose gen_ai.request.model is `model`. */
function pointsFor(resourceMetrics: ResourceMetrics, name: string, model: string): Array<HistogramDataPoint> {
  const data = metric(resourceMetrics, name);
  if (!data) return [];
  return (data.dataPoints as HistogramDataPoint[]).filter((p) => p.attributes['gen_ai.request.model'] === model);
}

/** The attributes every point of a call to `model` carries; `responseModel: null` for calls without a response. */
function baseAttributes(model: string, responseModel: string | null = `${model}-2024-07-18`): Attributes {
  const attrs: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': openai.port,
  };
  if (responseModel) attrs['gen_ai.response.model'] = responseModel;
  return attrs;
}

describe('metrics', () => {
  it('gen_ai.client.token.usage: one input and one output point, exact sums, the conventions attributes', async () => {
    const model = 'metrics-json';
    openai.enqueue({ text: 'a', inputTokens: 120, outputTokens: 40 }, { text: 'b', inputTokens: 30, outputTokens: 2 });
    await fetchChat(model);
    await httpChat(model);
    await harness.waitForSpans((s) => genAiSpans(s).length === 2);
    const collected = await harness.collectMetrics();
    const points = pointsFor(collected, METRIC_GEN_AI_CLIENT_TOKEN_USAGE.name, model);
    expect(points).toHaveLength(2);
    const input = points.find((p) => p.attributes['gen_ai.token.type'] === 'input')!;
    const output = points.find((p) => p.attributes['gen_ai.token.type'] === 'output')!;
    expect(input.attributes).toEqual({ ...baseAttributes(model), 'gen_ai.token.type': 'input' });
    expect(output.attributes).toEqual({ ...baseAttributes(model), 'gen_ai.token.type': 'output' });
    expect(input.value).toMatchObject({ count: 2, sum: 150, min: 30, max: 120 });
    expect(output.value).toMatchObject({ count: 2, sum: 42, min: 2, max: 40 });

    const usage = metric(collected, METRIC_GEN_AI_CLIENT_TOKEN_USAGE.name)!;
    expect(usage.descriptor).toMatchObject({ unit: '{token}', description: METRIC_GEN_AI_CLIENT_TOKEN_USAGE.description });
    expect(input.value.buckets.boundaries).toEqual([...METRIC_GEN_AI_CLIENT_TOKEN_USAGE.buckets]);
    // 120 and 30 tokens: one in (64, 256], one in (16, 64].
    expect(input.value.buckets.counts[METRIC_GEN_AI_CLIENT_TOKEN_USAGE.buckets.indexOf(256)]).toBe(1);
    expect(input.value.buckets.counts[METRIC_GEN_AI_CLIENT_TOKEN_USAGE.buckets.indexOf(64)]).toBe(1);
  });

  it('gen_ai.client.operation.duration: one point per call, the conventions buckets; no time to first chunk for a JSON reply', async () => {
    const model = 'metrics-duration';
    openai.enqueue({ firstChunkDelayMs: 50, inputTokens: 3, outputTokens: 3 });
    const started = performance.now();
    await fetchChat(model);
    const elapsed = (performance.now() - started) / 1000;
    await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const collected = await harness.collectMetrics();
    const [point, ...more] = pointsFor(collected, METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name, model);
    expect(more).toEqual([]);
    expect(point.attributes).toEqual(baseAttributes(model));
    expect(point.value.count).toBe(1);
    expect(point.value.sum).toBeGreaterThanOrEqual(0.05);
    expect(point.value.sum).toBeLessThanOrEqual(elapsed);
    expect(point.value.buckets.boundaries).toEqual([...METRIC_GEN_AI_CLIENT_OPERATION_DURATION.buckets]);
    expect(metric(collected, METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name)!.descriptor.unit).toBe('s');
    expect(pointsFor(collected, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK.name, model)).toEqual([]);
  });

  it('gen_ai.client.operation.time_to_first_chunk: for a stream, one point with the conventions buckets', async () => {
    const model = 'metrics-stream';
    openai.enqueue({ text: 'one two three', inputTokens: 7, outputTokens: 3, firstChunkDelayMs: 60, chunkDelayMs: 20 });
    await fetchChat(model, { stream: true, stream_options: { include_usage: true } });
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    const collected = await harness.collectMetrics();
    const [ttfc, ...more] = pointsFor(collected, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK.name, model);
    expect(more).toEqual([]);
    expect(ttfc.attributes).toEqual(baseAttributes(model));
    expect(ttfc.value.count).toBe(1);
    expect(ttfc.value.sum).toBe(span.attributes['gen_ai.response.time_to_first_chunk']);
    expect(ttfc.value.sum).toBeGreaterThanOrEqual(0.055);
    expect(ttfc.value.buckets.boundaries).toEqual([...METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK.buckets]);
    expect(metric(collected, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK.name)!.descriptor.unit).toBe('s');
    const [duration] = pointsFor(collected, METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name, model);
    expect(duration.value.sum).toBeGreaterThan(ttfc.value.sum!);
    const usage = pointsFor(collected, METRIC_GEN_AI_CLIENT_TOKEN_USAGE.name, model);
    expect(usage.map((p) => [p.attributes['gen_ai.token.type'], p.value.sum]).sort()).toEqual([['input', 7], ['output', 3]]);
  });

  it('a failed call: error.type on its duration point, no token usage', async () => {
    const model = 'metrics-429';
    openai.enqueue({ status: 429, error: { message: 'Slow down' } });
    const res = await fetchChat(model);
    expect(res.status).toBe(429);
    await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const collected = await harness.collectMetrics();
    const [point, ...more] = pointsFor(collected, METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name, model);
    expect(more).toEqual([]);
    expect(point.attributes).toEqual({ ...baseAttributes(model, null), 'error.type': '429' });
    expect(point.value.count).toBe(1);
    expect(pointsFor(collected, METRIC_GEN_AI_CLIENT_TOKEN_USAGE.name, model)).toEqual([]);
  });

  it('a call that never reached a server: error.type ECONNREFUSED on its duration point', async () => {
    const err = await fetchChat('metrics-refused', {}, {}, `${refusedUrl}/v1`).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const collected = await harness.collectMetrics();
    const port = Number(new URL(refusedUrl).port);
    // Found by port: fetch hands undici its body as a stream that is never read when the
    // connection fails, so the request model may be unknown here.
    const points = (metric(collected, METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name)!.dataPoints as HistogramDataPoint[])
      .filter((p) => p.attributes['server.port'] === port);
    expect(points).toHaveLength(1);
    expect(points[0].attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'server.address': '127.0.0.1',
      'server.port': port,
      'error.type': 'ECONNREFUSED',
    });
    expect(points[0].attributes['gen_ai.response.model']).toBeUndefined();
    expect(points[0].value.count).toBe(1);
    expect(metric(collected, METRIC_GEN_AI_CLIENT_TOKEN_USAGE.name)!.dataPoints.filter((p) => p.attributes['server.port'] === port)).toEqual([]);
  });
});
