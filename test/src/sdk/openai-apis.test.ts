/**
 * The real `openai` SDK (v7, global fetch) on the OpenAI APIs other than Chat Completions —
 * Responses, Embeddings and the legacy Completions — against the local OpenAI emulator, and on an
 * OpenAI-compatible self-hosted server (a second emulator standing in for vLLM) configured through
 * TOKENTRACE_OPENAI_COMPATIBLE_URLS, through tokentrace's instrumentation.
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, expectOnlyClientSpan } from '../harness/span-assertions.js';

const API_KEY = 'sk-proj-test-do-not-record-0123456789';
const FIRST_CHUNK_DELAY_MS = 150;
const TRACKING_HEADERS = {
  'Helicone-User-Id': 'user-o',
  'Helicone-Session-Id': 'sess-apis',
  'Helicone-Property-Surface': 'search',
  'Tokentrace-Prompt-Id': 'apis-v1',
};
const TRACKING_ATTRIBUTES = {
  'user.id': 'user-o',
  'gen_ai.conversation.id': 'sess-apis',
  'tokentrace.session.id': 'sess-apis',
  'tokentrace.property.surface': 'search',
  'tokentrace.prompt.id': 'apis-v1',
};

const harness = setupTracing({});
let emulator: ProviderEmulator;

beforeAll(async () => {
  emulator = await startOpenAIEmulator({ firstChunkDelayMs: FIRST_CHUNK_DELAY_MS });
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] });
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

const client = () => new OpenAI({ apiKey: API_KEY, baseURL: emulator.baseUrl, maxRetries: 0 });

/** No tracking header reached `server`, the app's key did, and no span holds it. */
function expectCleanRequestAndSpans(spans: Parameters<typeof everythingRecorded>[0], server = emulator): void {
  const seen = server.lastRequest!.request.headers;
  expect(Object.keys(seen).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
  expect(seen.authorization).toBe(`Bearer ${API_KEY}`);
  const recorded = everythingRecorded(spans);
  expect(recorded).not.toContain(API_KEY);
  expect(recorded).not.toContain('do-not-record');
}

describe('Responses API', () => {
  it('responses.create: chat span, cached and reasoning tokens, finish reason stop, service tiers', async () => {
    emulator.enqueue({ text: 'The answer is 42.', inputTokens: 2048, cachedInputTokens: 1024, outputTokens: 300, reasoningTokens: 256 });
    const response = await client().responses.create(
      {
        model: 'o4-mini',
        instructions: 'Think carefully.',
        input: 'What is six times seven?',
        max_output_tokens: 1000,
        temperature: 1,
        top_p: 0.5,
        service_tier: 'auto',
        reasoning: { effort: 'low' },
      },
      { headers: TRACKING_HEADERS },
    );
    expect(response.output_text).toBe('The answer is 42.');
    expect(response.output.map((i) => i.type)).toEqual(['reasoning', 'message']);

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('chat o4-mini');
    expect(span.kind).toBe(2 /* CLIENT */);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'o4-mini',
      'gen_ai.request.max_tokens': 1000,
      'gen_ai.request.temperature': 1,
      'gen_ai.request.top_p': 0.5,
      'gen_ai.openai.request.service_tier': 'auto',
      'gen_ai.response.id': response.id,
      'gen_ai.response.model': 'o4-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.openai.response.service_tier': 'default',
      'gen_ai.usage.input_tokens': 2048,
      'gen_ai.usage.cache_read.input_tokens': 1024,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.reasoning.output_tokens': 256,
      'server.address': '127.0.0.1',
      'server.port': emulator.port,
      ...TRACKING_ATTRIBUTES,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(span.attributes['gen_ai.request.stream']).toBeUndefined();
    expect(span.attributes['gen_ai.system_instructions']).toBeUndefined(); // content is opt-in
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.status.code).toBe(0);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('responses.create with stream: true: usage from response.completed, time to first chunk', async () => {
    emulator.enqueue({ text: 'Streaming the Responses API, event by event.', inputTokens: 512, cachedInputTokens: 384, outputTokens: 90, reasoningTokens: 64 });
    const started = performance.now();
    const stream = await client().responses.create({ model: 'gpt-5-mini', input: 'Stream it.', stream: true }, { headers: TRACKING_HEADERS });
    let text = '';
    let completed: any;
    let firstEventAt: number | undefined;
    for await (const event of stream) {
      firstEventAt ??= performance.now();
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe('Streaming the Responses API, event by event.');
    const appTtfc = (firstEventAt! - started) / 1000;

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('chat gpt-5-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-5-mini',
      'gen_ai.request.stream': true,
      'gen_ai.response.id': completed.id,
      'gen_ai.response.model': 'gpt-5-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 512,
      'gen_ai.usage.cache_read.input_tokens': 384,
      'gen_ai.usage.output_tokens': 90,
      'gen_ai.usage.reasoning.output_tokens': 64,
      ...TRACKING_ATTRIBUTES,
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    // The SDK yields its first event when the first SSE event arrives, after the scripted delay.
    expect(ttfc).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expect(ttfc).toBeLessThan(FIRST_CHUNK_DELAY_MS / 1000 + 0.25);
    expect(ttfc).toBeLessThanOrEqual(appTtfc + 0.002);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('finish reasons: tool_call for a function call (stream helper), max_output_tokens for an incomplete response', async () => {
    emulator.enqueue(
      { toolCall: { id: 'call_lookup0000000000000001', name: 'lookup', arguments: { q: 'otel' } }, inputTokens: 70, outputTokens: 12 },
      { text: 'This reply is cut short', finishReason: 'length', inputTokens: 20, outputTokens: 16 },
    );
    const c = client();
    const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }];
    const toolResponse = await c.responses.stream({ model: 'gpt-4.1', input: 'Look up otel.', tools }).finalResponse();
    expect(toolResponse.output[0]).toMatchObject({ type: 'function_call', name: 'lookup', call_id: 'call_lookup0000000000000001' });
    const incomplete = await c.responses.create({ model: 'gpt-4.1', input: 'Write a lot.', max_output_tokens: 16 });
    expect(incomplete.status).toBe('incomplete');

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 2);
    const [toolSpan, incompleteSpan] = genAiSpans(spans).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': toolResponse.id,
      'gen_ai.response.finish_reasons': ['tool_call'],
      'gen_ai.usage.input_tokens': 70,
      'gen_ai.usage.output_tokens': 12,
    });
    expect(incompleteSpan.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 16,
      'gen_ai.response.id': incomplete.id,
      'gen_ai.response.finish_reasons': ['max_output_tokens'],
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 16,
    });
    expect(incompleteSpan.status.code).toBe(0); // an incomplete response is not an error
    expectCleanRequestAndSpans(spans);
  });
});

