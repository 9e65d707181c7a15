/**
 * The real `@anthropic-ai/sdk`, latest major (v1) and the previous one (v0.x), both over global
 * fetch, against the local Anthropic emulator, through tokentrace's instrumentation.
 *
 * Both majors open their own OpenTelemetry call span (`anthropic.messages.create`, scope
 * `com.anthropic.sdk.typescript`) by default whenever a tracer provider is registered. The main
 * suite turns that off (`openTelemetry: false`) to test tokentrace's own capture; the last block
 * covers the SDK's default, where tokentrace sees a model-call span already active.
 */
import Anthropic1 from '@anthropic-ai/sdk';
import Anthropic0 from 'anthropic-sdk-v0';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAnthropicEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, httpChildren, expectOnlyClientSpan } from '../harness/span-assertions.js';

const API_KEY = 'sk-ant-test-do-not-record-0123456789';
const MODEL = 'claude-haiku-4-5';
const FIRST_CHUNK_DELAY_MS = 150;
const harness = setupTracing({});
let emulator: ProviderEmulator;

beforeAll(async () => {
  emulator = await startAnthropicEmulator({ firstChunkDelayMs: FIRST_CHUNK_DELAY_MS });
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'anthropic', format: 'anthropic' }] });
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

/** The parts of both majors' clients these tests use; their own types differ between majors. */
interface MessagesClient {
  messages: {
    create(body: object, options?: object): Promise<any>;
    stream(body: object, options?: object): { finalMessage(): Promise<any>; on(event: string, cb: (...args: any[]) => void): unknown };
  };
}
type MakeClient = (options?: { openTelemetry?: false }) => MessagesClient;
/** [name, client factory, the credential header the major sends and its value]. */
const sdks: Array<[string, MakeClient, string, string]> = [
  // v1 sends the API key as `Authorization: Bearer`; v0 as `X-Api-Key`.
  ['@anthropic-ai/sdk v1', (o = { openTelemetry: false }) => new Anthropic1({ apiKey: API_KEY, baseURL: emulator.baseUrl, maxRetries: 0, ...o }) as unknown as MessagesClient, 'authorization', `Bearer ${API_KEY}`],
  ['@anthropic-ai/sdk v0', (o = { openTelemetry: false }) => new Anthropic0({ apiKey: API_KEY, baseURL: emulator.baseUrl, maxRetries: 0, ...o }) as unknown as MessagesClient, 'x-api-key', API_KEY],
];

const TRACKING_HEADERS = {
  'Helicone-User-Id': 'user-7',
  'Helicone-Session-Id': 'sess-anthropic',
  'Helicone-Property-Feature': 'summaries',
  'Tokentrace-Prompt-Id': 'summarize-v3',
};

