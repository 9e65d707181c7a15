/**
 * Amazon Bedrock Converse and ConverseStream, called the way an app without the AWS SDK calls
 * them: raw `fetch` (global undici) and axios (node:http), with the app decoding the binary AWS
 * event stream itself (@smithy/eventstream-codec, through the emulator package's reader), against
 * the local Bedrock emulator, through tokentrace's instrumentation. The AWS SDK is not installed.
 */
import axios from 'axios';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeEventStream, readEventStream, startBedrockEmulator, type EventStreamFrame, type ProviderEmulator } from '../provider-emulator/index.js';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, expectOnlyClientSpan } from '../harness/span-assertions.js';

const MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const ENCODED_MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1%3A0';
const FIRST_CHUNK_DELAY_MS = 150;
// What SigV4 puts on a request; none of it may be recorded.
const ACCESS_KEY_ID = 'TESTKEYIDDONOTRECORD';
const SIGNATURE = 'f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEDoNotRecordSessionToken0123456789';
const AUTH_HEADERS = {
  authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=${SIGNATURE}`,
  'x-amz-date': '20250101T000000Z',
  'x-amz-security-token': SESSION_TOKEN,
};
const TRACKING_HEADERS = {
  'Helicone-User-Id': 'user-b',
  'Helicone-Session-Id': 'sess-bedrock',
  'Helicone-Property-Team': 'platform',
  'Tokentrace-Prompt-Id': 'bedrock-v1',
};

const harness = setupTracing({});
let emulator: ProviderEmulator;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ firstChunkDelayMs: FIRST_CHUNK_DELAY_MS });
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'aws.bedrock', format: 'bedrock' }] });
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

const converseBody = {
  system: [{ text: 'You are terse.' }],
  messages: [{ role: 'user', content: [{ text: 'Name three primary colours.' }] }],
  inferenceConfig: { maxTokens: 300, temperature: 0.5, topP: 0.9, stopSequences: ['Human:'] },
  additionalModelRequestFields: { top_k: 50 },
};

function post(action: 'converse' | 'converse-stream', body: object, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emulator.url}/model/${ENCODED_MODEL_ID}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: action === 'converse' ? 'application/json' : 'application/vnd.amazon.eventstream', ...AUTH_HEADERS, ...extraHeaders },
    body: JSON.stringify(body),
  });
}

/** No tracking header reached the emulator, the signature did, and no span holds any credential. */
function expectCleanRequestAndSpans(spans: Parameters<typeof everythingRecorded>[0]): void {
  const seen = emulator.lastRequest!.request.headers;
  expect(Object.keys(seen).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
  expect(seen.authorization).toBe(AUTH_HEADERS.authorization);
  expect(seen['x-amz-security-token']).toBe(SESSION_TOKEN);
  const recorded = everythingRecorded(spans);
  for (const secret of [ACCESS_KEY_ID, SIGNATURE, SESSION_TOKEN, 'DoNotRecord', 'DONOTRECORD']) expect(recorded).not.toContain(secret);
}

/** What the app reads out of the ConverseStream frames. */
function readFrames(frames: EventStreamFrame[]): { text: string; stopReason?: string; usage?: Record<string, number>; exception?: { type: string; message: string } } {
  let text = '';
  let stopReason: string | undefined;
  let usage: Record<string, number> | undefined;
  let exception: { type: string; message: string } | undefined;
  for (const { headers, payload } of frames) {
    const p = payload as Record<string, any>;
    if (headers[':message-type'] === 'exception') exception = { type: String(headers[':exception-type']), message: p.message };
    else if (headers[':event-type'] === 'contentBlockDelta') text += p.delta?.text ?? '';
    else if (headers[':event-type'] === 'messageStop') stopReason = p.stopReason;
    else if (headers[':event-type'] === 'metadata') usage = p.usage;
  }
  return { text, stopReason, usage, exception };
}

describe('Converse (fetch)', () => {
  it('one chat span: the URL-encoded model id decoded, request attributes, cache-inclusive usage, stop reason', async () => {
    emulator.enqueue({ text: 'Red, yellow, blue.', inputTokens: 2000, cachedInputTokens: 1500, cacheCreationInputTokens: 300, outputTokens: 9 });
    const res = await post('converse', converseBody, TRACKING_HEADERS);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.output.message.content).toEqual([{ text: 'Red, yellow, blue.' }]);
    // Bedrock's inputTokens leaves the cache reads and writes out.
    expect(body.usage).toMatchObject({ inputTokens: 200, cacheReadInputTokens: 1500, cacheWriteInputTokens: 300, outputTokens: 9 });
    expect(emulator.lastRequest!.request.path).toBe(`/model/${ENCODED_MODEL_ID}/converse`);

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${MODEL_ID}`);
    expect(span.kind).toBe(2 /* CLIENT */);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': MODEL_ID,
      'gen_ai.request.max_tokens': 300,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 50,
      'gen_ai.request.stop_sequences': ['Human:'],
      'gen_ai.request.stream': false,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 2000, // 200 + 1500 read + 300 written
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.usage.cache_read.input_tokens': 1500,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'server.address': '127.0.0.1',
      'server.port': emulator.port,
      'user.id': 'user-b',
      'gen_ai.conversation.id': 'sess-bedrock',
      'tokentrace.session.id': 'sess-bedrock',
      'tokentrace.property.team': 'platform',
      'tokentrace.prompt.id': 'bedrock-v1',
    });
    // A Converse response names neither an id nor a model.
    expect(span.attributes['gen_ai.response.id']).toBeUndefined();
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expect(span.status.code).toBe(0);

    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });

  it('an HTTP 429 ThrottlingException: error.type is the status, the message the body message', async () => {
    emulator.enqueue({ status: 429 });
    const res = await post('converse', converseBody);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException:/);
    expect(await res.json()).toEqual({ message: 'Too many requests, please wait before trying again.' });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status).toMatchObject({ code: 2, message: 'Too many requests, please wait before trying again.' });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expectCleanRequestAndSpans(spans);
  });
});

