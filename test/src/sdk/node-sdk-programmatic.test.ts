/**
 * Programmatic use, as the README shows it: the app's own `NodeSDK` from @opentelemetry/sdk-node
 * with tokentrace's instrumentation in its list, after the HTTP instrumentations.
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
import { genAiSpans, httpChildren } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const exporter = new InMemorySpanExporter();
let emulator: ProviderEmulator;
let sdk: NodeSDK;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  const requestHook = (span: unknown) => redactSpanUrlAttributes(span as never, (span as { attributes?: Record<string, unknown> }).attributes);
  sdk = new NodeSDK({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    metricReaders: [],
    instrumentations: [
      new UndiciInstrumentation({ requestHook }),
      new HttpInstrumentation({ requestHook }),
      new TokentraceInstrumentation({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }], captureMessageContent: true }),
    ],
  });
  sdk.start();
});
afterAll(async () => {
  await sdk.shutdown();
  await emulator.close();
});

it('captures fetch and node:http calls with the HTTP spans nested under the GenAI spans', async () => {
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
  for (const span of [viaFetch, viaHttp]) {
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(httpChildren(spans, span)).toHaveLength(1);
  }
});
