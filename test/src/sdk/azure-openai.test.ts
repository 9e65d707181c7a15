/**
 * The real `openai` SDK (v7, global fetch) against the local Azure OpenAI emulator, through
 * tokentrace's instrumentation: the `AzureOpenAI` client on the deployment routes
 * (`/openai/deployments/{deployment}/...?api-version=`), and the plain `OpenAI` client on Azure's
 * v1 routes (`/openai/v1/...`). Azure answers with the deployment's underlying model.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzureOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, expectOnlyClientSpan } from '../harness/span-assertions.js';

const API_KEY = 'azure-test-key-do-not-record-0123456789abcdef';
const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'prod-gpt4o';
const UNDERLYING_MODEL = 'gpt-4o-2024-11-20';
const EMBED_DEPLOYMENT = 'embed-small';
const FIRST_CHUNK_DELAY_MS = 150;
const TRACKING_HEADERS = {
  'Helicone-User-Id': 'user-az',
  'Helicone-Session-Id': 'sess-azure',
  'Helicone-Property-Tenant': 'contoso',
  'Tokentrace-Prompt-Id': 'azure-v2',
};

const harness = setupTracing({});
let emulator: ProviderEmulator;
const azureEndpoint = () => ({ baseUrl: emulator.url, provider: 'azure.ai.openai', format: 'azure-openai' as const });

beforeAll(async () => {
  emulator = await startAzureOpenAIEmulator({
    firstChunkDelayMs: FIRST_CHUNK_DELAY_MS,
    deployments: { [DEPLOYMENT]: UNDERLYING_MODEL, [EMBED_DEPLOYMENT]: 'text-embedding-3-small' },
  });
  harness.instrumentation.setConfig({ endpoints: [azureEndpoint()] });
});
afterAll(async () => {
  await emulator.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  emulator.reset();
});
// A test that failed before its span ended must not leave that span to the next test.
afterEach(async () => {
  await harness.waitForSpans((s) => genAiSpans(s).length >= emulator.requests.length, 2000).catch(() => undefined);
});

const azure = (options: { deployment?: string } = {}) =>
  new AzureOpenAI({ endpoint: emulator.url, apiKey: API_KEY, apiVersion: API_VERSION, maxRetries: 0, ...options });
const azureV1 = () => new OpenAI({ baseURL: `${emulator.url}/openai/v1`, apiKey: API_KEY, maxRetries: 0 });

/** No tracking header reached the emulator, the app's credential did, and no span holds it. */
function expectCleanRequestAndSpans(spans: Parameters<typeof everythingRecorded>[0], credentialHeader: 'api-key' | 'authorization'): void {
  const seen = emulator.lastRequest!.request.headers;
  expect(Object.keys(seen).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
  expect(seen[credentialHeader]).toBe(credentialHeader === 'api-key' ? API_KEY : `Bearer ${API_KEY}`);
  const recorded = everythingRecorded(spans);
  expect(recorded).not.toContain(API_KEY);
  expect(recorded).not.toContain('do-not-record');
}

describe('AzureOpenAI, deployment routes', () => {
  it('chat.completions.create: request model from the deployment, response model the underlying one, api-key not recorded', async () => {
    emulator.enqueue({ text: 'Bonjour.', inputTokens: 640, cachedInputTokens: 512, outputTokens: 5 });
    const client = azure();
    const completion = await client.chat.completions.create(
      { model: DEPLOYMENT, messages: [{ role: 'system', content: 'Translate.' }, { role: 'user', content: 'Hello.' }], temperature: 0.1, max_tokens: 20, seed: 7, frequency_penalty: 0.5 },
      { headers: TRACKING_HEADERS },
    );
    expect(completion.choices[0].message.content).toBe('Bonjour.');
    expect(completion.model).toBe(UNDERLYING_MODEL);
    expect(emulator.lastRequest!.request.url).toBe(`/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`);

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${DEPLOYMENT}`);
    expect(span.kind).toBe(2 /* CLIENT */);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': DEPLOYMENT,
      'gen_ai.request.temperature': 0.1,
      'gen_ai.request.max_tokens': 20,
      'gen_ai.request.seed': 7,
      'gen_ai.request.frequency_penalty': 0.5,
      'gen_ai.response.id': completion.id,
      'gen_ai.response.model': UNDERLYING_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.openai.response.system_fingerprint': completion.system_fingerprint,
      'gen_ai.usage.input_tokens': 640,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.cache_read.input_tokens': 512,
      'server.address': '127.0.0.1',
      'server.port': emulator.port,
      'user.id': 'user-az',
      'gen_ai.conversation.id': 'sess-azure',
      'tokentrace.session.id': 'sess-azure',
      'tokentrace.property.tenant': 'contoso',
      'tokentrace.prompt.id': 'azure-v2',
    });
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.status.code).toBe(0);

    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, 'api-key');
  });

  it('a client-level deployment with another model in the body: the URL names the deployment, the body model is recorded', async () => {
    emulator.enqueue({ text: 'ok', inputTokens: 10, outputTokens: 1 });
    const client = azure({ deployment: DEPLOYMENT });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(emulator.lastRequest!.request.path).toBe(`/openai/deployments/${DEPLOYMENT}/chat/completions`);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    // The body's `model` is what the app asked for; the answer names the deployment's model.
    expect(span.name).toBe('chat gpt-4o');
    expect(span.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': UNDERLYING_MODEL,
      'gen_ai.response.id': completion.id,
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 1,
    });
    expectCleanRequestAndSpans(spans, 'api-key');
  });

  it('streams: Azure\'s prompt-filter chunk first, then usage, the underlying model, time to first chunk', async () => {
    emulator.enqueue({ text: 'Streaming from a deployment works fine.', inputTokens: 77, outputTokens: 8, reasoningTokens: 0 });
    const client = azure();
    const started = performance.now();
    const stream = await client.chat.completions.create(
      { model: DEPLOYMENT, messages: [{ role: 'user', content: 'Stream please.' }], stream: true, stream_options: { include_usage: true } },
      { headers: TRACKING_HEADERS },
    );
    let text = '';
    let id: string | undefined;
    let firstChunkAt: number | undefined;
    for await (const chunk of stream) {
      firstChunkAt ??= performance.now();
      if (chunk.id) id = chunk.id;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Streaming from a deployment works fine.');
    const appTtfc = (firstChunkAt! - started) / 1000;

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${DEPLOYMENT}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': DEPLOYMENT,
      'gen_ai.request.stream': true,
      'gen_ai.response.id': id,
      'gen_ai.response.model': UNDERLYING_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 77,
      'gen_ai.usage.output_tokens': 8,
      'user.id': 'user-az',
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expect(ttfc).toBeLessThan(FIRST_CHUNK_DELAY_MS / 1000 + 0.25);
    expect(ttfc).toBeLessThanOrEqual(appTtfc + 0.002);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, 'api-key');
  });

  it('embeddings.create on an embeddings deployment: operation embeddings, dimension count, input tokens', async () => {
    emulator.enqueue({ inputTokens: 9 });
    const client = azure();
    const result = await client.embeddings.create({ model: EMBED_DEPLOYMENT, input: 'Embed this sentence, please.', dimensions: 512 }, { headers: TRACKING_HEADERS });
    expect(result.data[0].embedding).toHaveLength(512);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`embeddings ${EMBED_DEPLOYMENT}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': EMBED_DEPLOYMENT,
      'gen_ai.request.encoding_formats': ['base64'], // the SDK asks for base64 and decodes it itself
      'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.embeddings.dimension.count': 512,
      'gen_ai.usage.input_tokens': 9,
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, 'api-key');
  });

  it('an HTTP 429: error.type is the status, the message Azure\'s; the app error unchanged', async () => {
    emulator.enqueue({ status: 429 });
    const client = azure();
    const err = await client.chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, code: '429' });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status.code).toBe(2);
    expect(span.status.message).toMatch(/^Requests to the ChatCompletions_Create Operation under Azure OpenAI API have exceeded call rate limit/);
    expectCleanRequestAndSpans(spans, 'api-key');
  });
});

