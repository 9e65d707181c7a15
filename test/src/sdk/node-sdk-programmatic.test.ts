/**
 * Programmatic use, as the README shows it: the app's own `NodeSDK` from @opentelemetry/sdk-node
 * with tokentrace's instrumentation in its list, after the HTTP instrumentations. By default the
 * GenAI span is each call's only client span (the app's HTTP instrumentations make none under it,
 * without any hook of tokentrace's); with `httpSpans` their spans nest under the GenAI spans.
 */
import { SpanKind } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { redactSpanUrlAttributes, TokentraceInstrumentation } from '@tokentrace/instrumentation';
import axios from 'axios';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { genAiSpans, httpChildren, traceparentOf } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const exporter = new InMemorySpanExporter();
let emulator: ProviderEmulator;
let sdk: NodeSDK;
let tokentrace: TokentraceInstrumentation;
const config = () => ({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }], captureMessageContent: true });

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  const requestHook = (span: unknown) => redactSpanUrlAttributes(span as never, (span as { attributes?: Record<string, unknown> }).attributes);
  sdk = new NodeSDK({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    metricReaders: [],
    instrumentations: [
      new UndiciInstrumentation({ requestHook }),
      new HttpInstrumentation({ requestHook }),
      // Constructed last: it wraps what the HTTP instrumentation patched.
      (tokentrace = new TokentraceInstrumentation(config())),
    ],
  });
  sdk.start();
});
afterAll(async () => {
  await sdk.shutdown();
  await emulator.close();
});

/** One call with the openai SDK (fetch), one with axios (node:http); their GenAI spans, fetch's first. */
async function twoCalls() {
  exporter.reset();
  emulator.reset();
  emulator.enqueue({ text: 'Hi from fetch', inputTokens: 11, outputTokens: 4 }, { text: 'Hi from axios', inputTokens: 12, outputTokens: 5 });
  const client = new OpenAI({ apiKey: 'sk-programmatic-000000000000', baseURL: emulator.baseUrl, maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fetch?' }] });
  await axios.post(
    `${emulator.baseUrl}/chat/completions`,
    { model: 'gpt-4o', messages: [{ role: 'user', content: 'axios?' }] },
    { headers: { authorization: 'Bearer sk-programmatic-000000000000' } },
  );
  await expect.poll(() => genAiSpans(exporter.getFinishedSpans()).length).toBe(2);
  const spans = exporter.getFinishedSpans();
  const [viaFetch, viaHttp] = genAiSpans(spans).sort((a, b) => (a.name < b.name ? 1 : -1));
  expect(viaFetch.name).toBe('chat gpt-4o-mini');
  expect(viaHttp.name).toBe('chat gpt-4o');
  expect(viaFetch.attributes['gen_ai.usage.input_tokens']).toBe(11);
  expect(viaHttp.attributes['gen_ai.usage.output_tokens']).toBe(5);
  expect(JSON.parse(viaHttp.attributes['gen_ai.output.messages'] as string)[0].parts[0].content).toBe('Hi from axios');
  for (const span of [viaFetch, viaHttp]) expect(span.kind).toBe(SpanKind.CLIENT);
  return { spans, viaFetch, viaHttp };
}

it('captures fetch and node:http calls, each GenAI span the only client span, its trace context sent', async () => {
  const { spans, viaFetch, viaHttp } = await twoCalls();
  expect(spans.filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(2);
  expect(emulator.requests.map((r) => r.request.headers.traceparent)).toEqual([traceparentOf(viaFetch), traceparentOf(viaHttp)]);
});

it('httpSpans: true: the HTTP spans nested under the GenAI spans', async () => {
  tokentrace.setConfig({ ...config(), httpSpans: true });
  try {
    const { viaFetch, viaHttp } = await twoCalls();
    await expect.poll(() => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT).length).toBe(4);
    for (const span of [viaFetch, viaHttp]) expect(httpChildren(exporter.getFinishedSpans(), span)).toHaveLength(1);
  } finally {
    tokentrace.setConfig(config());
  }
});