describe('Embeddings', () => {
  it('embeddings.create: span `embeddings text-embedding-3-small`, input tokens, dimension count, base64 (SDK default)', async () => {
    emulator.enqueue({ inputTokens: 8 });
    const result = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second text'] }, { headers: TRACKING_HEADERS });
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding).toHaveLength(1536);
    expect(emulator.lastRequest!.request.json).toMatchObject({ encoding_format: 'base64' }); // what the SDK sends by default

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('embeddings text-embedding-3-small');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.request.encoding_formats': ['base64'],
      'gen_ai.response.model': 'text-embedding-3-small-2024-07-18',
      'gen_ai.embeddings.dimension.count': 1536,
      'gen_ai.usage.input_tokens': 8,
      ...TRACKING_ATTRIBUTES,
    });
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.status.code).toBe(0);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('encoding_format float with dimensions: the format and the reduced dimension count', async () => {
    emulator.enqueue({ inputTokens: 3 });
    const result = await client().embeddings.create({ model: 'text-embedding-3-large', input: 'one text', encoding_format: 'float', dimensions: 256 });
    expect(result.data[0].embedding).toHaveLength(256);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('embeddings text-embedding-3-large');
    expect(span.attributes).toMatchObject({
      'gen_ai.request.encoding_formats': ['float'],
      'gen_ai.embeddings.dimension.count': 256,
      'gen_ai.usage.input_tokens': 3,
    });
    expectCleanRequestAndSpans(spans);
  });
});

