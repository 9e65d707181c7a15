/**
 * Issue 12 part 4: a call the SDK retries is several HTTP requests, each its own GenAI span; the
 * attempt a span stands for is `http.request.resend_count` (HTTP conventions: set on a resent
 * request only, 1 for the first retry). The real openai and @anthropic-ai/sdk SDKs retry a 429
 * or a 500 by default, and so does the AWS SDK (over HTTP/2 with its default handler); the
 * emulators answer that once, then 200. Raw fetch that resends the same request has no
 * retry-count header: tokentrace counts the resend itself.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import Anthropic1 from '@anthropic-ai/sdk';
import Anthropic0 from 'anthropic-sdk-v0';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_HTTP_REQUEST_RESEND_COUNT } from '@tokentrace/semconv';
import OpenAI7 from 'openai';
import OpenAI4 from 'openai-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans, httpChildren, traceparentOf } from '../harness/span-assertions.js';
import { startAnthropicEmulator, startBedrockEmulator, startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const harness = setupTracing({});
let openai: ProviderEmulator;
let anthropic: ProviderEmulator;
/** HTTP/2 (h2c), for the AWS SDK's default handler; recognised by shape. */
let bedrockHttp2: ProviderEmulator;

beforeAll(async () => {
  openai = await startOpenAIEmulator({ firstChunkDelayMs: 0 });
  anthropic = await startAnthropicEmulator({ firstChunkDelayMs: 0 });
  bedrockHttp2 = await startBedrockEmulator({ http2: true });
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: openai.url, provider: 'openai' },
      { baseUrl: anthropic.url, provider: 'anthropic', format: 'anthropic' },
    ],
  });
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
  await bedrockHttp2.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  openai.reset();
  anthropic.reset();
  bedrockHttp2.reset();
});

/** The SDKs honour `retry-after-ms`: the retry comes at once instead of after their back-off. */
const RETRY_NOW = { 'retry-after-ms': '1' };
const byStart = (spans: readonly ReadableSpan[]) =>
  [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
const resendCounts = (spans: readonly ReadableSpan[]) => byStart(spans).map((s) => s.attributes[ATTR_HTTP_REQUEST_RESEND_COUNT]);

interface ChatClient {
  chat: { completions: { create(body: object): Promise<any> } };
}
const openaiSdks: Array<[string, () => ChatClient]> = [
  ['openai v7 (fetch)', () => new OpenAI7({ apiKey: 'sk-retry', baseURL: openai.baseUrl, maxRetries: 2 }) as unknown as ChatClient],
  ['openai v4 (node:http)', () => new OpenAI4({ apiKey: 'sk-retry', baseURL: openai.baseUrl, maxRetries: 2 }) as unknown as ChatClient],
];

describe.each(openaiSdks)('%s retries a 429', (_name, makeClient) => {
  it('two chat spans: the 429 without a resend count, the retry with resend_count 1; the request headers as the SDK sent them', async () => {
    openai.enqueue({ status: 429, error: { message: 'Rate limited' }, headers: RETRY_NOW }, { text: 'Second time lucky.', inputTokens: 9, outputTokens: 4 });
    const completion = await makeClient().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe('Second time lucky.');

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 2);
    const [first, retry] = byStart(genAiSpans(spans));
    expect(first.attributes['error.type']).toBe('429');
    expect(first.attributes).not.toHaveProperty(ATTR_HTTP_REQUEST_RESEND_COUNT);
    expect(retry.attributes[ATTR_HTTP_REQUEST_RESEND_COUNT]).toBe(1);
    expect(retry.attributes['error.type']).toBeUndefined();
    expect(retry.attributes['gen_ai.usage.output_tokens']).toBe(4);
    expect(retry.status.code).toBe(0);
    // Each attempt's GenAI span is its only client span, and each request carried its own span's trace context.
    expect(httpChildren(spans, first)).toEqual([]);
    expect(httpChildren(spans, retry)).toEqual([]);
    expect(openai.requests.map((r) => r.request.headers.traceparent)).toEqual([traceparentOf(first), traceparentOf(retry)]);
    expect(openai.requests.map((r) => r.request.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
  });
});

it("the AWS SDK's default BedrockRuntimeClient (HTTP/2) retries a 500: two spans, resend count 1 from amz-sdk-request, each attempt's own traceparent", async () => {
  bedrockHttp2.enqueue({ status: 500 }, { text: 'Retried over HTTP/2.', inputTokens: 8, outputTokens: 4 });
  const client = new BedrockRuntimeClient({
    region: 'us-east-1', endpoint: bedrockHttp2.url, maxAttempts: 2, credentials: { accessKeyId: 'AKIARETRY', secretAccessKey: 'retry-secret' },
  });
  try {
    const answer = await client.send(new ConverseCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    expect(answer.output?.message?.content?.[0].text).toBe('Retried over HTTP/2.');
  } finally {
    client.destroy();
  }
  const spans = byStart(genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 2)));
  expect(resendCounts(spans)).toEqual([undefined, 1]);
  expect(spans.map((s) => s.attributes['error.type'])).toEqual(['500', undefined]);
  expect(spans[1].attributes['gen_ai.usage.output_tokens']).toBe(4);
  expect(bedrockHttp2.requests.map((r) => r.request.headers['amz-sdk-request'])).toEqual(['attempt=1; max=2', 'attempt=2; max=2']);
  expect(bedrockHttp2.requests.map((r) => r.request.headers.traceparent)).toEqual(spans.map(traceparentOf));
});

type MakeAnthropic = (options?: { openTelemetry?: false }) => { messages: { create(body: object): Promise<any> } };
const anthropicSdks: Array<[string, MakeAnthropic]> = [
  ['@anthropic-ai/sdk v1', (o = { openTelemetry: false }) => new Anthropic1({ apiKey: 'sk-ant-retry', baseURL: anthropic.baseUrl, maxRetries: 3, ...o })],
  ['@anthropic-ai/sdk v0', (o = { openTelemetry: false }) => new Anthropic0({ apiKey: 'sk-ant-retry', baseURL: anthropic.baseUrl, maxRetries: 3, ...o })],
];
const MESSAGE = { model: 'claude-haiku-4-5', max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] };