describe('ConverseStream (fetch, the app decodes the event stream itself)', () => {
  it('observes the binary stream as it passes: usage from the metadata event, stop reason, time to first chunk', async () => {
    emulator.enqueue({ text: 'Red, then yellow, and finally blue.', inputTokens: 900, cachedInputTokens: 600, cacheCreationInputTokens: 100, outputTokens: 14 });
    const started = performance.now();
    const res = await post('converse-stream', converseBody, TRACKING_HEADERS);
    expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const frames: EventStreamFrame[] = [];
    let firstFrameAt: number | undefined;
    for await (const frame of readEventStream(res.body!)) {
      firstFrameAt ??= performance.now();
      frames.push(frame);
    }
    const appTtfc = (firstFrameAt! - started) / 1000;
    const app = readFrames(frames);
    expect(app.text).toBe('Red, then yellow, and finally blue.');
    expect(app.stopReason).toBe('end_turn');
    expect(app.usage).toMatchObject({ inputTokens: 200, cacheReadInputTokens: 600, cacheWriteInputTokens: 100, outputTokens: 14 });
    // The bytes the app decoded are exactly the bytes the emulator sent.
    await emulator.lastRequest!.done;
    expect(decodeEventStream(emulator.lastRequest!.response.body)).toHaveLength(frames.length);

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${MODEL_ID}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': MODEL_ID,
      'gen_ai.request.stream': true,
      'gen_ai.request.max_tokens': 300,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 900,
      'gen_ai.usage.output_tokens': 14,
      'gen_ai.usage.cache_read.input_tokens': 600,
      'gen_ai.usage.cache_creation.input_tokens': 100,
      'user.id': 'user-b',
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

  it('a tool use: finish reason tool_use, the tool call folded from contentBlockStart and input deltas', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'aws.bedrock', format: 'bedrock' }], captureMessageContent: true });
    try {
      emulator.enqueue({
        toolCall: { id: 'tooluse_WeatherCall0000000000001', name: 'get_weather', arguments: { city: 'Lisbon' } },
        inputTokens: 120,
        outputTokens: 18,
      });
      const res = await post('converse-stream', {
        ...converseBody,
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }] },
      });
      const app = readFrames(decodeEventStream(new Uint8Array(await res.arrayBuffer())));
      expect(app.stopReason).toBe('tool_use');

      const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
      const [span] = genAiSpans(spans);
      expect(span.attributes).toMatchObject({
        'gen_ai.response.finish_reasons': ['tool_use'],
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 18,
      });
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBeUndefined(); // no cache involved: Bedrock omits the fields
      expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'tooluse_WeatherCall0000000000001', name: 'get_weather', arguments: { city: 'Lisbon' } }],
          finish_reason: 'tool_call',
        },
      ]);
      expect(JSON.parse(span.attributes['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'You are terse.' }]);
      expectCleanRequestAndSpans(spans);
    } finally {
      harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'aws.bedrock', format: 'bedrock' }] });
    }
  });

  it('a throttlingException frame mid-stream: error.type and an error status; the app sees the exception frame', async () => {
    emulator.enqueue({
      text: 'This answer is cut off part way by throttling on the model side.',
      inputTokens: 50,
      outputTokens: 20,
      streamErrorEvent: { type: 'throttlingException', message: 'Too many tokens, please wait before trying again.' },
    });
    const res = await post('converse-stream', converseBody);
    expect(res.status).toBe(200);
    const frames: EventStreamFrame[] = [];
    for await (const frame of readEventStream(res.body!)) frames.push(frame);
    const app = readFrames(frames);
    expect(app.text.length).toBeGreaterThan(0);
    expect(app.exception).toEqual({ type: 'throttlingException', message: 'Too many tokens, please wait before trying again.' });

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    // The codec spells it as the error header and non-stream errors do.
    expect(span.attributes['error.type']).toBe('ThrottlingException');
    expect(span.status).toMatchObject({ code: 2, message: 'Too many tokens, please wait before trying again.' });
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    // The stream ended before the metadata event: nothing counted, and nothing estimated for a failed call.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
    expectCleanRequestAndSpans(spans);
  });
});

