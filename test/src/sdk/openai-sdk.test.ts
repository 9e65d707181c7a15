/**
 * The real `openai` SDK, latest major (v7, global fetch), the previous one (v6) and v4 (node-fetch
 * over node:http), against the local OpenAI emulator, through tokentrace's instrumentation.
 */
import OpenAI7 from 'openai';
import OpenAI6 from 'openai-v6';
import OpenAI4 from 'openai-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, expectOnlyClientSpan } from '../harness/span-assertions.js';

/** How long the first tokenizer use may take (loading its ranks) on a busy CI machine. */
const TOKENIZER_LOAD_MS = 60_000;

const API_KEY = 'sk-test-do-not-record-0123456789';
const FIRST_CHUNK_DELAY_MS = 150;
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

interface ChatClient {
  chat: { completions: { create(body: object, options?: object): Promise<any> } };
}
const sdks: Array<[string, () => ChatClient]> = [
  ['openai v7 (fetch)', () => new OpenAI7({ apiKey: API_KEY, baseURL: emulator.baseUrl, maxRetries: 0 }) as unknown as ChatClient],
  ['openai v6 (fetch)', () => new OpenAI6({ apiKey: API_KEY, baseURL: emulator.baseUrl, maxRetries: 0 }) as unknown as ChatClient],
  ['openai v4 (node:http)', () => new OpenAI4({ apiKey: API_KEY, baseURL: emulator.baseUrl, maxRetries: 0 }) as unknown as ChatClient],
];

describe.each(sdks)('%s', (_name, makeClient) => {
  it('gives one chat span with the conventions attributes, its trace context sent (no HTTP span under it), tracking headers stripped', async () => {
    emulator.enqueue({ text: 'Paris is the capital of France.', inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, reasoningTokens: 12 });
    const client = makeClient();
    const completion = await client.chat.completions.create(
      {
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }],
        temperature: 0.2,
        max_tokens: 64,
        top_p: 0.9,
      },
      { headers: { 'Helicone-User-Id': 'user-42', 'Helicone-Session-Id': 'sess-1', 'Helicone-Property-Feature': 'geo-quiz', 'Tokentrace-Prompt-Id': 'capitals-v2' } },
    );
    expect(completion.choices[0].message.content).toBe('Paris is the capital of France.');

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(2 /* CLIENT */);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': completion.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.cache_read.input_tokens': 100,
      'gen_ai.usage.reasoning.output_tokens': 12,
      'server.address': '127.0.0.1',
      'server.port': emulator.port,
      'user.id': 'user-42',
      'gen_ai.conversation.id': 'sess-1',
      'tokentrace.session.id': 'sess-1',
      'tokentrace.property.feature': 'geo-quiz',
      'tokentrace.prompt.id': 'capitals-v2',
    });
    expect(span.attributes['gen_ai.request.stream']).toBeUndefined();
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined(); // content is opt-in
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.status.code).toBe(0);

    expectOnlyClientSpan(spans, span, emulator);

    const seen = emulator.lastRequest!.request.headers;
    expect(Object.keys(seen).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
    expect(seen.authorization).toBe(`Bearer ${API_KEY}`); // the app's own headers are untouched
    expect(everythingRecorded(spans)).not.toContain(API_KEY);
  });

  it('streams: usage from the stream, time to first chunk, the app sees every chunk', async () => {
    emulator.enqueue({ text: 'one two three four five six', inputTokens: 30, outputTokens: 6 });
    const client = makeClient();
    const started = performance.now();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let firstChunkAt: number | undefined;
    for await (const chunk of stream as AsyncIterable<any>) {
      firstChunkAt ??= performance.now();
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('one two three four five six');
    const appTtfc = (firstChunkAt! - started) / 1000;

    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expect(ttfc).toBeLessThan(FIRST_CHUNK_DELAY_MS / 1000 + 0.25);
    expect(ttfc).toBeLessThanOrEqual(appTtfc + 0.002); // we see the first chunk no later than the app
  });

  it('counts tokens with a tokenizer when the stream carries no usage, and says so', async () => {
    emulator.enqueue({ text: 'Hello there, general Kenobi.', inputTokens: 999, outputTokens: 999 });
    const client = makeClient();
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello to the general.' }], stream: true });
    for await (const _ of stream as AsyncIterable<unknown>) void _;
    // The span ends once the tokenizer (a few MB of ranks, loaded on first use) has counted: on a
    // loaded 2-core machine that load alone has taken 5 s, so the wait allows for it.
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1, TOKENIZER_LOAD_MS));
    expect(emulator.lastRequest!.request.json).not.toHaveProperty('stream_options'); // request not modified
    expect(span.attributes['tokentrace.usage.estimated']).toBe(true);
    // o200k_base: "Hello there, general Kenobi." is 7 tokens.
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(7);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  }, TOKENIZER_LOAD_MS + 10_000);

  it('records HTTP errors as error.type and an error status, without changing the error the app gets', async () => {
    emulator.enqueue({ status: 429, error: { type: 'rate_limit_error', message: 'Slow down' } });
    const client = makeClient();
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429 });
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status).toMatchObject({ code: 2, message: 'Slow down' });
  });
});