describe('OpenAI client on Azure\'s v1 routes (baseURL …/openai/v1)', () => {
  it('chat.completions.create: provider azure.ai.openai, request model from the body, Bearer key not recorded', async () => {
    emulator.enqueue({ text: 'v1 route.', inputTokens: 33, cachedInputTokens: 0, outputTokens: 3 });
    const client = azureV1();
    const completion = await client.chat.completions.create(
      { model: DEPLOYMENT, messages: [{ role: 'user', content: 'hi' }], top_p: 0.7 },
      { headers: TRACKING_HEADERS },
    );
    expect(emulator.lastRequest!.request.path).toBe('/openai/v1/chat/completions');
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${DEPLOYMENT}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': DEPLOYMENT,
      'gen_ai.request.top_p': 0.7,
      'gen_ai.response.id': completion.id,
      'gen_ai.response.model': UNDERLYING_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 33,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'tokentrace.property.tenant': 'contoso',
    });
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, 'authorization');
  });

  it('responses.create with stream: true: usage with cached and reasoning tokens, the response id and model', async () => {
    emulator.enqueue({ text: 'Responses on Azure v1.', inputTokens: 400, cachedInputTokens: 256, outputTokens: 120, reasoningTokens: 100 });
    const client = azureV1();
    const stream = await client.responses.create({ model: DEPLOYMENT, input: 'Think, then answer.', stream: true }, { headers: TRACKING_HEADERS });
    let completed: any;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    expect(completed.output_text ?? completed.output.at(-1).content[0].text).toBe('Responses on Azure v1.');
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${DEPLOYMENT}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': DEPLOYMENT,
      'gen_ai.request.stream': true,
      'gen_ai.response.id': completed.id,
      'gen_ai.response.model': UNDERLYING_MODEL,
      'gen_ai.response.finish_reasons': ['stop'], // derived: status completed, no tool call
      'gen_ai.usage.input_tokens': 400,
      'gen_ai.usage.cache_read.input_tokens': 256,
      'gen_ai.usage.output_tokens': 120,
      'gen_ai.usage.reasoning.output_tokens': 100,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, 'authorization');
  });
});
