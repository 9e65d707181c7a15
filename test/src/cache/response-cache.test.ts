/**
 * The response cache (issue 14, section 1) in process, with the in-memory store: real SDKs
 * (openai v7/v6 over fetch, v4 over node:http, @anthropic-ai/sdk, @google/genai), axios and raw
 * fetch against the provider emulators, whose call log is the truth of what reached a provider.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { withContext } from '@tokentrace/instrumentation';
import axios from 'axios';
import OpenAI7 from 'openai';
import OpenAI6 from 'openai-v6';
import OpenAI4 from 'openai-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startAnthropicEmulator, startGeminiEmulator, startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const API_KEY = 'sk-test-cache-0123456789';
const OTHER_KEY = 'sk-test-cache-other-project';
const harness = setupTracing({});
let openai: ProviderEmulator;
let anthropic: ProviderEmulator;
let gemini: ProviderEmulator;
let prompt = 0;
/** A prompt no earlier test sent: each test starts with an empty cache for its calls. */
const fresh = () => `question ${++prompt} ${Date.now()}`;
const CACHE = { 'Helicone-Cache-Enabled': 'true' };

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startOpenAIEmulator(), startAnthropicEmulator(), startGeminiEmulator()]);
  configure({});
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
  await harness.shutdown();
});
/** Marks this test's calls: a span of the previous test may still end after reset(). */
let caseId = 0;
const CASE = () => ({ 'Helicone-Property-Case': String(caseId) });
const ofThisCase = (spans: Parameters<typeof genAiSpans>[0]) => genAiSpans(spans).filter((s) => s.attributes['tokentrace.property.case'] === String(caseId));
const byStart = (a: { startTime: [number, number] }, b: { startTime: [number, number] }) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];

beforeEach(() => {
  caseId++;
  harness.reset();
  openai.reset();
  anthropic.reset();
  gemini.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

function configure(cache: object): void {
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: openai.url, provider: 'openai' },
      { baseUrl: anthropic.url, provider: 'anthropic', format: 'anthropic' },
      { baseUrl: gemini.url, provider: 'gcp.gemini', format: 'gemini' },
    ],
    cache,
  });
}

const chatBody = (content: string, extra: object = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });
const chatUrl = () => `${openai.baseUrl}/chat/completions`;
const jsonHeaders = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