describe('ConverseStream through axios (node:http, responseType: stream)', () => {
  it('the same span: usage, stop reason, TTFT; no HTTP span beneath it, its trace context sent; headers stripped', async () => {
    emulator.enqueue({ text: 'Axios reads the event stream as a Node stream.', inputTokens: 700, cachedInputTokens: 500, outputTokens: 11 });
    const started = performance.now();
    const res = await axios.post(`${emulator.url}/model/${ENCODED_MODEL_ID}/converse-stream`, converseBody, {
      headers: { 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream', ...AUTH_HEADERS, ...TRACKING_HEADERS },
      responseType: 'stream',
    });
    expect(res.status).toBe(200);
    const frames: EventStreamFrame[] = [];
    let firstFrameAt: number | undefined;
    for await (const frame of readEventStream(res.data as AsyncIterable<Uint8Array>)) {
      firstFrameAt ??= performance.now();
      frames.push(frame);
    }
    const appTtfc = (firstFrameAt! - started) / 1000;
    const app = readFrames(frames);
    expect(app.text).toBe('Axios reads the event stream as a Node stream.');
    expect(app.stopReason).toBe('end_turn');

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [span] = genAiSpans(spans);
    expect(span.name).toBe(`chat ${MODEL_ID}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': MODEL_ID,
      'gen_ai.request.stream': true,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 700,
      'gen_ai.usage.output_tokens': 11,
      'gen_ai.usage.cache_read.input_tokens': 500,
      'user.id': 'user-b',
      'tokentrace.property.team': 'platform',
    });
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBeUndefined(); // no cache write: Bedrock omits the field
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.status.code).toBe(0);
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS / 1000 - 0.005);
    expect(ttfc).toBeLessThan(FIRST_CHUNK_DELAY_MS / 1000 + 0.25);
    expect(ttfc).toBeLessThanOrEqual(appTtfc + 0.002);
    expectOnlyClientSpan(spans, span, emulator);
    expectCleanRequestAndSpans(spans);
  });
});