/** The emulator saw none of the tracking headers, still got the app's own key, and no span holds the key. */
function expectCleanRequestAndSpans(spans: Parameters<typeof everythingRecorded>[0], credentialHeader: string, credential: string): void {
  const seen = emulator.lastRequest!.request.headers;
  expect(Object.keys(seen).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
  expect(seen[credentialHeader]).toBe(credential);
  const recorded = everythingRecorded(spans);
  expect(recorded).not.toContain(API_KEY);
  expect(recorded).not.toContain('do-not-record');
}

describe.each(sdks)('%s', (_name, makeClient, credentialHeader, credential) => {
  it('messages.create: one chat span with request, response and cache-inclusive usage, its trace context sent, headers stripped', async () => {
    emulator.enqueue({ text: 'A short summary.', inputTokens: 1200, cachedInputTokens: 800, cacheCreationInputTokens: 300, outputTokens: 42 });
    const client = makeClient();
    const message = await client.messages.create(
      {
        model: MODEL,
        max_tokens: 256,
        system: 'You summarize in one sentence.',
        messages: [{ role: 'user', content: 'Summarize the report.' }],
        temperature: 0.3,
        top_p: 0.8,
        top_k: 40,
        stop_sequences: ['END', '###'],
      },
      { headers: TRACKING_HEADERS },
    );
    expect(message.content).toEqual([{ type: 'text', text: 'A short summary.' }]);
    // What the app got is Anthropic's split: input_tokens excludes cache reads and writes.
    expect(message.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 800, cache_creation_input_tokens: 300, output_tokens: 42 });

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.kind).toBe(2 /* CLIENT */);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.8,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END', '###'],
      'gen_ai.response.id': message.id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      // The conventions' input tokens include cache reads and writes: 100 + 800 + 300.
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 42,
      'gen_ai.usage.cache_read.input_tokens': 800,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'server.address': '127.0.0.1',
      'server.port': emulator.port,
      'user.id': 'user-7',
      'gen_ai.conversation.id': 'sess-anthropic',
      'tokentrace.session.id': 'sess-anthropic',
      'tokentrace.property.feature': 'summaries',
      'tokentrace.prompt.id': 'summarize-v3',
    });
    expect(message.id).toMatch(/^msg_01/);
    expect(span.attributes['gen_ai.request.stream']).toBeUndefined();
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();
    expect(span.attributes['gen_ai.system_instructions']).toBeUndefined(); // content is opt-in
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.status.code).toBe(0);

    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, credentialHeader, credential);
  });

  it('messages.create with stream: true: usage from message_start/message_delta, finish reason, time to first chunk', async () => {
    emulator.enqueue({ text: 'one two three four five six seven', inputTokens: 500, cachedInputTokens: 400, outputTokens: 9 });
    const client = makeClient();
    const started = performance.now();
    const stream = await client.messages.create(
      { model: MODEL, max_tokens: 64, system: [{ type: 'text', text: 'Count.', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'Count to seven.' }], stream: true },
      { headers: TRACKING_HEADERS },
    );
    let text = '';
    let id: string | undefined;
    let firstEventAt: number | undefined;
    for await (const event of stream as AsyncIterable<any>) {
      firstEventAt ??= performance.now();
      if (event.type === 'message_start') id = event.message.id;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('one two three four five six seven');
    const appTtfc = (firstEventAt! - started) / 1000;

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.stream': true,
      'gen_ai.response.id': id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 500,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.usage.cache_creation.input_tokens': 0,
      'user.id': 'user-7',
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.status.code).toBe(0);
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expect(ttfc).toBeLessThan(FIRST_CHUNK_DELAY_MS / 1000 + 0.25);
    expect(ttfc).toBeLessThanOrEqual(appTtfc + 0.002); // observed no later than the app saw it
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, credentialHeader, credential);
  });

  it('messages.stream() helper with a tool call: tool_use finish reason, the tool call in the captured output', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'anthropic', format: 'anthropic' }], captureMessageContent: true });
    try {
      emulator.enqueue({
        text: 'Let me check the weather.',
        toolCall: { id: 'toolu_01WeatherCall000000000001', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
        inputTokens: 310,
        cacheCreationInputTokens: 250,
        outputTokens: 27,
      });
      const client = makeClient();
      const final = await client.messages
        .stream(
          {
            model: MODEL,
            max_tokens: 200,
            system: 'Use tools when needed.',
            tools: [{ name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } } }],
            messages: [{ role: 'user', content: 'Weather in Paris?' }],
          },
          { headers: { 'Helicone-Session-Id': 'sess-tools' } },
        )
        .finalMessage();
      expect(final.stop_reason).toBe('tool_use');
      expect(final.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_01WeatherCall000000000001', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } });

      const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
      const [span] = genAiSpans(spans);
      expect(span.attributes).toMatchObject({
        'gen_ai.request.stream': true,
        'gen_ai.response.id': final.id,
        'gen_ai.response.model': MODEL,
        'gen_ai.response.finish_reasons': ['tool_use'],
        'gen_ai.usage.input_tokens': 310,
        'gen_ai.usage.output_tokens': 27,
        'gen_ai.usage.cache_read.input_tokens': 0,
        'gen_ai.usage.cache_creation.input_tokens': 250,
        'gen_ai.conversation.id': 'sess-tools',
      });
      expect(JSON.parse(span.attributes['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'Use tools when needed.' }]);
      expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toEqual([
        { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      ]);
      expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Let me check the weather.' },
            { type: 'tool_call', id: 'toolu_01WeatherCall000000000001', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
          ],
          finish_reason: 'tool_call',
        },
      ]);
      expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
      expectOnlyClientSpan(spans, span, emulator);
      expectCleanRequestAndSpans(spans, credentialHeader, credential);
    } finally {
      harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'anthropic', format: 'anthropic' }] });
    }
  });

  it('messages.create non-stream tool use: finish reason tool_use, tokens exact', async () => {
    emulator.enqueue({ toolCall: { name: 'lookup', arguments: { q: 'tokentrace' } }, inputTokens: 90, outputTokens: 15 });
    const client = makeClient();
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Look it up.' }],
    });
    expect(message.content).toMatchObject([{ type: 'tool_use', name: 'lookup', input: { q: 'tokentrace' } }]);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes).toMatchObject({
      'gen_ai.response.id': message.id,
      'gen_ai.response.finish_reasons': ['tool_use'],
      'gen_ai.usage.input_tokens': 90,
      'gen_ai.usage.output_tokens': 15,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'gen_ai.usage.cache_creation.input_tokens': 0,
    });
    expect(span.attributes['gen_ai.output.messages']).toBeUndefined(); // content capture is off again
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, credentialHeader, credential);
  });

  it('a mid-stream overloaded_error event: error.type overloaded_error and an error status; the app gets the SDK error', async () => {
    emulator.enqueue({
      text: 'This answer will be cut off half way through by an overload.',
      inputTokens: 60,
      outputTokens: 20,
      streamErrorEvent: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const client = makeClient();
    let text = '';
    const err = await (async () => {
      const stream = await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Go.' }], stream: true });
      for await (const event of stream as AsyncIterable<any>) {
        if (event.type === 'content_block_delta') text += event.delta.text;
      }
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ type: 'overloaded_error', error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes['error.type']).toBe('overloaded_error');
    expect(span.status).toMatchObject({ code: 2, message: 'Overloaded' });
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.model': MODEL,
      // message_start carried the input usage; the stream never reached message_delta.
      'gen_ai.usage.input_tokens': 60,
    });
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expectCleanRequestAndSpans(spans, credentialHeader, credential);
  });

  it.each([
    [529, 'overloaded_error', 'Overloaded'],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  ])('HTTP %i: error.type is the status, the status message is the API message, the app error unchanged', async (status, type, message) => {
    emulator.enqueue({ status });
    const client = makeClient();
    const err = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status, error: { type: 'error', error: { type, message } } });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes['error.type']).toBe(String(status));
    expect(span.status).toMatchObject({ code: 2, message });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined(); // nothing estimated for a failed call
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans, credentialHeader, credential);
  });
});