describe.each(anthropicSdks)('%s retries a 500 twice', (_name, makeClient) => {
  it('three chat spans with resend counts none, 1, 2', async () => {
    anthropic.enqueue(
      { status: 500, error: { message: 'boom' }, headers: RETRY_NOW },
      { status: 500, error: { message: 'boom again' }, headers: RETRY_NOW },
      { text: 'Third time.', inputTokens: 5, outputTokens: 2 },
    );
    const message = await makeClient().messages.create(MESSAGE);
    expect(message.content[0].text).toBe('Third time.');
    const spans = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 3));
    expect(resendCounts(spans)).toEqual([undefined, 1, 2]);
    expect(byStart(spans).map((s) => s.attributes['error.type'])).toEqual(['500', '500', undefined]);
    expect(anthropic.requests.map((r) => r.request.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
  });
});

it('@anthropic-ai/sdk v1 tracing its own call: one span for the call, whose resend count is the SDK\'s, one HTTP span per attempt', async () => {
  anthropic.enqueue({ status: 429, error: { message: 'slow down' }, headers: RETRY_NOW }, { text: 'ok', inputTokens: 5, outputTokens: 1 });
  await new Anthropic1({ apiKey: 'sk-ant-retry', baseURL: anthropic.baseUrl, maxRetries: 2 }).messages.create(MESSAGE);
  const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1 && s.filter((x) => x.instrumentationScope.name.includes('undici')).length === 2);
  const [call] = genAiSpans(spans);
  expect(call.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
  expect(call.attributes[ATTR_HTTP_REQUEST_RESEND_COUNT]).toBe(1);
  expect(httpChildren(spans, call)).toHaveLength(2);
});

describe('raw fetch, no retry-count header: tokentrace counts a resend itself', () => {
  const body = (content: string) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
  async function post(json: string): Promise<number> {
    const res = await fetch(`${openai.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-raw' }, body: json });
    await res.arrayBuffer();
    return res.status;
  }

  it('the same request sent again after a 503, twice: resend counts none, 1, 2', async () => {
    openai.enqueue({ status: 503, error: { message: 'unavailable' } }, { status: 503, error: { message: 'unavailable' } }, { text: 'up again' });
    expect([await post(body('same')), await post(body('same')), await post(body('same'))]).toEqual([503, 503, 200]);
    const spans = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 3));
    expect(resendCounts(spans)).toEqual([undefined, 1, 2]);
  });

  it('no resend: another body after a failure, the same body after a success or after a 400, or sent in parallel with the failing one', async () => {
    openai.enqueue({ status: 429, error: { message: 'slow' } }, { text: 'a' }, { text: 'b' });
    const statuses = [
      await post(body('first')),
      await post(body('second')), // another request: no resend
      await post(body('second')), // after a success: no resend
    ];
    openai.enqueue({ status: 400, error: { message: 'bad' } }, { text: 'd' });
    statuses.push(await post(body('third')), await post(body('third'))); // after a 400, which SDKs do not retry
    openai.enqueue({ status: 429, error: { message: 'slow' }, firstChunkDelayMs: 150 }, { text: 'e' });
    // The second is sent once the first has reached the server, whose 429 waits 150 ms: in flight together.
    const arrived = openai.requests.length + 1;
    const first = post(body('parallel'));
    await openai.waitForArrivals(arrived);
    statuses.push(...(await Promise.all([first, post(body('parallel'))])));
    expect(statuses).toEqual([429, 200, 200, 400, 200, 429, 200]);
    const spans = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 7));
    expect(resendCounts(spans)).toEqual(Array(7).fill(undefined));
  });
});
