/**
 * The real `@google/genai`, latest major (v3) and the previous one (v2), both over global fetch,
 * against the local Gemini API emulator, through tokentrace's instrumentation.
 *
 * The generic HTTP spans come from instrumentation-undici set up as `register` sets it up, with
 * tokentrace's URL-redaction request hook (start-sdk.ts), because the Gemini API also takes its key
 * as a `key=` query parameter and the guarantee is that no attribute of any span holds it. The
 * shared harness installs instrumentation-undici without that hook, so it is not used for HTTP here.
 */
import { trace, type Span } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { GoogleGenAI as GoogleGenAI3 } from '@google/genai';
import { GoogleGenAI as GoogleGenAI2 } from 'genai-sdk-v2';
import { redactSpanUrlAttributes } from '@tokentrace/instrumentation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGeminiEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, httpChildren, expectOnlyClientSpan } from '../harness/span-assertions.js';

const API_KEY = 'AIzaSy-test-do-not-record-0123456789';
const MODEL = 'gemini-2.5-flash';
const FIRST_CHUNK_DELAY_MS = 150;
const harness = setupTracing({}, { httpInstrumentations: false });
// As register does it: instrumentation-undici with tokentrace's URL redaction as its request hook.
const undici = new UndiciInstrumentation({
  requestHook: (span: Span) => redactSpanUrlAttributes(span, (span as { attributes?: Record<string, unknown> }).attributes),
});
const unregisterUndici = registerInstrumentations({ instrumentations: [undici], tracerProvider: trace.getTracerProvider() });
let emulator: ProviderEmulator;
const geminiEndpoint = () => ({ baseUrl: emulator.url, provider: 'gcp.gemini', format: 'gemini' as const });

