/**
 * OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental (issue 12): the latest experimental
 * GenAI names of semantic-conventions-genai instead of v1.41.0's, and not both: cache writes as
 * gen_ai.usage.cache_write.input_tokens, gen_ai.client.inference.* metrics for model calls and
 * gen_ai.client.embeddings.* for embeddings. Set before the instrumentation reads its config.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startProviderEmulators, type ProviderEmulators } from '../provider-emulator/index.js';

process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http,gen_ai_latest_experimental';
const harness = setupTracing({});
let emulators: ProviderEmulators;

beforeAll(async () => {
  emulators = await startProviderEmulators();
});
afterAll(async () => {
  await emulators.close();
  await harness.shutdown();
  delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
});

it('latest experimental names on spans and metrics, none of the v1.41.0 ones', async () => {
  emulators.anthropic.enqueue({ text: 'Cached.', inputTokens: 1000, cachedInputTokens: 600, cacheCreationInputTokens: 300, outputTokens: 5 });
  const anthropic = new Anthropic({ apiKey: 'k', baseURL: emulators.anthropic.baseUrl, maxRetries: 0, openTelemetry: false } as never);
  await anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
  await new OpenAI({ apiKey: 'k', baseURL: emulators.openai.baseUrl, maxRetries: 0 }).embeddings.create({ model: 'text-embedding-3-small', input: 'x' });

  const spans = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 2));
  const chat = spans.find((s) => s.attributes['gen_ai.operation.name'] === 'chat')!;
  expect(chat.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 600, 'gen_ai.usage.cache_write.input_tokens': 300 });
  expect(chat.attributes['gen_ai.usage.cache_creation.input_tokens']).toBeUndefined();

  const { scopeMetrics } = await harness.collectMetrics();
  const points = new Map<string, number>();
  for (const m of scopeMetrics.flatMap((s) => s.metrics)) {
    points.set(m.descriptor.name, m.dataPoints.length);
  }
  expect(points.get('gen_ai.client.inference.duration')).toBe(1);
  expect(points.get('gen_ai.client.embeddings.duration')).toBe(1);
  expect(points.get('gen_ai.client.inference.operation.input_tokens')).toBe(1);
  expect(points.get('gen_ai.client.inference.usage.cache_write.input_tokens')).toBe(1);
  expect(points.get('gen_ai.client.embeddings.operation.input_tokens')).toBe(1);
  for (const old of ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage']) expect(points.get(old) ?? 0).toBe(0);
});
