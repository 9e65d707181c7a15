/**
 * Issue 14 §3: Helicone's retry headers honoured in-process for calls whose client does not retry
 * (raw fetch, axios). The emulator answers 503 with Retry-After twice, then 200: the app sees only
 * the 200, after waits that the injected sleep records (no wall time involved), and there are three
 * chat spans with resend counts none, 1, 2. The emulator's call log is the truth for what was sent.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { withContext } from '@tokentrace/instrumentation';
import { ATTR_HTTP_REQUEST_RESEND_COUNT } from '@tokentrace/semconv';
import axios from 'axios';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const waits: number[] = [];
const harness = setupTracing({ retry: { sleep: async (ms) => void waits.push(ms) } });
let openai: ProviderEmulator;

beforeAll(async () => {
  openai = await startOpenAIEmulator();
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: openai.url, provider: 'openai' }], retry: { sleep: async (ms) => void waits.push(ms) } });
});
afterAll(async () => {
  await openai.close();
  await harness.shutdown();
});
// Every attempt's span has ended before the next test starts (spans end off the app's path).
afterEach(async () => {
  await harness.waitForSpans((s) => genAiSpans(s).length >= openai.requests.length);
});
beforeEach(() => {
  harness.reset();
  openai.reset();
  waits.length = 0;
});

const BODY = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Retry me' }] };
const RETRY_HEADERS = { 'Helicone-Retry-Enabled': 'true', 'Helicone-Retry-Num': '3', 'Helicone-Retry-Min-Timeout': '100', 'Helicone-Retry-Max-Timeout': '5000' };
const UNAVAILABLE = { status: 503, error: { message: 'overloaded' }, headers: { 'retry-after': '2' } };

const byStart = (spans: readonly ReadableSpan[]) => [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
async function threeAttemptSpans(): Promise<ReadableSpan[]> {
  return byStart(genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 3)));
}

async function rawFetch(headers: Record<string, string>, body: object = BODY): Promise<Response> {
  return fetch(`${openai.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-retry', ...headers },
    body: JSON.stringify(body),
  });
}

function expectThreeAttempts(spans: ReadableSpan[]): void {
  expect(spans.map((s) => s.attributes[ATTR_HTTP_REQUEST_RESEND_COUNT])).toEqual([undefined, 1, 2]);
  expect(spans.map((s) => s.attributes['error.type'])).toEqual(['503', '503', undefined]);
  expect(spans[2].attributes['gen_ai.usage.output_tokens']).toBe(3);
  // All attempts are siblings under the app's parent: none nests under another.
  expect(new Set(spans.map((s) => s.parentSpanContext?.spanId)).size).toBe(1);
}

function expectEmulatorSawThreeIdenticalRequests(): void {
  expect(openai.requests.map((r) => r.response.status)).toEqual([503, 503, 200]);
  const bodies = openai.requests.map((r) => r.request.body);
  expect(new Set(bodies).size).toBe(1);
  expect(JSON.parse(bodies[0])).toEqual(BODY);
  // The retry headers never leave the process.
  for (const r of openai.requests) expect(Object.keys(r.request.headers).filter((h) => /^helicone-|^tokentrace-/i.test(h))).toEqual([]);
}

describe('raw fetch with the Helicone retry headers', () => {
  it('503, 503, 200: the app gets the 200 after waits of max(back-off, Retry-After): 2000 ms, 2000 ms', async () => {
    openai.enqueue(UNAVAILABLE, UNAVAILABLE, { text: 'Third time.', inputTokens: 7, outputTokens: 3 });
    const res = await rawFetch(RETRY_HEADERS);
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe('Third time.');
    expect(waits).toEqual([2000, 2000]);
    expectEmulatorSawThreeIdenticalRequests();
    expectThreeAttempts(await threeAttemptSpans());
  });

  it('without Retry-After the waits are the back-off: min × factor^n, capped at max', async () => {
    const plain = { status: 500, error: { message: 'boom' } };
    openai.enqueue(plain, plain, plain, { text: 'ok' });
    const res = await rawFetch({ 'Tokentrace-Retry-Enabled': 'true', 'Tokentrace-Retry-Min-Timeout': '100', 'Tokentrace-Retry-Factor': '3', 'Tokentrace-Retry-Max-Timeout': '500' });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(waits).toEqual([100, 300, 500]);
    expect(openai.requests).toHaveLength(4);
  });

  it('retries used up: the app gets the last 503 as the provider sent it', async () => {
    openai.enqueue(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    const res = await rawFetch({ ...RETRY_HEADERS, 'Helicone-Retry-Num': '2' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect((await res.json()).error.message).toBe('overloaded');
    expect(openai.requests).toHaveLength(3);
    expect(waits).toEqual([2000, 2000]);
  });

  it('a Retry-After beyond the maximum wait is not waited for: the app gets the 429 at once', async () => {
    openai.enqueue({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': '60' } });
    const res = await rawFetch(RETRY_HEADERS);
    expect(res.status).toBe(429);
    await res.arrayBuffer();
    expect(openai.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a 400 is not retried; without the headers nothing is retried', async () => {
    openai.enqueue({ status: 400, error: { message: 'bad' } }, UNAVAILABLE);
    expect((await rawFetch(RETRY_HEADERS)).status).toBe(400);
    expect((await rawFetch({})).status).toBe(503);
    expect(openai.requests).toHaveLength(2);
  });

  it('withContext({ retry }) turns retries on for every call inside, Helicone defaults for what is not set', async () => {
    openai.enqueue({ status: 500, error: { message: 'boom' } }, { text: 'ok' });
    const res = await withContext({ retry: { enabled: true } }, () => rawFetch({}));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(waits).toEqual([1000]); // Helicone's default minimum wait
  });
});

describe('streams', () => {
  it('a streamed answer that started is never retried: the app sees the broken stream, the emulator one call', async () => {
    openai.enqueue({ text: 'a long streamed answer that breaks half way', failAfterChunks: 2 }, { text: 'never sent' });
    const res = await rawFetch(RETRY_HEADERS, { ...BODY, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(openai.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a stream request answered 503 (no byte reached the app) is retried and the app gets the stream', async () => {
    openai.enqueue(UNAVAILABLE, { text: 'streamed after a retry' });
    // Usage in the stream: no tokenizer (seconds to load on a busy machine) delays the span.
    const res = await rawFetch(RETRY_HEADERS, { ...BODY, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).toContain('streamed');
    expect(text).toBe(openai.requests[1].response.text);
    expect(openai.requests.map((r) => r.response.status)).toEqual([503, 200]);
  });
});

describe('axios (node:http) with the Helicone retry headers', () => {
  it('503, 503, 200: axios resolves with the 200 after the same waits, three spans', async () => {
    openai.enqueue(UNAVAILABLE, UNAVAILABLE, { text: 'Third time.', inputTokens: 7, outputTokens: 3 });
    const res = await axios.post(`${openai.baseUrl}/chat/completions`, BODY, { headers: { authorization: 'Bearer sk-retry', ...RETRY_HEADERS } });
    expect(res.status).toBe(200);
    expect(res.data.choices[0].message.content).toBe('Third time.');
    expect(waits).toEqual([2000, 2000]);
    expectEmulatorSawThreeIdenticalRequests();
    expectThreeAttempts(await threeAttemptSpans());
  });

  it('axios without redirects (plain http.request), retries used up: axios rejects with the last 503', async () => {
    openai.enqueue(UNAVAILABLE, UNAVAILABLE);
    const err = await axios
      .post(`${openai.baseUrl}/chat/completions`, BODY, { maxRedirects: 0, headers: { authorization: 'Bearer sk-retry', ...RETRY_HEADERS, 'Helicone-Retry-Num': '1' } })
      .catch((e: unknown) => e as { response?: { status: number; data: { error: { message: string } } } });
    expect(err.response?.status).toBe(503);
    expect(err.response?.data.error.message).toBe('overloaded');
    expect(openai.requests).toHaveLength(2);
    expect(waits).toEqual([2000]);
  });
});

describe('an SDK with its own retries off', () => {
  it('openai (maxRetries: 0) with the Helicone headers as default headers: the 429 is retried in-process', async () => {
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({ apiKey: 'sk-retry', baseURL: openai.baseUrl, maxRetries: 0, defaultHeaders: RETRY_HEADERS });
    openai.enqueue({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': '1' } }, { text: 'done' });
    const completion = await client.chat.completions.create(BODY as never);
    expect((completion as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('done');
    expect(waits).toEqual([1000]);
    expect(openai.requests.map((r) => r.response.status)).toEqual([429, 200]);
  });
});

async function twoAttemptSpans(): Promise<ReadableSpan[]> {
  return byStart(genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 2)));
}

describe('the app aborts', () => {
  it('fetch aborted during the wait: the fetch rejects, no further attempt reaches the emulator', async () => {
    const controller = new AbortController();
    let release!: () => void;
    harness.instrumentation.setConfig({
      endpoints: [{ baseUrl: openai.url, provider: 'openai' }],
      retry: { sleep: (ms) => { waits.push(ms); controller.abort(); return new Promise<void>((r) => (release = r)); } },
    });
    try {
      openai.enqueue(UNAVAILABLE, { text: 'never' });
      const pending = fetch(`${openai.baseUrl}/chat/completions`, {
        method: 'POST', signal: controller.signal,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-retry', ...RETRY_HEADERS }, body: JSON.stringify(BODY),
      });
      await expect(pending).rejects.toThrow(/abort/i);
      release();
      // The second attempt is aborted as it starts: its span ends with the abort.
      const spans = await twoAttemptSpans();
      expect(spans.map((s) => s.attributes['error.type'])).toEqual(['503', 'AbortError']);
      expect(waits).toEqual([2000]);
      expect(openai.requests.map((r) => r.response.status)).toEqual([503]);
    } finally {
      harness.instrumentation.setConfig({ endpoints: [{ baseUrl: openai.url, provider: 'openai' }], retry: { sleep: async (ms) => void waits.push(ms) } });
    }
  });
});