describe('legacy Completions', () => {
  it('completions.create: operation text_completion, request parameters, usage, finish reason', async () => {
    emulator.enqueue({ text: ' a quiet river.', inputTokens: 6, outputTokens: 4 });
    const completion = await client().completions.create(
      { model: 'gpt-3.5-turbo-instruct', prompt: 'Complete: the night was', max_tokens: 16, temperature: 0.9, stop: ['\n'], n: 1, seed: 99, presence_penalty: 0.2 },
      { headers: TRACKING_HEADERS },
    );
    expect(completion.choices[0].text).toBe(' a quiet river.');
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('text_completion gpt-3.5-turbo-instruct');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-3.5-turbo-instruct',
      'gen_ai.request.max_tokens': 16,
      'gen_ai.request.temperature': 0.9,
      'gen_ai.request.stop_sequences': ['\n'],
      'gen_ai.request.seed': 99,
      'gen_ai.request.presence_penalty': 0.2,
      'gen_ai.response.id': completion.id,
      'gen_ai.response.model': 'gpt-3.5-turbo-instruct-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 6,
      'gen_ai.usage.output_tokens': 4,
      ...TRACKING_ATTRIBUTES,
    });
    expect(span.attributes['gen_ai.request.choice.count']).toBeUndefined(); // n: 1 is the default, not recorded
    expect(span.status.code).toBe(0);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('completions.create with stream: true and include_usage: usage, finish reason length, time to first chunk', async () => {
    emulator.enqueue({ text: 'one two three four five', finishReason: 'length', inputTokens: 5, outputTokens: 5 });
    const stream = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Count:', max_tokens: 5, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let id: string | undefined;
    for await (const chunk of stream) {
      id ??= chunk.id;
      text += chunk.choices[0]?.text ?? '';
    }
    expect(text).toBe('one two three four five');
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.request.stream': true,
      'gen_ai.response.id': id,
      'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expectCleanRequestAndSpans(spans);
  });
});

describe('an OpenAI-compatible host from TOKENTRACE_OPENAI_COMPATIBLE_URLS (vllm=…)', () => {
  let vllm: ProviderEmulator;
  const VLLM_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
  let saved: string | undefined;

  beforeAll(async () => {
    vllm = await startOpenAIEmulator({ defaultReply: { model: VLLM_MODEL } });
    saved = process.env.TOKENTRACE_OPENAI_COMPATIBLE_URLS;
    process.env.TOKENTRACE_OPENAI_COMPATIBLE_URLS = `vllm=${vllm.baseUrl}`;
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] }); // re-reads the environment
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.TOKENTRACE_OPENAI_COMPATIBLE_URLS;
    else process.env.TOKENTRACE_OPENAI_COMPATIBLE_URLS = saved;
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] });
    await vllm.close();
  });
  beforeEach(() => vllm.reset());

  const vllmClient = () => new OpenAI({ apiKey: API_KEY, baseURL: vllm.baseUrl, maxRetries: 0 });

  it('chat.completions.create: provider vllm, the served model name in span name and attributes', async () => {
    vllm.enqueue({ text: 'Hello from vLLM.', inputTokens: 14, outputTokens: 5 });
    const completion = await vllmClient().chat.completions.create(
      { model: VLLM_MODEL, messages: [{ role: 'user', content: 'Hello?' }], temperature: 0.7, max_tokens: 32 },
      { headers: TRACKING_HEADERS },
    );
    expect(completion.model).toBe(VLLM_MODEL);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${VLLM_MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'vllm',
      'gen_ai.request.model': VLLM_MODEL,
      'gen_ai.request.temperature': 0.7,
      'gen_ai.request.max_tokens': 32,
      'gen_ai.response.id': completion.id,
      'gen_ai.response.model': VLLM_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 14,
      'gen_ai.usage.output_tokens': 5,
      'server.address': '127.0.0.1',
      'server.port': vllm.port,
      ...TRACKING_ATTRIBUTES,
    });
    expectOnlyClientSpan(spans, span, vllm);
    expectCleanRequestAndSpans(spans, vllm);
  });

  it('legacy completions on the same host: text_completion with provider vllm', async () => {
    vllm.enqueue({ text: ' world', inputTokens: 2, outputTokens: 1 });
    const completion = await vllmClient().completions.create({ model: VLLM_MODEL, prompt: 'Hello', max_tokens: 1 });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`text_completion ${VLLM_MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.provider.name': 'vllm',
      'gen_ai.response.id': completion.id,
      'gen_ai.usage.input_tokens': 2,
      'gen_ai.usage.output_tokens': 1,
    });
    expectCleanRequestAndSpans(spans, vllm);
  });
});