beforeAll(async () => {
  emulator = await startGeminiEmulator({ firstChunkDelayMs: FIRST_CHUNK_DELAY_MS });
  harness.instrumentation.setConfig({ endpoints: [geminiEndpoint()] });
});
afterAll(async () => {
  await emulator.close();
  unregisterUndici();
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

/** The part of both majors' clients these tests use. */
interface GenAiClient {
  models: {
    generateContent(params: object): Promise<any>;
    generateContentStream(params: object): Promise<AsyncIterable<any>>;
    embedContent(params: object): Promise<any>;
  };
}
const clientOptions = () => ({ apiKey: API_KEY, httpOptions: { baseUrl: emulator.baseUrl, retryOptions: { attempts: 1 } } });
/** [name, client factory, the API version the major calls by default]. */
const sdks: Array<[string, () => GenAiClient, string]> = [
  ['@google/genai v3', () => new GoogleGenAI3(clientOptions()) as unknown as GenAiClient, 'v1'],
  ['@google/genai v2', () => new GoogleGenAI2(clientOptions()) as unknown as GenAiClient, 'v1beta'],
];

const TRACKING_HEADERS = {
  'Helicone-User-Id': 'user-g',
  'Helicone-Session-Id': 'sess-gemini',
  'Helicone-Property-Feature': 'translate',
  'Tokentrace-Prompt-Id': 'translate-v1',
};

/** No tracking header reached the emulator, the app's key did, and no span holds the key. */
function expectCleanRequestAndSpans(spans: Parameters<typeof everythingRecorded>[0]): void {
  const seen = emulator.lastRequest!.request.headers;
  expect(Object.keys(seen).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
  expect(seen['x-goog-api-key']).toBe(API_KEY);
  const recorded = everythingRecorded(spans);
  expect(recorded).not.toContain(API_KEY);
  expect(recorded).not.toContain('do-not-record');
}

describe.each(sdks)('%s', (_name, makeClient, apiVersion) => {
  it('models.generateContent: generate_content span, generationConfig as request attributes, thoughts and cached tokens', async () => {
    emulator.enqueue({
      text: 'Bonjour tout le monde.',
      model: 'gemini-2.5-flash-preview-05-20',
      inputTokens: 1000,
      cachedInputTokens: 200,
      outputTokens: 80,
      reasoningTokens: 30,
    });
    const ai = makeClient();
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: 'Translate to French: Hello everybody.',
      config: {
        systemInstruction: 'You translate.',
        temperature: 0.4,
        topP: 0.95,
        topK: 32,
        maxOutputTokens: 512,
        stopSequences: ['\n\n', 'END'],
        seed: 1234,
        candidateCount: 2,
        httpOptions: { headers: TRACKING_HEADERS },
      },
    });
    expect(response.text).toBe('Bonjour tout le monde.');
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 1000, cachedContentTokenCount: 200, candidatesTokenCount: 50, thoughtsTokenCount: 30 });
    expect(emulator.lastRequest!.request.path).toBe(`/${apiVersion}/models/${MODEL}:generateContent`);
    expect(emulator.lastRequest!.request.json).toMatchObject({ generationConfig: { temperature: 0.4, topP: 0.95, topK: 32, candidateCount: 2 } });

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`generate_content ${MODEL}`);
    expect(span.kind).toBe(2 /* CLIENT */);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.top_p': 0.95,
      'gen_ai.request.top_k': 32,
      'gen_ai.request.max_tokens': 512,
      'gen_ai.request.stop_sequences': ['\n\n', 'END'],
      'gen_ai.request.seed': 1234,
      'gen_ai.request.choice.count': 2,
      'gen_ai.response.id': response.responseId,
      'gen_ai.response.model': 'gemini-2.5-flash-preview-05-20',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 1000, // promptTokenCount already includes the cached tokens
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 80, // candidates (50) + thoughts (30)
      'gen_ai.usage.reasoning.output_tokens': 30,
      'server.address': '127.0.0.1',
      'server.port': emulator.port,
      'user.id': 'user-g',
      'gen_ai.conversation.id': 'sess-gemini',
      'tokentrace.session.id': 'sess-gemini',
      'tokentrace.property.feature': 'translate',
      'tokentrace.prompt.id': 'translate-v1',
    });
    expect(typeof response.responseId).toBe('string');
    expect(span.attributes['gen_ai.request.stream']).toBe(false); // the URL says so: generateContent, not streamGenerateContent
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined(); // content is opt-in
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.status.code).toBe(0);

    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('models.generateContentStream (SSE, alt=sse): stream usage, finish reason, time to first chunk', async () => {
    emulator.enqueue({ text: 'Un deux trois quatre cinq six sept huit.', inputTokens: 300, cachedInputTokens: 120, outputTokens: 45, reasoningTokens: 15 });
    const ai = makeClient();
    const started = performance.now();
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: [{ role: 'user', parts: [{ text: 'Count to eight in French.' }] }],
      config: { temperature: 0, maxOutputTokens: 100, httpOptions: { headers: TRACKING_HEADERS } },
    });
    let text = '';
    let firstChunkAt: number | undefined;
    let last: any;
    for await (const chunk of stream) {
      firstChunkAt ??= performance.now();
      text += chunk.text ?? '';
      last = chunk;
    }
    expect(text).toBe('Un deux trois quatre cinq six sept huit.');
    const appTtfc = (firstChunkAt! - started) / 1000;
    expect(emulator.lastRequest!.request.url).toBe(`/${apiVersion}/models/${MODEL}:streamGenerateContent?alt=sse`);

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`generate_content ${MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.stream': true,
      'gen_ai.request.temperature': 0,
      'gen_ai.request.max_tokens': 100,
      'gen_ai.response.id': last.responseId,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 120,
      'gen_ai.usage.output_tokens': 45,
      'gen_ai.usage.reasoning.output_tokens': 15,
      'user.id': 'user-g',
    });
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.status.code).toBe(0);
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expect(ttfc).toBeLessThan(FIRST_CHUNK_DELAY_MS / 1000 + 0.25);
    expect(ttfc).toBeLessThanOrEqual(appTtfc + 0.002);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('models.generateContentStream: an error chunk mid-stream gives error.type from its status; the app gets the SDK error', async () => {
    emulator.enqueue({
      text: 'This stream breaks half way through because the backend fails.',
      inputTokens: 40,
      outputTokens: 20,
      streamErrorEvent: { type: 'INTERNAL', message: 'An internal error has occurred.' },
    });
    const ai = makeClient();
    let text = '';
    const err = await (async () => {
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'Go.' })) text += chunk.text ?? '';
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(err).toMatchObject({ name: 'ApiError', status: 500 });

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes['error.type']).toBe('INTERNAL');
    expect(span.status).toMatchObject({ code: 2, message: 'An internal error has occurred.' });
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expectCleanRequestAndSpans(spans);
  });

  it('an HTTP 429: error.type is the status, the message the API message; the app error unchanged', async () => {
    emulator.enqueue({ status: 429 });
    const ai = makeClient();
    const err = await ai.models.generateContent({ model: MODEL, contents: 'hi' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 429 });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status).toMatchObject({ code: 2, message: 'Resource has been exhausted (e.g. check quota).' });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('models.embedContent: an embeddings span named after the URL model, the dimension count, input tokens estimated', async () => {
    const ai = makeClient();
    const text = 'The quick brown fox jumps over the lazy dog.';
    const response = await ai.models.embedContent({
      model: 'text-embedding-004',
      contents: [text, 'A second text.'],
      config: { outputDimensionality: 256, httpOptions: { headers: { 'Helicone-User-Id': 'user-embed' } } },
    });
    expect(response.embeddings).toHaveLength(2);
    expect(response.embeddings[0].values).toHaveLength(256);
    // The Gemini API (not Vertex) embeds through batchEmbedContents, even for one call of embedContent.
    expect(emulator.lastRequest!.request.path).toBe(`/${apiVersion}/models/text-embedding-004:batchEmbedContents`);

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe('embeddings text-embedding-004');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'text-embedding-004',
      'gen_ai.embeddings.dimension.count': 256,
      'user.id': 'user-embed',
      // The Gemini API reports no usage for embeddings: counted with cl100k_base over both texts
      // joined by a newline ("The quick brown fox jumps over the lazy dog.\nA second text." is 14).
      'tokentrace.usage.estimated': true,
      'gen_ai.usage.input_tokens': 14,
    });
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(span.status.code).toBe(0);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });
});

describe('the key as a key= query parameter (raw fetch, as REST samples and curl ports do)', () => {
  // With `httpSpans`, so that the generic HTTP span, whose URL attributes carry the query, is made.
  beforeAll(() => harness.instrumentation.setConfig({ endpoints: [geminiEndpoint()], httpSpans: true }));
  afterAll(() => harness.instrumentation.setConfig({ endpoints: [geminiEndpoint()] }));

  it('is recorded nowhere: not on the GenAI span, not in the HTTP span url.full / url.query (redacted by the request hook)', async () => {
    emulator.enqueue({ text: 'Query key.', inputTokens: 12, outputTokens: 3 });
    const res = await fetch(`${emulator.url}/v1beta/models/${MODEL}:generateContent?key=${API_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Helicone-User-Id': 'user-q' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(emulator.lastRequest!.request.query.key).toBe(API_KEY); // the request itself is untouched

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1 && s.length >= 2);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`generate_content ${MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.response.id': body.responseId,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'user.id': 'user-q',
    });
    expect(JSON.stringify(span.attributes)).not.toContain(API_KEY);
    const [http] = httpChildren(spans, span);
    expect(http.attributes['url.full']).toBe(`${emulator.url}/v1beta/models/${MODEL}:generateContent?key=REDACTED`);
    expect(http.attributes['url.query']).toBe('?key=REDACTED'); // instrumentation-undici keeps the '?'
    expect(everythingRecorded(spans)).not.toContain(API_KEY);
    expect(Object.keys(emulator.lastRequest!.request.headers).filter((h) => h.startsWith('helicone-'))).toEqual([]);
  });
});

describe('endpoint from TOKENTRACE_ENDPOINTS', () => {
  it('`gcp.gemini=<url>` infers the gemini wire format from the provider name', async () => {
    const saved = process.env.TOKENTRACE_ENDPOINTS;
    process.env.TOKENTRACE_ENDPOINTS = `gcp.gemini=${emulator.url}`;
    harness.instrumentation.setConfig({});
    try {
      emulator.enqueue({ text: 'From env.', inputTokens: 21, outputTokens: 4 });
      const response = await (sdks[0][1]()).models.generateContent({ model: MODEL, contents: 'hi' });
      const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
      expect(span.name).toBe(`generate_content ${MODEL}`);
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.response.id': response.responseId,
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 4,
      });
    } finally {
      if (saved === undefined) delete process.env.TOKENTRACE_ENDPOINTS;
      else process.env.TOKENTRACE_ENDPOINTS = saved;
      harness.instrumentation.setConfig({ endpoints: [geminiEndpoint()] });
    }
  });
});