async function rawChat(body: object, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(chatUrl(), { method: 'POST', headers: { ...jsonHeaders, ...CACHE, ...CASE(), ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function cacheStatuses(count: number): Promise<unknown[]> {
  const spans = await harness.waitForSpans((s) => ofThisCase(s).length >= count);
  return ofThisCase(spans)
    .sort(byStart)
    .map((s) => s.attributes['tokentrace.cache.status']);
}

interface ChatClient {
  chat: { completions: { create(body: object, options?: object): { withResponse(): Promise<{ data: any; response: Response }> } } };
}
const openaiSdks: Array<[string, () => ChatClient]> = [
  ['openai v7 (fetch)', () => new OpenAI7({ apiKey: API_KEY, baseURL: openai.baseUrl, maxRetries: 0 }) as unknown as ChatClient],
  ['openai v6 (fetch)', () => new OpenAI6({ apiKey: API_KEY, baseURL: openai.baseUrl, maxRetries: 0 }) as unknown as ChatClient],
  ['openai v4 (node:http)', () => new OpenAI4({ apiKey: API_KEY, baseURL: openai.baseUrl, maxRetries: 0 }) as unknown as ChatClient],
];

describe.each(openaiSdks)('%s', (_name, makeClient) => {
  it('serves the second identical call from the cache: one provider call, the same answer, HIT and MISS headers, spans say so', async () => {
    openai.enqueue({ text: 'Cached answer.', inputTokens: 120, outputTokens: 40 });
    const client = makeClient();
    const body = chatBody(fresh());
    const first = await client.chat.completions.create(body, { headers: { ...CACHE, ...CASE(), 'Helicone-Property-Feature': 'faq' } }).withResponse();
    const second = await client.chat.completions.create(body, { headers: { ...CACHE, ...CASE(), 'Helicone-Property-Feature': 'faq' } }).withResponse();
    expect(openai.requests).toHaveLength(1);
    expect(second.data).toEqual(first.data);
    expect(first.response.headers.get('helicone-cache')).toBe('MISS');
    expect(second.response.headers.get('helicone-cache')).toBe('HIT');
    expect(second.response.headers.get('helicone-cache-bucket-idx')).toBe('0');
    expect(Object.keys(openai.requests[0]!.request.headers).filter((h) => h.startsWith('helicone'))).toEqual([]);

    const spans = await harness.waitForSpans((s) => ofThisCase(s).length === 2);
    const [miss, hit] = ofThisCase(spans).sort(byStart);
    expect(miss!.attributes).toMatchObject({ 'tokentrace.cache.status': 'miss', 'tokentrace.cache.store': 'memory', 'gen_ai.usage.input_tokens': 120 });
    expect(hit!.attributes).toMatchObject({
      'tokentrace.cache.status': 'hit',
      'tokentrace.cache.bucket_index': 0,
      'tokentrace.cache.original.input_tokens': 120,
      'tokentrace.cache.original.output_tokens': 40,
      'tokentrace.property.feature': 'faq',
      'gen_ai.response.id': first.data.id,
    });
    expect(hit!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    // Nothing left the process for the hit: no HTTP client span under it.
    expect(spans.filter((s) => s.parentSpanContext?.spanId === hit!.spanContext().spanId)).toEqual([]);
  });

  it('replays a streamed answer as the same stream', async () => {
    openai.enqueue({ text: 'One two three four five.', inputTokens: 10, outputTokens: 6 });
    const client = makeClient();
    const body = chatBody(fresh(), { stream: true, stream_options: { include_usage: true } });
    const collect = async () => {
      const stream: AsyncIterable<any> = (await client.chat.completions.create(body, { headers: CACHE }).withResponse()).data;
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    };
    const original = await collect();
    const replayed = await collect();
    expect(openai.requests).toHaveLength(1);
    expect(replayed).toEqual(original);
    expect(original.length).toBeGreaterThan(3);
  });
});

describe('raw fetch and axios', () => {
  it('raw fetch: a streamed hit is byte-identical to the stream the provider sent', async () => {
    openai.enqueue({ text: 'Streamed once, replayed after.', inputTokens: 12, outputTokens: 7 });
    const body = chatBody(fresh(), { stream: true });
    const first = await rawChat(body);
    const second = await rawChat(body);
    expect(openai.requests).toHaveLength(1);
    const sent = openai.requests[0]!.response;
    expect(first.bytes.equals(sent.body)).toBe(true);
    expect(second.bytes.equals(sent.body)).toBe(true);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('helicone-cache')).toBe('HIT');
  });

  it('axios (node:http): the second call is answered from the cache with the same bytes and headers', async () => {
    openai.enqueue({ text: 'Via axios.' });
    const body = chatBody(fresh());
    const call = () => axios.post(chatUrl(), body, { headers: { ...jsonHeaders, ...CACHE }, responseType: 'arraybuffer' });
    const first = await call();
    const second = await call();
    expect(openai.requests).toHaveLength(1);
    expect(Buffer.from(second.data).equals(openai.requests[0]!.response.body)).toBe(true);
    expect(Buffer.from(first.data).equals(Buffer.from(second.data))).toBe(true);
    expect(first.headers['helicone-cache']).toBe('MISS');
    expect(second.headers['helicone-cache']).toBe('HIT');
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
  });

  it('a fetch answer is served to axios and the other way round (one key for both paths)', async () => {
    const body = chatBody(fresh());
    const viaFetch = await rawChat(body, { 'accept-encoding': 'identity' });
    const viaAxios = await axios.post(chatUrl(), body, { headers: { ...jsonHeaders, ...CACHE, 'accept-encoding': 'identity' }, responseType: 'arraybuffer' });
    expect(openai.requests).toHaveLength(1);
    expect(Buffer.from(viaAxios.data).equals(viaFetch.bytes)).toBe(true);
  });
});

describe('Anthropic and Gemini SDKs', () => {
  it('@anthropic-ai/sdk: the second identical message is served from the cache, streamed or not', async () => {
    const client = new Anthropic({ apiKey: API_KEY, baseURL: anthropic.baseUrl, maxRetries: 0 });
    const params = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: fresh() }] };
    const a = await client.messages.create(params, { headers: CACHE });
    const b = await client.messages.create(params, { headers: CACHE });
    expect(b).toEqual(a);
    const streamed = async () => {
      const events: unknown[] = [];
      for await (const e of await client.messages.create({ ...params, stream: true }, { headers: CACHE })) events.push(e);
      return events;
    };
    expect(await streamed()).toEqual(await streamed());
    expect(anthropic.requests).toHaveLength(2);
  });

  it('@google/genai: the second identical generateContent is served from the cache', async () => {
    const client = new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: gemini.baseUrl, retryOptions: { attempts: 1 } } } as never);
    const request = { model: 'gemini-2.5-flash', contents: fresh(), config: { httpOptions: { headers: CACHE } } };
    const a = await client.models.generateContent(request);
    const b = await client.models.generateContent(request);
    expect(b.text).toBe(a.text);
    expect(b.responseId).toBe(a.responseId);
    expect(gemini.requests).toHaveLength(1);
  });
});

