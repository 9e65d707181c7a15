/**
 * Expected USD are computed here from published list prices (USD per million tokens), which the
 * bundled genai-prices 0.1.8 data carries; a data change that alters a price fails these tests.
 */
import { describe, expect, it } from 'vitest';
import { NormalizeProcessor } from '../normalization/normalize-processor.js';
import type { CostFields, GenAiFields, SpanRecord } from '../pipeline/span-record.js';
import { parsePriceFile } from './price-file.js';
import { PricingProcessor } from './pricing-processor.js';

const JAN_2025 = '2025-01-15T12:00:00Z';

function span(genAi: Partial<GenAiFields>, at = JAN_2025, attributes: SpanRecord['attributes'] = {}, name = 'chat'): SpanRecord {
  return {
    projectId: 'default',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name,
    kind: 3,
    startTimeUnixNano: BigInt(Date.parse(at)) * 1_000_000n,
    endTimeUnixNano: BigInt(Date.parse(at) + 1000) * 1_000_000n,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resourceAttributes: {},
    scopeName: 'test',
    scopeVersion: '0',
    events: [],
    ...(Object.keys(genAi).length > 0 && { genAi: { properties: {}, isModelCall: true, ...genAi } }),
  };
}

/** tokens × USD per million. */
const usd = (tokens: number, perMillion: number): number => (tokens * perMillion) / 1_000_000;