/**
 * The SDK's default: it opens its own `anthropic.messages.create` CLIENT span (with
 * gen_ai.operation.name `chat`) around the request, so tokentrace, which steps aside when a model
 * call is already traced, opens none. What tokentrace promises for every call must still hold:
 * tracking headers are removed from the request AND recorded, the key is never recorded, and the
 * GenAI client metrics are recorded.
 */
describe.each(sdks)('%s with its own OpenTelemetry spans (the SDK default)', (name, makeClient, credentialHeader, credential) => {
  const NATIVE_MODEL = 'claude-opus-4-1';

  async function nativeCall(model = NATIVE_MODEL): Promise<{ message: any; spans: ReturnType<typeof harness.spans> }> {
    emulator.enqueue({ text: 'Native span.', inputTokens: 1200, cachedInputTokens: 800, cacheCreationInputTokens: 300, outputTokens: 42 });
    const client = makeClient({});
    const message = await client.messages.create(
      { model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
      { headers: TRACKING_HEADERS },
    );
    // The SDK's span is not tokentrace's: the generic HTTP span stays beneath it.
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length >= 1 && s.length >= 2);
    return { message, spans };
  }

  it('one model-call span (the SDK\'s), the HTTP span beneath it, tracking headers stripped, no key recorded', async () => {
    const { message, spans } = await nativeCall();
    const modelCalls = genAiSpans(spans);
    // tokentrace does not add a second span for a call the SDK already traces.
    expect(modelCalls.map((s) => [s.name, s.instrumentationScope.name])).toEqual([['anthropic.messages.create', 'com.anthropic.sdk.typescript']]);
    const [span] = modelCalls;
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': message.id, 'gen_ai.usage.input_tokens': 1200 });
    expect(httpChildren(spans, span)).toHaveLength(1);
    expectCleanRequestAndSpans(spans, credentialHeader, credential);
  });

  it('the tracking header values taken off the request are recorded on the model-call span', async () => {
    const { spans } = await nativeCall();
    const [span] = genAiSpans(spans);
    expect(span.attributes).toMatchObject({
      'user.id': 'user-7',
      'gen_ai.conversation.id': 'sess-anthropic',
      'tokentrace.property.feature': 'summaries',
      'tokentrace.prompt.id': 'summarize-v3',
    });
  });

  it('the GenAI client token usage metric is recorded', async () => {
    // Metrics accumulate over the file: a model name of its own picks out this one call.
    const model = `claude-metrics-probe-${name.split(' ').at(-1)}`;
    await nativeCall(model);
    const metrics = await harness.collectMetrics();
    const usage = metrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === 'gen_ai.client.token.usage');
    const points = usage.flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: { sum?: number; count?: number } }>)
      .filter((p) => p.attributes['gen_ai.request.model'] === model && p.attributes['gen_ai.token.type'] === 'input');
    expect(points.map((p) => [p.value.count, p.value.sum])).toEqual([[1, 1200]]);
  });
});