describe('cache options', () => {
  it('max-age: an answer older than its max-age is not used (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const body = chatBody(fresh());
    await rawChat(body, { 'Cache-Control': 'max-age=60' });
    vi.setSystemTime(Date.now() + 59_000);
    expect((await rawChat(body, { 'Cache-Control': 'max-age=60' })).headers.get('helicone-cache')).toBe('HIT');
    vi.setSystemTime(Date.now() + 2_000);
    expect((await rawChat(body, { 'Cache-Control': 'max-age=60' })).headers.get('helicone-cache')).toBe('MISS');
    expect(openai.requests).toHaveLength(2);
  });

  it('seeds keep separate namespaces', async () => {
    const body = chatBody(fresh());
    await rawChat(body, { 'Helicone-Cache-Seed': 'user-1' });
    await rawChat(body, { 'Helicone-Cache-Seed': 'user-2' });
    const again = await rawChat(body, { 'Tokentrace-Cache-Seed': 'user-1' });
    expect(again.headers.get('helicone-cache')).toBe('HIT');
    expect(openai.requests).toHaveLength(2);
  });

  it('a bucket of 2 sends the request until it holds two answers, then returns one of them', async () => {
    openai.enqueue({ text: 'first answer' });
    openai.enqueue({ text: 'second answer' });
    const body = chatBody(fresh());
    const headers = { 'Helicone-Cache-Bucket-Max-Size': '2' };
    const texts = new Set<string>();
    const indexes = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const res = await rawChat(body, headers);
      texts.add(JSON.parse(res.bytes.toString()).choices[0].message.content);
      if (i >= 2) indexes.add(res.headers.get('helicone-cache-bucket-idx')!);
    }
    expect(openai.requests).toHaveLength(2);
    expect(texts).toEqual(new Set(['first answer', 'second answer']));
    for (const index of indexes) expect(['0', '1']).toContain(index);
  });

  it('ignored keys are left out of the key', async () => {
    const content = fresh();
    await rawChat(chatBody(content, { user: 'a', metadata: { request_id: '1' } }), { 'Helicone-Cache-Ignore-Keys': 'user,metadata' });
    const hit = await rawChat(chatBody(content, { metadata: { request_id: '2' }, user: 'b' }), { 'Helicone-Cache-Ignore-Keys': 'user,metadata' });
    expect(hit.headers.get('helicone-cache')).toBe('HIT');
    const other = await rawChat(chatBody(content, { user: 'c' }));
    expect(other.headers.get('helicone-cache')).toBe('MISS');
    expect(openai.requests).toHaveLength(2);
  });

  it('two API keys never share an entry, unless shareAcrossKeys', async () => {
    const body = chatBody(fresh());
    await rawChat(body);
    const other = await rawChat(body, { authorization: `Bearer ${OTHER_KEY}` });
    expect(other.headers.get('helicone-cache')).toBe('MISS');
    expect(openai.requests).toHaveLength(2);

    configure({ shareAcrossKeys: true });
    try {
      const shared = chatBody(fresh());
      await rawChat(shared);
      expect((await rawChat(shared, { authorization: `Bearer ${OTHER_KEY}` })).headers.get('helicone-cache')).toBe('HIT');
      expect(openai.requests).toHaveLength(3);
    } finally {
      configure({});
    }
  });

  it('withContext({ cache }) and the config (on for one feature) turn it on without headers', async () => {
    const body = chatBody(fresh());
    const call = () => fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body) }).then((r) => r.headers.get('helicone-cache'));
    expect(await call()).toBeNull(); // off by default
    expect(await withContext({ cache: { enabled: true } }, call)).toBe('MISS');
    expect(await withContext({ cache: { enabled: true } }, call)).toBe('HIT');
    expect(openai.requests).toHaveLength(2);

    configure({ forCall: ({ tracking }: { tracking?: { properties?: Record<string, string> } }) => (tracking?.properties?.feature === 'faq' ? { enabled: true, maxAge: 3600 } : undefined) });
    try {
      const faq = chatBody(fresh());
      const ask = (feature: string) =>
        withContext({ properties: { feature } }, () => fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: JSON.stringify(faq) }).then((r) => r.headers.get('helicone-cache')));
      expect(await ask('faq')).toBe('MISS');
      expect(await ask('faq')).toBe('HIT');
      expect(await ask('chat')).toBeNull();
      expect(openai.requests).toHaveLength(4);
    } finally {
      configure({});
    }
  });
});