function expectCost(cost: CostFields | undefined, expected: Required<Omit<CostFields, 'status'>>): void {
  expect(cost?.status).toBe('priced');
  expect(cost?.pricedModel).toBe(expected.pricedModel);
  for (const key of ['inputUsd', 'outputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'totalUsd'] as const) {
    expect(cost?.[key], key).toBeCloseTo(expected[key], 12);
  }
}

const pricing = new PricingProcessor();
const price = (s: SpanRecord): CostFields | undefined => pricing.process([s])[0]?.cost;

describe('PricingProcessor: catalog models', () => {
  it('prices a dated OpenAI snapshot with cached input at the cache rate, never twice', () => {
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output.
    const cost = price(span({ provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 10_000, cacheReadInputTokens: 8_000, outputTokens: 500 }));
    const input = usd(2_000, 2.5) + usd(8_000, 1.25);
    expectCost(cost, { pricedModel: 'openai:gpt-4o', inputUsd: input, outputUsd: usd(500, 10), cacheReadUsd: usd(8_000, 1.25), cacheWriteUsd: 0, totalUsd: input + usd(500, 10) });
  });

  it('keeps a snapshot with its own price, and strips an unlisted snapshot date', () => {
    expect(price(span({ provider: 'openai', responseModel: 'gpt-4o-2024-05-13', inputTokens: 1_000_000, outputTokens: 0 }))).toMatchObject({ pricedModel: 'openai:gpt-4o-2024-05-13', totalUsd: 5 });
    expect(price(span({ provider: 'openai', responseModel: 'gpt-4o-mini-2099-01-01', inputTokens: 1_000_000, outputTokens: 1_000_000 }))).toMatchObject({ pricedModel: 'openai:gpt-4o-mini', totalUsd: 0.15 + 0.6 });
  });

  it('charges reasoning tokens at the output rate when the model has no reasoning rate', () => {
    // o4-mini: $1.10 input, $4.40 output; the 2,500 reasoning tokens are part of the 3,000 output tokens.
    const cost = price(span({ provider: 'openai', responseModel: 'o4-mini-2025-04-16', inputTokens: 2_000, outputTokens: 3_000, reasoningOutputTokens: 2_500 }));
    expectCost(cost, { pricedModel: 'openai:o4-mini', inputUsd: usd(2_000, 1.1), outputUsd: usd(3_000, 4.4), cacheReadUsd: 0, cacheWriteUsd: 0, totalUsd: usd(2_000, 1.1) + usd(3_000, 4.4) });
  });

  it('charges reasoning tokens at their own rate when the model has one', () => {
    // Perplexity sonar-deep-research: $2 input, $8 output, $3 reasoning.
    const cost = price(span({ provider: 'perplexity', responseModel: 'sonar-deep-research', inputTokens: 100, outputTokens: 1_000, reasoningOutputTokens: 600 }));
    const output = usd(400, 8) + usd(600, 3);
    expectCost(cost, { pricedModel: 'perplexity:sonar-deep-research', inputUsd: usd(100, 2), outputUsd: output, cacheReadUsd: 0, cacheWriteUsd: 0, totalUsd: usd(100, 2) + output });
  });

  it('prices an embedding call', () => {
    expect(price(span({ provider: 'openai', operation: 'embeddings', requestModel: 'text-embedding-3-small', inputTokens: 1_000 }))).toMatchObject({ status: 'priced', inputUsd: usd(1_000, 0.02), outputUsd: 0 });
  });
});

describe('PricingProcessor: context-length tiers', () => {
  it('Claude Sonnet 4.5 above 200k input tokens: every rate of the request doubles (output 1.5×)', () => {
    const tokens = { provider: 'anthropic', responseModel: 'claude-sonnet-4-5-20250929', cacheReadInputTokens: 50_000, cacheCreationInputTokens: 10_000, outputTokens: 1_000 };
    // ≤ 200k: $3 input, $0.30 cache read, $3.75 cache write, $15 output.
    const small = price(span({ ...tokens, inputTokens: 100_000 }));
    const smallInput = usd(40_000, 3) + usd(50_000, 0.3) + usd(10_000, 3.75);
    expectCost(small, { pricedModel: 'anthropic:claude-sonnet-4-5', inputUsd: smallInput, outputUsd: usd(1_000, 15), cacheReadUsd: usd(50_000, 0.3), cacheWriteUsd: usd(10_000, 3.75), totalUsd: smallInput + usd(1_000, 15) });
    // > 200k (cached tokens count towards the threshold): $6, $0.60, $7.50, $22.50.
    const large = price(span({ ...tokens, inputTokens: 250_000 }));
    const largeInput = usd(190_000, 6) + usd(50_000, 0.6) + usd(10_000, 7.5);
    expectCost(large, { pricedModel: 'anthropic:claude-sonnet-4-5', inputUsd: largeInput, outputUsd: usd(1_000, 22.5), cacheReadUsd: usd(50_000, 0.6), cacheWriteUsd: usd(10_000, 7.5), totalUsd: largeInput + usd(1_000, 22.5) });
  });

  it('Gemini 1.5 Pro above 128k input tokens, with the models/ prefix', () => {
    // ≤ 128k: $1.25 input, $5 output; above: $2.50, $10.
    const at = (inputTokens: number) => price(span({ provider: 'gcp.gemini', responseModel: 'models/gemini-1.5-pro-002', inputTokens, outputTokens: 1_000 }));
    expect(at(128_000)).toMatchObject({ pricedModel: 'google:gemini-1.5-pro' });
    expect(at(128_000)?.totalUsd).toBeCloseTo(usd(128_000, 1.25) + usd(1_000, 5), 12);
    expect(at(128_001)?.totalUsd).toBeCloseTo(usd(128_001, 2.5) + usd(1_000, 10), 12);
  });
});

describe('PricingProcessor: the price in force at the span start', () => {
  it('o3 before and after the 2025-06-10 price cut ($10/$40 → $2/$8)', () => {
    const o3 = (at: string) => price(span({ provider: 'openai', responseModel: 'o3-2025-04-16', inputTokens: 1_000_000, outputTokens: 1_000_000 }, at));
    expect(o3('2025-06-09T23:59:59Z')?.totalUsd).toBeCloseTo(50, 12);
    expect(o3('2025-06-10T00:00:00Z')?.totalUsd).toBeCloseTo(10, 12);
  });

  it('DeepSeek off-peak hours (16:30–00:30 UTC) at half price', () => {
    const chat = (at: string) => price(span({ provider: 'deepseek', responseModel: 'deepseek-chat', inputTokens: 1_000_000, outputTokens: 1_000_000 }, at));
    expect(chat('2025-03-01T10:00:00Z')?.totalUsd).toBeCloseTo(0.27 + 1.1, 12);
    expect(chat('2025-03-01T20:00:00Z')?.totalUsd).toBeCloseTo(0.135 + 0.55, 12);
  });
});

describe('PricingProcessor: model ids across providers', () => {
  it.each([
    ['us.anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws:regional.anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['eu.anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws:regional.anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['apac.anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws:regional.anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws:regional.anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws:regional.anthropic.claude-3-5-sonnet-20240620-v1:0'],
  ])('Bedrock %s → %s ($3/$15)', (model, pricedModel) => {
    expect(price(span({ provider: 'aws.bedrock', requestModel: model, inputTokens: 1_000_000, outputTokens: 1_000_000 }))).toMatchObject({ status: 'priced', pricedModel, totalUsd: 18 });
  });

  it('falls back to the vendor named in a Bedrock id that Bedrock’s list lacks', () => {
    // Claude 2 ($8/$24) is not in the catalog's Bedrock list.
    expect(price(span({ provider: 'aws.bedrock', requestModel: 'anthropic.claude-v2:1', inputTokens: 1_000_000, outputTokens: 0 }))).toMatchObject({ pricedModel: 'anthropic:claude-2', totalUsd: 8 });
  });

  it('OpenRouter ids through OpenRouter’s list, and through the vendor without a known provider', () => {
    expect(price(span({ provider: 'openrouter', requestModel: 'openai/gpt-4o', inputTokens: 1_000_000, outputTokens: 1_000_000 }))).toMatchObject({ pricedModel: 'openrouter:openai/gpt-4o', totalUsd: 12.5 });
    expect(price(span({ requestModel: 'openai/gpt-4o', inputTokens: 1_000_000, outputTokens: 1_000_000 }))).toMatchObject({ pricedModel: 'openai:gpt-4o', totalUsd: 12.5 });
  });

  it('Azure: the response model prices a deployment name; the deployment name alone is unknown', () => {
    expect(price(span({ provider: 'azure.ai.openai', requestModel: 'prod-chat-eu', responseModel: 'gpt-4o-2024-11-20', inputTokens: 1_000_000, outputTokens: 0 }))).toMatchObject({ pricedModel: 'azure:gpt-4o', totalUsd: 2.5 });
    expect(price(span({ provider: 'azure.ai.openai', requestModel: 'prod-chat-eu', inputTokens: 1_000_000, outputTokens: 0 }))).toEqual({ status: 'unknown_model' });
  });

  it('falls back to the request model when the response model is unknown', () => {
    expect(price(span({ provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-internal-build', inputTokens: 1_000_000, outputTokens: 0 }))).toMatchObject({ pricedModel: 'openai:gpt-4o', totalUsd: 2.5 });
  });
});

describe('PricingProcessor: statuses', () => {
  it('flags an unknown model without any USD field', () => {
    const cost = price(span({ provider: 'openai', requestModel: 'gpt-nonexistent-9', inputTokens: 10, outputTokens: 10 }));
    expect(cost).toEqual({ status: 'unknown_model' });
    expect(price(span({ provider: 'openai', inputTokens: 10 }))).toEqual({ status: 'unknown_model' });
  });

  it('never prices self-hosted models from the catalog', () => {
    expect(price(span({ provider: 'ollama', requestModel: 'gpt-oss-20b', inputTokens: 10, outputTokens: 10 }))).toEqual({ status: 'unknown_model' });
  });

  it('marks wrapper spans not_a_model_call and a model call without usage no_usage', () => {
    expect(price(span({ isModelCall: false, operation: 'invoke_agent', requestModel: 'gpt-4o', inputTokens: 10 }))).toEqual({ status: 'not_a_model_call' });
    expect(price(span({ provider: 'openai', requestModel: 'gpt-4o' }))).toEqual({ status: 'no_usage', pricedModel: 'openai:gpt-4o' });
  });

  it('clamps inconsistent counts instead of failing the span', () => {
    const cost = price(span({ provider: 'openai', responseModel: 'gpt-4o', inputTokens: 100, cacheReadInputTokens: 500, outputTokens: 10, reasoningOutputTokens: 50 }));
    expectCost(cost, { pricedModel: 'openai:gpt-4o', inputUsd: usd(100, 1.25), outputUsd: usd(10, 10), cacheReadUsd: usd(100, 1.25), cacheWriteUsd: 0, totalUsd: usd(100, 1.25) + usd(10, 10) });
  });
});

describe('PricingProcessor: user price file', () => {
  const priceFile = parsePriceFile({
    models: [
      { id: 'acme-large', provider: 'acme', input_mtok: 2, output_mtok: 8, cache_read_mtok: 0.5, cache_write_mtok: 2.5, reasoning_mtok: 4 },
      { id: 'gpt-4o', provider: 'openai', match: { starts_with: 'gpt-4o-2024' }, input_mtok: 2, output_mtok: 8, valid_from: '2025-03-01' },
      { id: 'llama3.1:8b', provider: 'ollama', input_mtok: 0, output_mtok: 0 },
    ],
  });
  const custom = new PricingProcessor(priceFile);
  const priceWith = (s: SpanRecord) => custom.process([s])[0]?.cost;

  it('prices a private model with every kind of token', () => {
    const cost = priceWith(span({ provider: 'acme', requestModel: 'ACME-Large', inputTokens: 10_000, cacheReadInputTokens: 4_000, cacheCreationInputTokens: 1_000, outputTokens: 2_000, reasoningOutputTokens: 500 }));
    const input = usd(5_000, 2) + usd(4_000, 0.5) + usd(1_000, 2.5);
    const output = usd(1_500, 8) + usd(500, 4);
    expectCost(cost, { pricedModel: 'price-file:acme-large', inputUsd: input, outputUsd: output, cacheReadUsd: usd(4_000, 0.5), cacheWriteUsd: usd(1_000, 2.5), totalUsd: input + output });
    expect(priceWith(span({ provider: 'other', requestModel: 'acme-large', inputTokens: 1, outputTokens: 1 }))).toEqual({ status: 'unknown_model' });
  });

  it('overrides the catalog from its valid_from date only', () => {
    const gpt4o = (at: string) => priceWith(span({ provider: 'openai', responseModel: 'gpt-4o-2024-08-06', inputTokens: 1_000_000, outputTokens: 1_000_000 }, at));
    expect(gpt4o('2025-02-28T23:00:00Z')).toMatchObject({ pricedModel: 'openai:gpt-4o', totalUsd: 12.5 });
    expect(gpt4o('2025-03-01T00:00:00Z')).toMatchObject({ pricedModel: 'price-file:gpt-4o', totalUsd: 10 });
  });

  it('prices a self-hosted model the user listed', () => {
    expect(priceWith(span({ provider: 'ollama', requestModel: 'llama3.1:8b', inputTokens: 100, outputTokens: 100 }))).toMatchObject({ status: 'priced', totalUsd: 0 });
  });

  it('re-prices stored spans after a price change and reports the changed ones', () => {
    const stored = [
      span({ provider: 'openai', responseModel: 'gpt-4o-2024-08-06', inputTokens: 1_000_000, outputTokens: 0 }, '2025-04-01T00:00:00Z'),
      span({ provider: 'anthropic', responseModel: 'claude-3-5-sonnet-20240620', inputTokens: 1_000_000, outputTokens: 0 }, '2025-04-01T00:00:00Z'),
    ];
    pricing.process(stored);
    expect(stored.map((s) => s.cost?.totalUsd)).toEqual([2.5, 3]);
    const changed = custom.reprice(stored);
    expect(changed).toEqual([stored[0]]);
    expect(stored.map((s) => s.cost?.totalUsd)).toEqual([2, 3]);
    expect(custom.reprice(stored)).toEqual([]);
  });
});

describe('PricingProcessor after NormalizeProcessor', () => {
  it('prices the AI SDK doGenerate span once, not the ai.generateText span around it', () => {
    const usage = { 'ai.model.id': 'gpt-4o-mini', 'ai.model.provider': 'openai.chat', 'ai.usage.promptTokens': 1_000, 'ai.usage.completionTokens': 100 };
    const spans = [span({}, JAN_2025, { ...usage, 'ai.operationId': 'ai.generateText' }, 'ai.generateText'), span({}, JAN_2025, { ...usage, 'ai.operationId': 'ai.generateText.doGenerate' }, 'ai.generateText.doGenerate')];
    const [outer, inner] = pricing.process(new NormalizeProcessor().process(spans)).map((s) => s.cost);
    expect(outer).toEqual({ status: 'not_a_model_call' });
    expect(inner).toMatchObject({ status: 'priced', pricedModel: 'openai:gpt-4o-mini' });
    expect(inner?.totalUsd).toBeCloseTo(usd(1_000, 0.15) + usd(100, 0.6), 12);
  });

  it('normalizes a span itself when no NormalizeProcessor ran (OpenInference agent over an LLM span)', () => {
    const attrs = { 'llm.model_name': 'gpt-4o', 'llm.provider': 'openai', 'llm.token_count.prompt': 1_000, 'llm.token_count.completion': 100 };
    const [agent, llm] = pricing.process([span({}, JAN_2025, { ...attrs, 'openinference.span.kind': 'AGENT' }), span({}, JAN_2025, { ...attrs, 'openinference.span.kind': 'LLM' })]);
    expect(agent?.cost).toEqual({ status: 'not_a_model_call' });
    expect(llm?.cost?.totalUsd).toBeCloseTo(usd(1_000, 2.5) + usd(100, 10), 12);
  });
});

describe('PricingProcessor: response-cache hits', () => {
  it('a hit costs 0 and saves what its original usage costs, its savedUsd', () => {
    // gpt-4o: $2.50 input, $10 output.
    const hit = span({ provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' }, JAN_2025, {
      'tokentrace.cache.status': 'hit',
      'tokentrace.cache.original.input_tokens': 1000,
      'tokentrace.cache.original.output_tokens': 200,
    });
    const cost = price(hit);
    expect(cost).toMatchObject({ status: 'cache_hit', inputUsd: 0, outputUsd: 0, totalUsd: 0 });
    expect(cost?.savedUsd).toBeCloseTo(usd(1000, 2.5) + usd(200, 10), 12);
  });

  it('a hit of an unknown model costs 0 and saves nothing known', () => {
    const hit = span({ provider: 'acme', requestModel: 'mystery-1' }, JAN_2025, { 'tokentrace.cache.status': 'hit', 'tokentrace.cache.original.input_tokens': 10 });
    expect(price(hit)).toEqual({ status: 'cache_hit', inputUsd: 0, outputUsd: 0, totalUsd: 0 });
  });
});