describe('what is never stored', () => {
  it('an error status', async () => {
    openai.enqueue({ status: 500, error: { message: 'upstream failed' } });
    const body = chatBody(fresh());
    expect((await rawChat(body)).status).toBe(500);
    const second = await rawChat(body);
    expect(second.status).toBe(200);
    expect(second.headers.get('helicone-cache')).toBe('MISS');
    expect((await rawChat(body)).headers.get('helicone-cache')).toBe('HIT');
    expect(openai.requests).toHaveLength(2);
  });

  it('a 200 stream that carried an error event, and a stream cut short', async () => {
    // With its usage in the stream: no tokenizer to wait for before the spans end.
    const body = chatBody(fresh(), { stream: true, stream_options: { include_usage: true } });
    openai.enqueue({ streamErrorEvent: { type: 'server_error', message: 'overloaded' } });
    await rawChat(body);
    openai.enqueue({ failAfterChunks: 2 });
    await rawChat(body).catch(() => undefined);
    const third = await rawChat(body);
    expect(third.headers.get('helicone-cache')).toBe('MISS');
    expect(await cacheStatuses(3)).toEqual(['miss', 'miss', 'miss']);
    expect(openai.requests).toHaveLength(3);
  });

  it('an answer the app aborted', async () => {
    openai.enqueue({ text: 'long answer '.repeat(20), chunkDelayMs: 5 });
    const body = chatBody(fresh(), { stream: true });
    const controller = new AbortController();
    const res = await fetch(chatUrl(), { method: 'POST', headers: { ...jsonHeaders, ...CACHE, ...CASE() }, body: JSON.stringify(body), signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    await harness.waitForSpans((s) => ofThisCase(s).length === 1);
    expect((await rawChat(body)).headers.get('helicone-cache')).toBe('MISS');
    expect(openai.requests).toHaveLength(2);
  });
});
